"""Never more sign-ups than places, however many arrive at once (API.md "Events")."""

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import text

from dutyservice.db import Database
from dutyservice.events import service
from dutyservice.events.models import Event, EventSignup

from ..support.builders import ADMIN, Builder

PLACES, VOLUNTEERS = 5, 40


def festival(db: Database, capacity: int = PLACES) -> Event:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    return service.create_event(
        db,
        ADMIN,
        {
            "force": "cambridgeshire",
            "title": "Festival",
            "description": "",
            "location": "Ely",
            "starts_at": start,
            "ends_at": start + timedelta(hours=6),
            "duty_type": "event",
            "capacity": capacity,
            "signup_deadline": start - timedelta(days=1),
            "open_to": "force",
        },
    )


def live_signups(db: Database, event: Event) -> int:
    with db.engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*) FROM event_signups s JOIN duties d ON d.id = s.duty_id "
                "WHERE s.event_id = :id AND d.status <> 'cancelled'"
            ),
            {"id": event.id},
        ).scalar_one()


def test_forty_simultaneous_sign_ups_for_five_places_store_exactly_five(
    app: Flask, server: str, build: Builder, db: Database
) -> None:
    event = festival(db)
    officers = [build.officer() for _ in range(VOLUNTEERS)]
    headers = build.headers("supervisor")
    barrier = threading.Barrier(VOLUNTEERS)
    statuses = [0] * VOLUNTEERS

    def sign_up(index: int) -> None:
        with requests.Session() as http:
            barrier.wait()
            statuses[index] = http.post(
                f"{server}/api/v1/events/{event.id}/signups",
                json={"officer_id": officers[index].id},
                headers=headers,
                timeout=60,
            ).status_code

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(VOLUNTEERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] * PLACES + [409] * (VOLUNTEERS - PLACES)
    signups = live_signups(db, event)
    with db.engine.connect() as connection:
        duties = connection.execute(
            text("SELECT count(*) FROM duties WHERE event_id = :id AND status = 'booked'"),
            {"id": event.id},
        ).scalar()
    assert (signups, duties) == (PLACES, PLACES)


def test_without_the_event_lock_simultaneous_sign_ups_overfill_the_event(
    app: Flask, build: Builder, db: Database, postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control: the same sign-ups, with no wait on the event's row and every
    sign-up's statement (which counts the places left, then takes one) run before any commits,
    store more than there are places. So the test above, whose only guard is that wait, would
    see it fail."""
    event = festival(db)
    officers = [build.officer() for _ in range(PLACES + 1)]
    written = threading.Barrier(len(officers), timeout=60)
    insert_signup = service._insert_signup

    def insert_then_wait(*args: Any) -> EventSignup:
        signup = insert_signup(*args)
        written.wait()
        return signup

    monkeypatch.setattr(service, "_queue_on_event", lambda session, event_id: None)
    monkeypatch.setattr(service, "_insert_signup", insert_then_wait)
    failures: list[BaseException] = []

    def sign_up(officer_id: int) -> None:
        try:
            service.sign_up(db, ADMIN, event.id, officer_id)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=sign_up, args=(o.id,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert live_signups(db, event) == PLACES + 1 > event.capacity
