"""The lock (requirements/*.txt, made by `python3 dev.py lock`) agrees with setup.cfg.

setup.cfg states ranges, for whoever installs the package; the lock pins one version of every
package with its hashes, and is what `dev.py` and CI install. A requirement added, removed or
narrowed in setup.cfg without running `python3 dev.py lock` again fails here.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
# each lock, and the extras of setup.cfg it installs besides install_requires
LOCKS = {"app.txt": ("postgres",), "dev.txt": ("dev", "postgres")}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
OWN = "dutyservice (setup.cfg)"


@dataclass
class Pin:
    version: str
    hashes: int = 0
    via: list[str] = field(default_factory=list)


def _requirements(extras: tuple[str, ...]) -> list[Requirement]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = config["options"]["install_requires"].splitlines()
    for extra in extras:
        lines += config["options.extras_require"][extra].splitlines()
    return [Requirement(line) for line in (s.strip() for s in lines) if line and line[0] != "#"]


def _lock(name: str) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for line in (ROOT / "requirements" / name).read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            current = pins[canonicalize_name(match[1])] = Pin(match[2])
        elif current is not None and "--hash=sha256:" in line:
            current.hashes += 1
        elif current is not None and line.startswith("    #"):
            current.via.append(line.removeprefix("    #").strip().removeprefix("via").strip())
    return pins


@pytest.mark.parametrize("lock", LOCKS)
def test_every_requirement_in_setup_cfg_is_pinned_within_its_range(lock: str) -> None:
    pins = _lock(lock)
    for requirement in _requirements(LOCKS[lock]):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements/{lock}: run dev.py lock"
        assert requirement.specifier.contains(pins[name].version, prereleases=True), (
            f"requirements/{lock} pins {name}=={pins[name].version}, outside {requirement}"
        )


@pytest.mark.parametrize("lock", LOCKS)
def test_the_lock_asks_for_nothing_setup_cfg_no_longer_names(lock: str) -> None:
    named = {canonicalize_name(r.name) for r in _requirements(LOCKS[lock])}
    asked = {name for name, pin in _lock(lock).items() if OWN in pin.via}
    assert asked == named, f"requirements/{lock} is stale: run python3 dev.py lock"


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pinned_package_has_a_hash(lock: str) -> None:
    unhashed = [name for name, pin in _lock(lock).items() if pin.hashes == 0]
    assert unhashed == []


def test_the_application_lock_pins_the_versions_the_development_lock_pins() -> None:
    dev = _lock("dev.txt")
    app = _lock("app.txt")
    assert {name: pin.version for name, pin in app.items()} == {
        name: dev[name].version for name in app if name in dev
    }
    assert set(app) <= set(dev)


def test_ruff_and_mypy_come_pinned_from_the_lock() -> None:
    dev = _lock("dev.txt")
    assert {"ruff", "mypy", "pip-audit"} <= set(dev)


@pytest.mark.parametrize("lock", LOCKS)
def test_the_lock_names_no_index_or_path_of_the_machine_that_made_it(lock: str) -> None:
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    for machine_specific in ("file://", "--index-url", "--extra-index-url", "--find-links", " /"):
        assert machine_specific not in text
