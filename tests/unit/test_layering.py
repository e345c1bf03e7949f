"""The direction of dependencies (STYLE.md): pure rules know nothing of Flask or SQLAlchemy,
the domain packages form one chain that no import runs back up, the domain never reaches up into
its faces, and the return is made only where a face asks."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "dutyservice"

# Modules that are pure by their role: every `rules.py`, the feed's bytes, and the foundations
# those rely on. Found by pattern, so a new package's rules are held to it without a list.
PURE_PATTERNS = ("**/rules.py", "npocc/feed.py", "clock.py", "errors.py", "auth/scope.py")
PURE_ALSO = (
    "auth/tokens.py",
    "auth/claims.py",
    "plaintext.py",
    "channels.py",
    "ips/learning_rules.py",
)

# The faces: what a user or another system talks to. Everything else is the domain.
FACES = (
    "api",
    "web",
    "cli",
    "config_check",
    "scheduler",
    "console",
    "server",
    "__init__",
    "__main__",
)
FACE_PACKAGES = ("api", "web", "scheduler")

# The domain packages, lowest first: a package imports only those in the layers below its own,
# never one above it, nor one beside it. Tokens and scopes are beneath everything (a force's
# code is read from its table); the reports, the import, sign-in and the NPoCC return each
# stand on the records beside events, and notify, which tells people about all of them
# (an event's call-out, a return that failed), is on top. Faces sit above the chain.
LAYERS = (
    ("auth",),
    ("forces",),
    ("duties",),
    ("ips",),
    ("events", "reports", "imports", "signin", "npocc"),
    ("notify",),
    # Data protection reads every table that names an officer (subject access, retention).
    ("privacy",),
)
# An arrow that still runs up, and why; it fails once it is gone, so that it is struck off.
KNOWN_UPWARD: set[tuple[str, str]] = set()
# Top-level modules that gather or load every package (the model registry, demo data, the
# national generator's tables); every other top-level module is a foundation beneath the chain.
GATHERERS = ("models", "fixtures", "national")
# The return is made for the faces only (and the model registry gathers every table); mail is a
# face too: it tells the administrator of a return that failed or is still pending.
NPOCC_MAY_BE_IMPORTED_BY = (*FACES, "models", "npocc", "notify")
# Tokens and scopes sit beneath every domain package (they all import `auth.scope`).
BENEATH_AUTH = ("duties", "ips", "events", "reports", "npocc", "fixtures", "national")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def pure_modules() -> list[str]:
    paths = {p for pattern in PURE_PATTERNS for p in PACKAGE.glob(pattern)}
    paths |= {PACKAGE / name for name in PURE_ALSO}
    return sorted(module_name(p) for p in paths)


def imported_packages(path: Path) -> set[str]:
    """The first component under `dutyservice` of every module `path` imports, anywhere in it
    (imports inside functions too)."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = [*base, *(node.module or "").split(".")] if node.module else base
            names = [".".join([*target, alias.name]) for alias in node.names]
            names = [name for name in names if name] or [".".join(target)]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "dutyservice" and len(parts) > 1:
                found.add(parts[1])
    return found


def place(path: Path) -> str:
    """The package or top-level module of `dutyservice` that `path` belongs to."""
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_the_pure_modules_include_every_rules_module_and_the_feed() -> None:
    found = pure_modules()
    assert "dutyservice.events.rules" in found
    assert "dutyservice.npocc.feed" in found
    assert len([m for m in found if m.endswith(".rules")]) >= 3


