"""`python3 dev.py test`: its workers, its selection, and the bytecode its processes keep."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_run_keeps_bytecode_in_the_virtual_environment_not_beside_the_sources(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dev = _dev()
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)

    env = dev.test_environment()

    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert Path(env["PYTHONPYCACHEPREFIX"]) == ROOT / ".venv" / "pycache"


def test_a_developers_own_bytecode_folder_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", "elsewhere")

    assert _dev().test_environment()["PYTHONPYCACHEPREFIX"] == "elsewhere"


def test_three_workers_unless_told_and_the_ci_tests_only_with_all() -> None:
    dev = _dev()

    assert dev.parallel([]) == ["-n", "3"]
    assert dev.parallel(["-n", "0"]) == []
    assert dev.selection(["tests/unit"]) == ["-m", "not ci", "tests/unit"]
    assert dev.selection(["--all", "-q"]) == ["-q"]
