"""The restore drill: `dutyservice db backup`, restored as docs/operations.md says, answers the
same and makes a byte-identical return."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from dutyservice import create_app
from dutyservice.config import Settings
from dutyservice.db import Database

from ..support import databases
from ..support.builders import Builder
from ..support.commands import run_in_process

READS = (
    "/api/v1/officers?per_page=500",
    "/api/v1/duties?force=cambridgeshire",
    "/api/v1/deployable?from=2025-09-30T18:00:00Z&to=2025-09-30T23:00:00Z",
    "/api/v1/reports/hours?force=cambridgeshire&month=2025-09",
    "/api/v1/audit?per_page=500",
)


@contextmanager
def backed_up_and_restored(db: Database, exports: Path, directory: Path) -> Iterator[str]:
    """Back up the database and the export directory with the command, and restore both the
    way docs/operations.md says (the files into `directory / "exports"`)."""
    backup = directory / "dutyservice.backup"
    said = run_in_process(db.url, "db", "backup", str(backup), DUTYSERVICE_EXPORT_DIR=str(exports))
    assert said.returncode == 0, said.stderr
    assert said.stdout.strip().endswith(str(backup))
    archive = directory / "dutyservice.backup.exports.tar"
    for written in (backup, archive):  # every officer's records: for the owner's eyes only
        assert written.stat().st_mode & 0o777 == 0o600, written
    (directory / "exports").mkdir()
    subprocess.run(["tar", "-xf", str(archive), "-C", str(directory / "exports")], check=True)
    if db.dialect == "sqlite":
        restored = directory / "restored.db"
        shutil.copyfile(backup, restored)  # with the service stopped: the file is the database
        yield f"sqlite:///{restored}"
        return
    url = databases.create_postgres_database()
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={plain}", str(backup)],
            check=True,
            capture_output=True,
        )
        yield url
    finally:
        databases.drop_postgres_database(url)


def a_quarter_of_history(build: Builder) -> dict[str, str]:
    for n in range(5):
        officer = build.ips_officer(since=date(2025, 1, 10), warrant_number=f"R{n}")
        build.duty(officer, datetime(2025, 9, 2 + n, 18, tzinfo=UTC), hours=6, complete=True)
    build.officer(warrant_number="R9")  # no IPS: not in the return
    return build.headers("admin")


def test_a_restored_backup_answers_the_same_and_makes_the_same_return(
    app: Flask, db: Database, build: Builder, tmp_path: Path
) -> None:
    admin = a_quarter_of_history(build)
    original = app.test_client()
    quarter = {"quarter": "2025-Q3", "force": "cambridgeshire"}
    sent = original.post("/api/v1/npocc/returns", json=quarter, headers=admin)
    [sent_item] = sent.get_json()["items"]
    exports = app.extensions["dutyservice"].settings.export_dir
    with backed_up_and_restored(db, exports, tmp_path) as restored_url:
        restored = create_app(Settings(database_url=restored_url, export_dir=tmp_path / "exports"))
        try:
            copy = restored.test_client()
            for path in READS:
                before, after = original.get(path, headers=admin), copy.get(path, headers=admin)
                assert before.status_code == 200, path
                assert (after.status_code, after.get_json()) == (200, before.get_json()), path
            files = []
            for client in (original, copy):  # the return sent before the backup, restored
                feed = client.get(
                    f"/api/v1/npocc/returns/{sent_item['id']}/feed.csv", headers=admin
                )
                files.append(feed.data)
                feed.close()
                again = client.post("/api/v1/npocc/returns", json=quarter, headers=admin)
                assert again.status_code == 200  # the same records make nothing new
        finally:
            restored.extensions["dutyservice"].db.dispose()
    assert files[0].count(b"\r\n") == 6  # the header and the five officers with IPS
    assert files[1] == files[0]


def test_a_backup_of_a_database_that_is_not_there_says_so(tmp_path: Path) -> None:
    completed = run_in_process(
        f"sqlite:///{tmp_path / 'none.db'}", "db", "backup", str(tmp_path / "b")
    )
    assert completed.returncode == 1
    assert "no SQLite database file" in completed.stderr
    assert not (tmp_path / "b").exists()
