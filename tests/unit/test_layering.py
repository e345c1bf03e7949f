"""The direction of dependencies (STYLE.md): pure rules know nothing of Flask or SQLAlchemy,
the domain never reaches up into its faces, and the return is made only where a face asks."""

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
PURE_ALSO = ("auth/tokens.py", "auth/claims.py", "ips/learning_rules.py")

# The faces: what a user or another system talks to. Everything else is the domain.
FACES = ("api", "web", "cli", "console", "server", "__init__", "__main__")
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
            names = [".".join(target + [alias.name]) for alias in node.names]
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
    assert "dutyservice.events.rules" in found and "dutyservice.npocc.feed" in found
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
    assert not imported_packages(path) & {"api", "cli", "console", "server"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_return_is_made_only_where_a_face_asks_for_it(path: Path) -> None:
    if place(path) in NPOCC_MAY_BE_IMPORTED_BY:
        return
    assert "npocc" not in imported_packages(path)


@pytest.mark.parametrize("path", sorted((PACKAGE / "auth").rglob("*.py")), ids=lambda p: p.name)
def test_tokens_and_scopes_import_no_domain_package(path: Path) -> None:
    assert not imported_packages(path) & set(BENEATH_AUTH)


# The learning programme is a requirement beside IPS, at the `ips` level of the domain chain
# (forces < duties < ips < events < notify): it reaches down only.
LEARNING_MODULES = sorted((PACKAGE / "ips").glob("learning_*.py"))
ABOVE_IPS = {"events", "notify", "npocc", "reports", "imports", "web", "api", "cli", "scheduler"}


def test_the_learning_programme_sits_in_the_ips_package() -> None:
    assert {p.name for p in LEARNING_MODULES} >= {"learning_rules.py", "learning_models.py"}


@pytest.mark.parametrize("path", LEARNING_MODULES, ids=lambda p: p.name)
def test_the_learning_programme_imports_nothing_above_ips(path: Path) -> None:
    assert not imported_packages(path) & ABOVE_IPS
