"""Faults around the service: the database going away, a full disk, a feed that hangs."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, create_engine, event, text

from dutyservice import AppState, create_app
from dutyservice.clock import Quarter
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.npocc.delivery import deliver
from dutyservice.npocc.generation import generate_return

from ..support import bulk
from ..support.bodies import duty_body
from ..support.builders import Builder
from ..support.receiver import receiver


def stored_duties(db: Database) -> int:
    with db.engine.connect() as connection:
        count: int = connection.execute(text("SELECT count(*) FROM duties")).scalar_one()
        return count


def test_database_connection_killed_mid_write_answers_503_and_stores_nothing(
    app: Flask, client: FlaskClient, build: Builder, db: Database, postgres_only: None
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    body = duty_body(officer.id, "2026-03-01T18:00:00Z", "2026-03-01T22:00:00Z")
    killer = create_engine(db.url, isolation_level="AUTOCOMMIT")

    def kill_once_written(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        # The duty row is written in this transaction, not yet committed; the server goes away.
        if "INSERT INTO duties" in statement:
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None, "the statement ran on a live connection"
            pid = dbapi.info.backend_pid
            with killer.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    event.listen(db.engine, "after_cursor_execute", kill_once_written)
    try:
        response = client.post("/api/v1/duties", json=body, headers=headers)
    finally:
        event.remove(db.engine, "after_cursor_execute", kill_once_written)
        killer.dispose()
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.headers["Retry-After"]
    assert stored_duties(db) == 0  # the half-made transaction died with its connection
    retry = client.post("/api/v1/duties", json=body, headers=headers)
    assert retry.status_code == 201
    assert stored_duties(db) == 1


def test_no_database_at_all_answers_503_not_500(tmp_path: Path) -> None:
    app = create_app(
        Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", export_dir=tmp_path)
    )
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    response = client.get("/api/v1/forces", headers={"Authorization": "Bearer dsk_" + "x" * 43})
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert "psycopg" not in response.get_data(as_text=True)
    app.extensions["dutyservice"].db.dispose()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)], capture_output=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_export_directory_makes_nothing_and_says_so(
    app: Flask, client: FlaskClient, build: Builder, db: Database, tiny_disk: Path
) -> None:
    bulk.ips_officers(db, "cambridgeshire", 400)  # a CSV of about 120 KB: more than the disk
    state = app.extensions["dutyservice"]
    original = state.settings
    state.settings = original.replace(export_dir=tiny_disk)
    try:
        response = client.post(
            "/api/v1/npocc/returns",
            headers=build.headers("admin"),
            json={"quarter": "2025-Q3", "force": "cambridgeshire"},
        )
    finally:
        state.settings = original
    assert response.status_code == 503
    assert "No space left" in response.get_json()["detail"]
    assert list(tiny_disk.iterdir()) == []
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM npocc_returns")).scalar() == 0


def test_a_feed_endpoint_that_hangs_leaves_the_return_pending_in_bounded_time(
    db: Database, build: Builder, settings_for_faults: Settings
) -> None:
    build.ips_officer(since=date(2025, 1, 6))
    record = generate_return(
        db, settings_for_faults.export_dir, "cambridgeshire", Quarter(2025, 3), 135, 1
    ).record
    with receiver([("sleep", 10.0)] * 10) as feed:
        started = time.monotonic()
        result = deliver(db, settings_for_faults.replace(npocc_feed_url=feed.url), record.id)
        elapsed = time.monotonic() - started
    assert result.status == "pending"
    assert "Timeout" in (result.last_error or "")
    assert elapsed < 5  # three attempts of half a second each, and short back-off
    assert result.delivered_at is None


@pytest.fixture
def settings_for_faults(app: Flask, tmp_path: Path) -> Settings:
    state: AppState = app.extensions["dutyservice"]
    return state.settings.replace(
        export_dir=tmp_path / "exports",
        npocc_feed_timeout=0.5,
        npocc_retries=2,
        npocc_retry_backoff=0.01,
    )
