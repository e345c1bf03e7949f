"""A command starts with what it needs: the configuration check, and Alembic and the mail
transport behind it, are loaded by `check`, `serve`, `db` and a command that fails, not by
every command (about 120 ms of each start)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LOADED = (
    "import sys\n"
    "from dutyservice.console import main\n"
    "try:\n"
    "    main(['export', '--help'])\n"
    "except SystemExit:\n"
    "    pass\n"
    "late = ('alembic', 'dutyservice.config_check', 'smtplib')\n"
    "print(sorted(m for m in late if m in sys.modules))"
)


def test_a_command_starts_without_the_configuration_check(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", LOADED],
        env={"DUTYSERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'start.db'}", "PATH": ""},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "Make (and, where a feed is configured, deliver) the NPoCC return" in completed.stdout
    assert completed.stdout.splitlines()[-1] == "[]"
