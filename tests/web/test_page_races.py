"""A page's write that lost a race to another transaction is run again, as the API's are: the
officer sees it done, not refused (PostgreSQL, where writers do not wait for one another)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from dutyservice import db as db_module
from dutyservice.clock import london_today
from dutyservice.db import Database
from dutyservice.duties.models import Duty

from ..support.builders import Builder
from .pages import post, sign_in, token


@pytest.fixture
def changed_once_under_the_page(db: Database, postgres_only: None) -> Iterator[list[int]]:
    """Another transaction changes the duty (and commits) after the page's first run read it
    and before it writes: that first run lost the race. The ids changed, in order."""
    other = create_engine(db.url)
    changed: list[int] = []

    def change_it_first(session: Session, _context: Any, _instances: Any) -> None:
        duties = [o for o in session.dirty if isinstance(o, Duty)]
        if changed or not duties:
            return
        with other.begin() as connection:
            connection.execute(
                text("UPDATE duties SET version = version + 1 WHERE id = :id"),
                {"id": duties[0].id},
            )
        changed.append(duties[0].id)

    event.listen(Session, "before_flush", change_it_first)
    try:
        yield changed
    finally:
        event.remove(Session, "before_flush", change_it_first)
        other.dispose()


def _cancel_from_the_page(client: FlaskClient, db: Database, build: Builder) -> tuple[Duty, str]:
    officer = build.officer()
    day = london_today() + timedelta(days=7)
    duty = build.duty(officer, datetime(day.year, day.month, day.day, 18, tzinfo=UTC))
    sign_in(client, token(db, "special", officer=officer))
    answer = post(client, f"/app/duties/{duty.id}/cancel", {"officer_id": str(officer.id)})
    assert answer.status_code == 303
    return duty, client.get("/app/").get_data(as_text=True)


def _status(db: Database, duty_id: int) -> str:
    with db.reading() as session:
        stored = session.get(Duty, duty_id)
        assert stored is not None
        return stored.status


def test_a_cancellation_from_the_page_that_lost_a_race_is_run_again_and_done(
    client: FlaskClient, db: Database, build: Builder, changed_once_under_the_page: list[int]
) -> None:
    duty, page = _cancel_from_the_page(client, db, build)
    assert changed_once_under_the_page == [duty.id]  # the first run did lose the race
    assert "Cancelled the patrol duty." in page
    assert "Not cancelled" not in page
    assert _status(db, duty.id) == "cancelled"


def test_without_running_it_again_the_page_would_refuse_the_cancellation(
    client: FlaskClient,
    db: Database,
    build: Builder,
    changed_once_under_the_page: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The negative control: one attempt only, and the officer is told it was not done."""
    monkeypatch.setattr(db_module, "MAX_ATTEMPTS", 1)
    duty, page = _cancel_from_the_page(client, db, build)
    assert changed_once_under_the_page == [duty.id]
    assert "Not cancelled" in page
    assert _status(db, duty.id) == "booked"
