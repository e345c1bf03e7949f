"""API.md "Running it for a force": a deployment serving one force from its go-live quarter,
and returns that are `filed` where no feed is configured."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dutyservice import AppState
from dutyservice.clock import Quarter
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.notify.service import queue_due
from dutyservice.npocc.models import NpoccReturn, QuarterRun
from dutyservice.npocc.schedule import run_due
from dutyservice.outbox import Notification

from ..support.builders import Builder
from ..web.pages import sign_in, token

CAMBS = "cambridgeshire"


@pytest.fixture
def served(app: Flask, settings: Settings) -> Iterator[Settings]:
    """The app as a deployment for Cambridgeshire alone, live from 2025-Q3, with no feed."""
    state: AppState = app.extensions["dutyservice"]
    before = state.settings
    state.settings = settings.replace(forces=(CAMBS,), returns_from=Quarter(2025, 3))
    yield state.settings
    state.settings = before


def returns_of(db: Database) -> list[tuple[str, str, str]]:
    with db.reading() as session:
        rows = session.scalars(select(NpoccReturn).order_by(NpoccReturn.id))
        return [(r.force.code, r.quarter, r.status) for r in rows]


def test_the_first_scheduler_start_on_an_empty_database_makes_no_return(
    db: Database, settings: Settings
) -> None:
    assert run_due(db, settings, datetime(2025, 10, 3, 9, tzinfo=UTC)) == []
    assert returns_of(db) == []
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(QuarterRun)) == 0


def test_the_scheduler_makes_returns_for_the_served_forces_only_and_files_them(
    db: Database, build: Builder, served: Settings
) -> None:
    build.ips_officer(since=date(2025, 1, 6))
    build.ips_officer("norfolk", since=date(2025, 1, 6))
    [result] = run_due(db, served, datetime(2025, 10, 3, 9, tzinfo=UTC))
    assert (str(result.quarter), result.made) == ("2025-Q3", 1)
    assert returns_of(db) == [(CAMBS, "2025-Q3", "filed")]


def test_no_return_is_made_for_a_quarter_before_the_go_live_quarter(
    db: Database, build: Builder, served: Settings, client: FlaskClient
) -> None:
    build.ips_officer(since=date(2025, 1, 6))
    assert run_due(db, served, datetime(2025, 7, 3, 9, tzinfo=UTC)) == []  # 2025-Q2 is due
    answer = client.post(
        "/api/v1/npocc/returns", json={"quarter": "2025-Q2"}, headers=build.headers("admin")
    )
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["quarter"] == ["returns are made from 2025-Q3 on"]
    assert returns_of(db) == []


def test_a_return_officer_or_token_of_another_force_is_refused_and_nothing_is_stored(
    db: Database, build: Builder, served: Settings, client: FlaskClient
) -> None:
    from dutyservice.auth.service import create_token
    from dutyservice.errors import Invalid

    admin = build.headers("admin")
    answer = client.post(
        "/api/v1/npocc/returns", json={"quarter": "2025-Q3", "force": "norfolk"}, headers=admin
    )
    assert answer.status_code == 422
    assert "norfolk" in answer.get_json()["errors"]["force"][0]
    officer = {
        "force": "norfolk",
        "warrant_number": "N1",
        "surname": "Reed",
        "forenames": "Sam",
        "rank": "SC",
        "base_location": "Norwich",
        "joined_on": "2024-01-01",
    }
    answer = client.post("/api/v1/officers", json=officer, headers=admin)
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert (
        client.post("/api/v1/officers", json=officer | {"force": CAMBS}, headers=admin).status_code
        == 201
    )
    with pytest.raises(Invalid):
        create_token(db, role="supervisor", force_code="norfolk", served=served.forces)
    with db.reading() as session:
        assert session.scalars(select(Officer.warrant_number)).all() == ["N1"]
    assert returns_of(db) == []


def test_a_filed_return_never_nags_is_not_pending_and_cannot_be_sent_again(
    db: Database, build: Builder, served: Settings, client: FlaskClient
) -> None:
    build.ips_officer(since=date(2025, 1, 6))
    admin = build.headers("admin")
    made = client.post("/api/v1/npocc/returns", json={"quarter": "2025-Q3"}, headers=admin)
    [record] = made.get_json()["items"]
    assert (record["force"], record["status"]) == (CAMBS, "filed")
    a_week_later = datetime.fromisoformat(record["generated_at"]) + timedelta(days=7)
    mailing = replace(served, admin_email="admin@force.example")
    assert queue_due(db, mailing, a_week_later).returns == 0
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == 0
    again = client.post(f"/api/v1/npocc/returns/{record['id']}/deliver", headers=admin)
    assert again.status_code == 409
    client.application.secret_key = client.application.secret_key or "a key for this test only"
    sign_in(client, token(db, "admin"))
    page = client.get("/app/returns?quarter=2025-Q3").get_data(as_text=True)
    assert record["return_id"] in page
    assert "Filed" in page
    assert f"Send {record['return_id']} again" not in page
