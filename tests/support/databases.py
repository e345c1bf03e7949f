"""The two databases every integration test runs against: SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    and_,
    create_engine,
    delete,
    event,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.pool import Pool
from sqlalchemy.schema import ColumnDefault

from dutyservice.db import Database
from dutyservice.fixtures import seed_reference_data
from dutyservice.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "DUTYSERVICE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("DUTYSERVICE_REQUIRE_POSTGRES") == "1"


def postgres_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: not here
        return f"PostgreSQL not reachable at {make_url(POSTGRES_URL).render_as_string()}: {exc}"


#: What a test's scratch database sets for every session on it (served processes' too):
#: - `synchronous_commit`: a commit returns without waiting for the write-ahead log's flush
#:   (a few milliseconds of every commit on the development machine). A crash of the whole
#:   server could lose the last commits, which a scratch database can afford; what is
#:   committed is seen by every other session at once, as before.
#: - `deadlock_timeout`: a transaction waiting on a lock looks for a deadlock after 50 ms
#:   rather than a second. The same transaction is failed as before, sooner: the race tests,
#:   whose writers lose races by deadlock and run again, waited that second each time.
SCRATCH_SETTINGS = {"synchronous_commit": "off", "deadlock_timeout": "50ms"}


def create_postgres_database(
    admin_url: str = POSTGRES_URL,
    prefix: str = "dutyservice_test",
    *,
    settings: Mapping[str, str] | None = None,
) -> str:
    """A fresh, empty database on the server of `admin_url` (tests and benchmarks alike), so
    that migrations start from nothing, with `settings` for every session on it; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        for setting, value in (settings or {}).items():
            connection.execute(text(f"ALTER DATABASE \"{name}\" SET {setting} = '{value}'"))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str, admin_url: str = POSTGRES_URL) -> None:
    """The scratch database gone, whoever is still connected to it."""
    name = make_url(url).database
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@contextmanager
def scratch_postgres_database(
    admin_url: str = POSTGRES_URL, prefix: str = "dutyservice_test"
) -> Iterator[str]:
    """A fresh database for the length of the block, dropped after it."""
    url = create_postgres_database(admin_url, prefix)
    try:
        yield url
    finally:
        drop_postgres_database(url, admin_url)


def no_disk_waits_on_sqlite() -> None:
    """Every SQLite connection this process opens commits without waiting for the disk
    (`synchronous = NORMAL`; the service's own are FULL): in WAL mode a commit then writes the
    log but does not flush it, so an operating system crash could lose the last commits, which
    a test file can afford. What is committed is seen by every other connection at once, as
    before; only the flush goes (about 1 to 3 ms of every commit on the development machine)."""

    @event.listens_for(Pool, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous = NORMAL")


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'dutyservice-test.db'}"


@contextmanager
def at_revision(database_url: str, directory: Path, revision: str) -> Iterator[Database]:
    """A new database of the kind `database_url` names, migrated only as far as `revision`."""
    sqlite = database_url.startswith("sqlite")
    url = sqlite_url(directory) if sqlite else create_postgres_database(settings=SCRATCH_SETTINGS)
    db = Database(url)
    try:
        upgrade(db, revision)
        yield db
    finally:
        db.dispose()
        if not sqlite:
            drop_postgres_database(url)


def migrate_and_seed(url: str) -> None:
    database = Database(url)
    upgrade(database)
    seed_reference_data(database)
    database.dispose()


# Reference data is seeded once (from the fixture files); everything else is emptied before each
# test, and what a test may have changed of the reference data is put back as seeded.
REFERENCE_TABLES = {"forces", "duty_types", "nos_units", "role_profiles", "role_profile_units"}


def _default(column: Column[Any]) -> Any:
    return column.default.arg if isinstance(column.default, ColumnDefault) else None


def empty_tables(db: Database) -> None:
    from dutyservice.forces.models import Force
    from dutyservice.forces.service import SETTINGS
    from dutyservice.ips.models import RoleProfile, RoleProfileUnit
    from dutyservice.models import Base
    from dutyservice.shipped import FIXTURES

    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    seeded = json.loads((FIXTURES / "role_profiles.json").read_text(encoding="utf-8"))
    seeded_profiles = [
        and_(RoleProfile.mercury_ref == p["mercury_ref"], RoleProfile.version == p["version"])
        for p in seeded["role_profiles"]
    ]
    added_profiles = select(RoleProfile.id).where(~or_(*seeded_profiles))
    with db.engine.begin() as connection:
        # DELETE, not TRUNCATE: a test leaves a few rows, and PostgreSQL's TRUNCATE makes new
        # files for every table (0.45 s a test against 0.05 s).
        for table in tables:
            connection.execute(table.delete())
        if db.dialect == "postgresql":
            # Ids start again from 1, as after TRUNCATE ... RESTART IDENTITY.
            with_ids = [t.name for t in tables if "id" in t.c]
            connection.execute(
                text(
                    "SELECT "
                    + ", ".join(
                        f"setval(pg_get_serial_sequence('{name}', 'id'), 1, false)"
                        for name in with_ids
                    )
                )
            )
        # The settings an admin may change, back to the model's defaults (what seeding leaves).
        connection.execute(
            update(Force).values(
                {name: _default(Force.__mapper__.columns[name]) for name in SETTINGS}
            )
        )
        # ... and the settings seeding gives some forces (those that make no returns).
        forces = json.loads((FIXTURES / "forces.json").read_text(encoding="utf-8"))["forces"]
        for entry in forces:
            if len(entry) > 3:
                settings = {k: v for k, v in entry.items() if k not in ("code", "name", "region")}
                connection.execute(
                    update(Force).where(Force.code == entry["code"]).values(settings)
                )
        connection.execute(
            delete(RoleProfileUnit).where(RoleProfileUnit.role_profile_id.in_(added_profiles))
        )
        connection.execute(delete(RoleProfile).where(RoleProfile.id.in_(added_profiles)))
    db.lookups.forget()
