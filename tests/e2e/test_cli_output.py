"""What an operator reads from the `dutyservice` command: each run in a new process."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

from flask import Flask

from dutyservice.db import Database

from ..support.builders import Builder
from ..support.commands import dutyservice


def command(
    database_url: str, *args: str, export_dir: Path | None = None, stderr: int | None = None
) -> subprocess.CompletedProcess[str]:
    """The command in a new Python process, its output piped (as a script or CI reads it),
    or its standard error on a terminal (`stderr`: the terminal's file descriptor)."""
    env = {} if export_dir is None else {"DUTYSERVICE_EXPORT_DIR": str(export_dir)}
    return dutyservice(database_url, *args, stderr=stderr, **env)


def test_help_shows_only_the_services_own_commands_and_options(app: Flask, db: Database) -> None:
    result = command(db.url, "--help")
    assert result.returncode == 0
    for flask_option in ("--env-file", "--app", "-A,", "--debug", "--version"):
        assert flask_option not in result.stdout
    for ours in ("db", "serve", "token", "export", "scheduler", "fixtures"):
        assert f"\n  {ours} " in result.stdout


def test_an_unknown_force_is_one_clean_line_of_error(
    app: Flask, db: Database, tmp_path: Path
) -> None:
    result = command(
        db.url, "export", "--quarter", "2026-Q3", "--force", "cambs", export_dir=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr == "Error: unknown force 'cambs'\n"
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_export_without_a_feed_says_files_only_in_aligned_columns_and_is_quiet_when_piped(
    app: Flask, db: Database, build: Builder, tmp_path: Path
) -> None:
    result = command(
        db.url, "export", "--quarter", "2026-Q3", "--force", "cambridgeshire", export_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar into a pipe
    header, row = result.stdout.splitlines()
    assert row.startswith("cambridgeshire-135v1-2026Q3-r1 ")
    assert row.endswith("files only")
    assert "pending" not in row
    assert header.index("delivery") == row.index("files only")
    assert header.index("this run") == row.index("made")
    # numbers are right-aligned under their header
    assert header.index("officers") + len("officers") == row.index("0 ") + 1


def test_export_of_every_force_shows_progress_on_a_terminal(
    app: Flask, db: Database, tmp_path: Path
) -> None:
    controller, terminal = pty.openpty()
    try:
        result = command(
            db.url, "export", "--quarter", "2026-Q2", export_dir=tmp_path, stderr=terminal
        )
    finally:
        os.close(terminal)
    shown = _read_all(controller)
    assert result.returncode == 0
    assert "2026-Q2 returns" in shown
    assert "100%" in shown


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal's other end is closed and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


def test_token_create_says_who_the_token_is_and_list_shows_the_force_code(
    app: Flask, db: Database, build: Builder
) -> None:
    officer = build.officer(warrant_number="SC4242")
    result = command(db.url, "token", "create", "--role", "special", "--officer", str(officer.id))
    assert result.returncode == 0, result.stderr
    *said, secret = result.stdout.strip().splitlines()
    assert secret.startswith("dsk_")
    assert " " not in secret
    who = " ".join(said)
    assert "role special" in who
    assert "force cambridgeshire" in who
    assert f"officer {officer.id} (cambridgeshire-SC4242)" in who
    listing = command(db.url, "token", "list").stdout.splitlines()
    header, line = listing[0].split(), listing[-1].split()
    assert header[:5] == ["id", "role", "force", "officer", "state"]
    assert line[1:5] == ["special", "cambridgeshire", str(officer.id), "active"]
    assert secret not in "\n".join(listing)


def test_loading_the_demo_again_revokes_the_demo_tokens_it_printed_before(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert command(url, "db", "upgrade").returncode == 0
    first = command(url, "fixtures", "load", "demo").stdout
    second = command(url, "fixtures", "load", "demo").stdout
    assert "the 6 demo tokens printed before have ended" in second
    secrets = [line.split()[-1] for line in first.splitlines() if line.startswith("  ")]
    assert len(secrets) == 6
    listing = command(url, "token", "list").stdout.splitlines()[1:]
    states = [word for line in listing for word in line.split() if word in ("active", "revoked")]
    assert states == ["revoked"] * 6 + ["active"] * 6
