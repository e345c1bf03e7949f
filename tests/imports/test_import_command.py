"""`dutyservice import` run as an operator runs it: piped, and in a process on a terminal."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
from pathlib import Path

from dutyservice.db import Database

from ..support.commands import COMMAND, Completed, environment, run_in_process
from .test_import import SAMPLE, append


def _import(db: Database, *args: str) -> Completed:
    return run_in_process(db.url, "import", *args, "--force", "cambridgeshire")


def test_piped_the_command_shows_no_progress_and_ends_with_the_summary(
    db: Database, tmp_path: Path
) -> None:
    files = shutil.copytree(SAMPLE, tmp_path / "history")
    first = _import(db, str(files))
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    last = first.stdout.splitlines()[-1]
    assert last.startswith("history: imported: officers.csv 6 added, 0 unchanged")
    assert "duties.csv 16 added, 0 unchanged, 0 updated, 0 conflicts, 0 refused" in last
    again = _import(db, str(files))
    assert again.returncode == 0
    assert again.stdout.splitlines()[-1].startswith("history: imported, nothing new:")


def test_a_refused_set_exits_1_listing_every_error_before_the_summary(
    db: Database, tmp_path: Path
) -> None:
    files = shutil.copytree(SAMPLE, tmp_path / "history")
    append(files, "officers.csv", "C1007,Green,Ola,PC,@Ely,2024-01-01,,")
    append(files, "duties.csv", "C1006,2025-03-30 01:30,2025-03-30 05:00,patrol,Ely,completed,,")
    result = _import(db, str(files), "--dry-run")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "officers.csv:8: rank: unknown rank 'PC'; one of SC, SCINSP, SCO, SDCO, " + (
        "SINSP, SSGT, SSUPT"
    )
    assert lines[1].startswith("officers.csv:8: base_location: must not begin with")
    assert lines[2].startswith("duties.csv:18: starts_at: 2025-03-30 01:30: the clocks go forward")
    assert lines[-1].startswith("history: refused, nothing written (3 errors):")


def test_an_unknown_force_is_an_error_not_a_traceback(db: Database, tmp_path: Path) -> None:
    result = run_in_process(db.url, "import", str(SAMPLE), "--force", "atlantis")
    assert result.returncode == 1
    assert "unknown force" in result.stderr
    assert "Traceback" not in result.stderr


def test_on_a_terminal_the_command_shows_rows_per_second_for_each_file(
    db: Database, tmp_path: Path
) -> None:
    files = shutil.copytree(SAMPLE, tmp_path / "history")
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*COMMAND, "import", str(files), "--force", "cambridgeshire"],
        env=environment(db.url),
        stdout=subprocess.PIPE,
        stderr=terminal,
        text=True,
    )
    os.close(terminal)
    shown = b""
    while True:  # read the terminal until the process closes its end
        ready, _, _ = select.select([controller], [], [], 60)
        assert ready, "the command showed nothing for a minute"
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    stdout, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    progress = shown.decode()
    for name, rows in (("officers.csv", 6), ("competencies.csv", 29), ("duties.csv", 16)):
        assert f"{name}: {rows} rows, " in progress
        assert "rows/s" in progress
    assert "rows/s" not in stdout
    assert stdout.splitlines()[-1].startswith("history: imported:")
