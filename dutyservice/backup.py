"""A consistent copy of the database, taken while the service runs.

SQLite: its online backup API copies the file page by page under a read lock, so writers wait
for moments, not for the whole copy. PostgreSQL: `pg_dump` in its custom format (a snapshot of
one transaction), restored with `pg_restore`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from .errors import Invalid, Unavailable


def backup(database_url: str, destination: Path) -> None:
    """Write a backup of the database at `database_url` to `destination` (replaced if there)."""
    url = make_url(database_url)
    destination.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        _backup_sqlite(url.database or "", destination)
    elif url.get_backend_name() == "postgresql":
        _backup_postgresql(database_url, destination)
    else:
        raise Invalid(f"no backup for {url.get_backend_name()} databases")


def _backup_sqlite(path: str, destination: Path) -> None:
    if not path or path == ":memory:" or not Path(path).exists():
        raise Invalid(f"no SQLite database file at {path or '(none)'}")
    partial = destination.with_name(f".{destination.name}.partial")
    with (
        closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source,
        closing(sqlite3.connect(partial)) as copy,
    ):
        source.backup(copy)
    os.replace(partial, destination)


def _backup_postgresql(database_url: str, destination: Path) -> None:
    url = make_url(database_url)
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise Unavailable("pg_dump is not installed (Debian: postgresql-client)")
    # The password goes by the environment, never on a command line that `ps` shows.
    environment = {**os.environ, "PGPASSWORD": url.password or os.environ.get("PGPASSWORD", "")}
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    partial = destination.with_name(f".{destination.name}.partial")
    completed = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={plain}"],
        env=environment,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        partial.unlink(missing_ok=True)
        raise Unavailable(f"pg_dump failed: {completed.stderr.strip()[-500:]}")
    os.replace(partial, destination)