@pytest.mark.parametrize("module", pure_modules())
def test_rule_module_imports_neither_flask_nor_sqlalchemy(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_import_reader_sees_relative_absolute_and_nested_imports() -> None:
    """The checks below are only as good as this reader: it must see every form of import."""
    assert "audit" in imported_packages(PACKAGE / "duties" / "service.py")  # `from .. import`
    assert "duties" in imported_packages(PACKAGE / "ips" / "eligibility.py")
    assert "npocc" in imported_packages(PACKAGE / "cli.py")  # imported inside a command
    assert "clock" in imported_packages(PACKAGE / "npocc" / "feed.py")  # `from ..clock import`
    assert "npocc" in imported_packages(PACKAGE / "api" / "returns.py")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_domain_never_imports_its_faces(path: Path) -> None:
    if place(path) in FACES:
        return
    assert not imported_packages(path) & {"api", "web", "cli", "scheduler", "console", "server"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_return_is_made_only_where_a_face_asks_for_it(path: Path) -> None:
    if place(path) in NPOCC_MAY_BE_IMPORTED_BY:
        return
    assert "npocc" not in imported_packages(path)


@pytest.mark.parametrize("path", sorted((PACKAGE / "auth").rglob("*.py")), ids=lambda p: p.name)
def test_tokens_and_scopes_import_no_domain_package(path: Path) -> None:
    assert not imported_packages(path) & set(BENEATH_AUTH)


def _level(package: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


DOMAIN = sorted(package for layer in LAYERS for package in layer)
# Every ordered pair (lower, higher) where `lower` may not import `higher`: same layer or above.
FORBIDDEN = [
    (lower, higher)
    for lower in DOMAIN
    for higher in DOMAIN
    if lower != higher and _level(higher) >= _level(lower)
]


def _importers(package: str, target: str) -> set[str]:
    return {
        str(path.relative_to(PACKAGE))
        for path in sorted((PACKAGE / package).rglob("*.py"))
        if target in imported_packages(path)
    }


def test_every_package_is_a_face_or_has_its_place_in_the_chain() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(DOMAIN) | set(FACE_PACKAGES)


def test_every_pair_of_domain_packages_is_covered() -> None:
    pairs = {frozenset(pair) for pair in FORBIDDEN}
    assert len(pairs) == len(DOMAIN) * (len(DOMAIN) - 1) // 2
    assert ("auth", "forces") in FORBIDDEN
    assert ("events", "notify") in FORBIDDEN


@pytest.mark.parametrize(("lower", "higher"), FORBIDDEN, ids=[f"{a}-not-{b}" for a, b in FORBIDDEN])
def test_no_domain_package_imports_one_above_or_beside_it(lower: str, higher: str) -> None:
    allowed = {path for path, target in KNOWN_UPWARD if target == higher}
    assert _importers(lower, higher) <= allowed


def test_every_known_upward_import_is_still_there() -> None:
    gone = [(p, t) for p, t in sorted(KNOWN_UPWARD) if t not in imported_packages(PACKAGE / p)]
    assert gone == [], "strike these off KNOWN_UPWARD"


def test_the_pair_check_finds_the_modules_that_import_a_package() -> None:
    """The arrows that may run are seen, so one running the other way would be."""
    assert "events/service.py" in _importers("events", "duties")
    assert "forces/service.py" in _importers("forces", "auth")


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if p.parent == PACKAGE and p.stem not in (*FACES, *GATHERERS)],
    ids=lambda p: p.name,
)
def test_a_foundation_module_imports_no_domain_package_nor_face(path: Path) -> None:
    assert not imported_packages(path) & {*DOMAIN, *FACE_PACKAGES, *FACES, *GATHERERS}


# The learning programme is a requirement beside IPS, at the `ips` level of the domain chain
# (forces < duties < ips < events < notify): it reaches down only.
LEARNING_MODULES = sorted((PACKAGE / "ips").glob("learning_*.py"))
ABOVE_IPS = {
    "events",
    "notify",
    "npocc",
    "reports",
    "imports",
    "privacy",
    "web",
    "api",
    "cli",
    "scheduler",
}


def test_the_learning_programme_sits_in_the_ips_package() -> None:
    assert {p.name for p in LEARNING_MODULES} >= {"learning_rules.py", "learning_models.py"}


@pytest.mark.parametrize("path", LEARNING_MODULES, ids=lambda p: p.name)
def test_the_learning_programme_imports_nothing_above_ips(path: Path) -> None:
    assert not imported_packages(path) & ABOVE_IPS
