"""Where the migrations and the reference data are: inside the installed package (the wheel
carries the repository's migrations/ and fixtures/ as `_migrations` and `_fixtures`, see
setup.py), or at the root of a source checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_PACKAGE = Path(str(files("dutyservice")))


def _shipped(inside: str, in_checkout: str) -> Path:
    installed = _PACKAGE / inside
    return installed if installed.is_dir() else _PACKAGE.parent / in_checkout


MIGRATIONS = _shipped("_migrations", "migrations")
FIXTURES = _shipped("_fixtures", "fixtures")
