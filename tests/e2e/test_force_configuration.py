"""A force's deployment as its administrator runs it (API.md "Running it for a force"): one
force, `config check`, configuration problems as one `Error:` line, the export's exit status."""

from __future__ import annotations

import subprocess
from pathlib import Path

from flask import Flask

from dutyservice.db import Database

from ..support.builders import Builder
from ..support.commands import dutyservice
from ..support.receiver import receiver

ROOT = Path(__file__).resolve().parents[2]


def run(database_url: str, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """The command in a new process, its environment the DUTYSERVICE_* settings given."""
    env = {f"DUTYSERVICE_{name.upper()}": value for name, value in settings.items()}
    return dutyservice(database_url, *args, stderr=None, **env)


def test_tokens_and_imports_of_a_force_not_served_are_refused_with_one_error_line(
    app: Flask, db: Database
) -> None:
    refused = run(
        db.url,
        "token",
        "create",
        "--role",
        "planner",
        "--force",
        "norfolk",
        forces="cambridgeshire",
    )
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.startswith("Error: ")
    assert refused.stderr.count("\n") == 1
    assert "'norfolk' is not served here: only cambridgeshire" in refused.stderr
    listed = run(db.url, "token", "list")
    assert listed.stdout.splitlines()[1:] == []
    source = ROOT / "fixtures" / "import" / "cambridgeshire-2025"
    imported = run(db.url, "import", str(source), "--force", "norfolk", forces="cambridgeshire")
    assert imported.returncode == 1
    assert imported.stdout == ""
    assert imported.stderr.startswith("Error: ")
    assert imported.stderr.count("\n") == 1
    served = run(
        db.url,
        "token",
        "create",
        "--role",
        "planner",
        "--force",
        "cambridgeshire",
        forces="cambridgeshire",
    )
    assert served.returncode == 0, served.stderr


def test_a_setting_that_cannot_be_used_is_one_error_line_with_exit_status_2(
    app: Flask, db: Database, tmp_path: Path
) -> None:
    for settings, named in (
        ({"returns_from": "next spring"}, "DUTYSERVICE_RETURNS_FROM"),
        ({"npocc_retries": "many"}, "DUTYSERVICE_NPOCC_RETRIES"),
        ({"secret_key_file": str(tmp_path / "absent")}, "DUTYSERVICE_SECRET_KEY_FILE"),
    ):
        result = run(db.url, "token", "list", **settings)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"Error: {named}")
        assert result.stderr.count("\n") == 1
        assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_error_line_and_logged_without_its_password(
    app: Flask, db: Database
) -> None:
    url = "postgresql://dutyservice:hunter2@127.0.0.1:9/dutyservice"
    result = run(url, "token", "list", log_level="ERROR")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr
    *logged, error = result.stderr.strip().splitlines()
    assert error.startswith("Error: the database cannot be reached: ")
    assert any('"database unreachable"' in line for line in logged)


def test_config_check_names_each_problem_on_its_own_line(
    app: Flask, db: Database, tmp_path: Path
) -> None:
    result = run(
        db.url,
        "config",
        "check",
        forces="cambridgeshire,gotham",
        smtp_url="smtp://127.0.0.1:9",
        npocc_feed_url="http://feed.example/returns",
    )
    assert result.returncode == 2, result.stdout + result.stderr
    problems = result.stderr.splitlines()
    assert all(line.startswith("Error: ") for line in problems)
    assert any("'gotham'" in line for line in problems)
    assert any("SMTP server 127.0.0.1:9" in line for line in problems)
    assert any("FEED_URL must be an https://" in line for line in problems)
    assert "ok: database:" in result.stdout
    if db.dialect == "postgresql":
        assert any("DUTYSERVICE_SECRET_KEY" in line for line in problems)


def test_config_check_passes_with_secrets_read_from_files(
    app: Flask, db: Database, tmp_path: Path
) -> None:
    key = tmp_path / "secret-key"
    key.write_text("k" * 48 + "\n")
    result = run(db.url, "config", "check", secret_key_file=str(key), forces="cambridgeshire")
    assert result.returncode == 0, result.stderr
    assert "ok: secret key: set" in result.stdout
    assert result.stderr == ""


def test_config_check_finds_a_database_not_at_the_head_migration(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = run(url, "config", "check")
    assert result.returncode == 2
    assert "Error: the database is at migration none" in result.stderr


def test_export_exits_3_when_a_delivery_failed_and_0_when_filed(
    app: Flask, db: Database, build: Builder, tmp_path: Path
) -> None:
    from datetime import date

    build.ips_officer(since=date(2025, 1, 6))
    filed = run(
        db.url, "export", "--quarter", "2025-Q2", export_dir=str(tmp_path), forces="cambridgeshire"
    )
    assert filed.returncode == 0, filed.stderr
    [_, row] = filed.stdout.splitlines()
    assert row.startswith("cambridgeshire-135v1-2025Q2-r1")
    assert row.endswith("files only")
    args = ("export", "--quarter", "2025-Q3", "--force", "cambridgeshire")
    with receiver([("status", 400)]) as feed:
        failed = run(
            db.url,
            *args,
            export_dir=str(tmp_path / "sent"),
            npocc_feed_url=feed.url,
            npocc_feed_token="t",
        )
    assert failed.returncode == 3, failed.stderr
    assert failed.stdout.splitlines()[1].endswith("failed")
    assert failed.stderr == "Error: a delivery failed: the return waits to be sent again\n"


def test_serve_refuses_to_start_on_postgresql_without_the_pages_secret_key(
    app: Flask, db: Database, postgres_only: None
) -> None:
    result = run(db.url, "serve", "--port", "9")
    assert result.returncode == 2
    assert result.stderr == (
        "Error: DUTYSERVICE_SECRET_KEY (or _FILE) is not set: the pages need it\n"
    )
