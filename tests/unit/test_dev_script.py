"""`python3 dev.py test`: its workers, its selection, and the bytecode its processes keep."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
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


PHONE, CLI = "tests/e2e/test_pages_on_a_phone.py", "tests/e2e/test_cli.py"


def _collected(*selection: str) -> set[str]:
    """The tests the selection runs. A collection runs no test on PostgreSQL, which a run that
    requires one (CI's) counts as a failure: this one does not require it."""
    environment = {k: v for k, v in os.environ.items() if k != "DUTYSERVICE_REQUIRE_POSTGRES"}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         *selection, PHONE, CLI],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {line for line in completed.stdout.splitlines() if "::" in line}


def test_the_loop_drives_the_pages_in_chromium_on_sqlite_and_ci_on_both_databases() -> None:
    dev = _dev()
    loop, ci = _collected(*dev.selection([])), _collected(*dev.selection(["--all"]))
    sweep = f"{PHONE}::test_every_page_fits_a_phone_and_axe_finds_nothing_serious"
    command = f"{CLI}::test_token_made_on_the_command_line_works_once_revoked_it_does_not"

    assert f"{sweep}[sqlite]" in loop
    assert f"{sweep}[postgresql]" not in loop
    assert {f"{sweep}[sqlite]", f"{sweep}[postgresql]"} <= ci
    assert {f"{command}[sqlite]", f"{command}[postgresql]"} <= loop  # no page: both databases
