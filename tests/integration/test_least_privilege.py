"""docs/deploy.md "The database and its roles": a role that owns the schema migrates; the
service runs as a role that reads and writes rows and can do nothing else: no DDL, no other
database. `serve`'s requests and the scheduler's jobs work under it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from dutyservice import create_app
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.fixtures import seed_reference_data
from dutyservice.migrate import upgrade
from dutyservice.notify.service import run_outbox
from dutyservice.npocc.schedule import run_due

from ..support import databases
from ..support.builders import Builder

pytestmark = pytest.mark.postgres_only


def admin(sql: str, database: str | None = None) -> None:
    """As the cluster's administrator (the test server's superuser)."""
    url = make_url(databases.POSTGRES_URL)
    engine = create_engine(url.set(database=database or url.database), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in sql.strip().split(";\n"):
            connection.execute(text(statement))
    engine.dispose()


@dataclass
class Roles:
    database: str
    owner_url: str
    app_url: str
    neighbour: str


@pytest.fixture
def roles(postgres_only: None) -> Iterator[Roles]:
    """The roles and database as docs/deploy.md makes them, with names of this test's own."""
    tag = uuid.uuid4().hex[:8]
    owner, app, name, neighbour = (f"ds_owner_{tag}", f"ds_app_{tag}", f"ds_{tag}", f"other_{tag}")
    admin(
        f"""CREATE ROLE {owner} LOGIN PASSWORD 'owner-pw';
CREATE ROLE {app} LOGIN PASSWORD 'app-pw';
CREATE DATABASE {name} OWNER {owner};
REVOKE ALL ON DATABASE {name} FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE {name} TO {app};
CREATE DATABASE {neighbour};
REVOKE ALL ON DATABASE {neighbour} FROM PUBLIC"""
    )
    admin(
        f"""REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO {owner};
GRANT USAGE ON SCHEMA public TO {app};
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO {app}""",
        database=name,
    )
    base = make_url(databases.POSTGRES_URL).set(database=name, host="127.0.0.1")
    urls = [
        base.set(username=user, password=pw).render_as_string(hide_password=False)
        for user, pw in ((owner, "owner-pw"), (app, "app-pw"))
    ]
    try:
        yield Roles(name, urls[0], urls[1], neighbour)
    finally:
        for database in (name, neighbour):
            admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin(f"DROP ROLE IF EXISTS {app};\nDROP ROLE IF EXISTS {owner}")


def test_the_service_role_reads_and_writes_rows_but_changes_no_schema_and_no_other_database(
    roles: Roles,
) -> None:
    owner = Database(roles.owner_url)
    upgrade(owner)
    seed_reference_data(owner)
    owner.dispose()

    service = Database(roles.app_url)
    try:
        for ddl in (
            "CREATE TABLE intruder (id int)",
            "DROP TABLE officers",
            "ALTER TABLE officers ADD COLUMN x int",
        ):
            with service.engine.connect() as connection, pytest.raises(ProgrammingError):
                connection.execute(text(ddl))
        other = make_url(roles.app_url).set(database=roles.neighbour)
        engine = create_engine(other)
        with pytest.raises(OperationalError, match="permission denied"):
            engine.connect()
        engine.dispose()
    finally:
        service.dispose()


def test_serve_and_the_scheduler_do_their_work_as_the_service_role(
    roles: Roles, tmp_path: Path
) -> None:
    owner = Database(roles.owner_url)
    upgrade(owner)
    seed_reference_data(owner)
    owner.dispose()
    settings = Settings(
        database_url=roles.app_url,
        export_dir=tmp_path / "exports",
        forces=("cambridgeshire",),
    )
    app: Flask = create_app(settings)
    db: Database = app.extensions["dutyservice"].db
    try:
        build = Builder(db)
        officer = build.ips_officer(since=date(2025, 1, 6))
        client = app.test_client()
        supervisor = build.headers("supervisor")
        booked = client.post(
            "/api/v1/duties",
            json={
                "officer_id": officer.id,
                "duty_type": "patrol",
                "starts_at": "2025-09-02T18:00:00Z",
                "ends_at": "2025-09-03T00:00:00Z",
            },
            headers=supervisor,
        )
        assert booked.status_code == 201, booked.get_json()
        [made] = run_due(db, settings, datetime(2025, 10, 3, 9, tzinfo=UTC))
        assert made.made == 1
        run_outbox(db, settings)
        admin_headers = build.headers("admin")
        assert client.get("/metrics", headers=admin_headers).status_code == 200
        assert client.get("/readyz").status_code == 200
        from dutyservice.backup import backup

        backup(roles.app_url, tmp_path / "nightly.dump")  # the service's role takes the backup
        assert (tmp_path / "nightly.dump").stat().st_size > 0
    finally:
        db.dispose()
