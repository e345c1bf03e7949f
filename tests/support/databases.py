"""The two databases every integration test runs against: SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dutyservice.db import Database
from dutyservice.fixtures import seed_reference_data
from dutyservice.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "DUTYSERVICE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("DUTYSERVICE_REQUIRE_POSTGRES") == "1"

# Reference data is seeded once; everything else is emptied before each test.
REFERENCE_TABLES = {"forces", "duty_types", "nos_units", "role_profiles", "role_profile_units"}


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


def create_postgres_database() -> str:
    """A fresh, empty database for this run, so that migrations start from nothing."""
    name = f"dutyservice_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'dutyservice-test.db'}"


def migrate_and_seed(url: str) -> None:
    database = Database(url)
    upgrade(database)
    seed_reference_data(database)
    database.dispose()


def empty_tables(db: Database) -> None:
    from dutyservice.models import Base

    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            names = ", ".join(t.name for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
        # Back to the seeded reference data: default settings, profile 135 version 1 only.
        connection.execute(
            text("UPDATE forces SET monthly_minimum_hours = 16, ost_validity_months = 12")
        )
        added = "SELECT id FROM role_profiles WHERE NOT (mercury_ref = 135 AND version = 1)"
        connection.execute(
            text(f"DELETE FROM role_profile_units WHERE role_profile_id IN ({added})")
        )
        connection.execute(text(f"DELETE FROM role_profiles WHERE id IN ({added})"))
    db.lookups.forget()
