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
import tarfile
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


EXPORTS_SUFFIX = ".exports.tar"


def exports_backup_path(destination: Path) -> Path:
    """Where the export directory's files are kept beside the database's backup."""
    return destination.with_name(destination.name + EXPORTS_SUFFIX)


def backup_exports(export_dir: Path, destination: Path) -> int:
    """The returns' files (those already sent: the database holds only their checksums) in a
    tar beside the database's backup, only its owner able to read it; how many files."""
    target = exports_backup_path(destination)
    partial = _private(target.with_name(f".{target.name}.partial"))
    files = sorted(
        path
        for path in (export_dir.iterdir() if export_dir.is_dir() else ())
        if path.is_file() and not path.name.startswith(".")  # never a half-written file
    )
    with tarfile.open(partial, "w") as archive:
        for path in files:
            archive.add(path, arcname=path.name, recursive=False)
    os.replace(partial, target)
    return len(files)


def _private(partial: Path) -> Path:
    """An empty file only its owner may read: a backup holds every officer's records."""
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(partial, 0o600)  # whatever the umask
    return partial


def _backup_sqlite(path: str, destination: Path) -> None:
    if not path or path == ":memory:" or not Path(path).exists():
        raise Invalid(f"no SQLite database file at {path or '(none)'}")
    partial = _private(destination.with_name(f".{destination.name}.partial"))
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
    partial = _private(destination.with_name(f".{destination.name}.partial"))
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
