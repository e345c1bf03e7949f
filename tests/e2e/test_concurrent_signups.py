"""Never more sign-ups than places, however many arrive at once (API.md "Events")."""

import threading
from datetime import UTC, datetime, timedelta

import requests
from flask import Flask
from sqlalchemy import text

from dutyservice.db import Database
from dutyservice.events import service

from ..support.builders import ADMIN, Builder

PLACES, VOLUNTEERS = 5, 40


def test_forty_simultaneous_sign_ups_for_five_places_store_exactly_five(
    app: Flask, server: str, build: Builder, db: Database
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    event = service.create_event(
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
            "capacity": PLACES,
            "signup_deadline": start - timedelta(days=1),
            "open_to": "force",
        },
    )
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
    with db.engine.connect() as connection:
        signups = connection.execute(
            text(
                "SELECT count(*) FROM event_signups WHERE event_id = :id AND withdrawn_at IS NULL"
            ),
            {"id": event.id},
        ).scalar()
        duties = connection.execute(
            text("SELECT count(*) FROM duties WHERE event_id = :id AND status = 'booked'"),
            {"id": event.id},
        ).scalar()
    assert (signups, duties) == (PLACES, PLACES)
