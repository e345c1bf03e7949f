"""Two requests at the same moment must not both book overlapping duties (API.md "Duties")."""

import threading
from datetime import UTC, datetime, timedelta

import requests
from flask import Flask
from sqlalchemy import text

from dutyservice.db import Database

from ..support.builders import Builder

CLIENTS = 16


def book_all_at_once(
    server: str | list[str], headers: dict[str, str], bodies: list[dict]
) -> list[int]:
    """Post every body at the same moment, each from its own client (to one server or, given a
    list, body i to server i)."""
    servers = [server] * len(bodies) if isinstance(server, str) else server
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = [0] * len(bodies)

    def book(index: int) -> None:
        with requests.Session() as http:
            barrier.wait()
            statuses[index] = http.post(
                f"{servers[index]}/api/v1/duties", json=bodies[index], headers=headers, timeout=30
            ).status_code

    threads = [threading.Thread(target=book, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_simultaneous_overlapping_bookings_store_exactly_one(
    app: Flask, server: str, build: Builder, db: Database
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    start = datetime(2026, 12, 31, 20, tzinfo=UTC)
    # Sixteen different bookings, each overlapping all the others by at least an hour.
    bodies = [
        {
            "officer_id": officer.id,
            "duty_type": "patrol",
            "starts_at": (start + timedelta(minutes=5 * i)).isoformat(),
            "ends_at": (start + timedelta(hours=3, minutes=5 * i)).isoformat(),
        }
        for i in range(CLIENTS)
    ]
    statuses = book_all_at_once(server, headers, bodies)
    assert sorted(statuses) == [201] + [409] * (CLIENTS - 1)
    with db.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT count(*) FROM duties WHERE officer_id = :id AND status <> 'cancelled'"),
            {"id": officer.id},
        ).scalar()
        # The invariant itself, checked in SQL: no two live duties of the officer overlap.
        overlapping = connection.execute(
            text(
                "SELECT count(*) FROM duties a JOIN duties b ON a.officer_id = b.officer_id "
                "AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
                "WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
            )
        ).scalar()
    assert (stored, overlapping) == (1, 0)


def test_simultaneous_bookings_for_different_officers_all_succeed(
    app: Flask, server: str, build: Builder
) -> None:
    officers = [build.officer() for _ in range(8)]
    headers = build.headers("supervisor")
    bodies = [
        {
            "officer_id": o.id,
            "duty_type": "patrol",
            "starts_at": "2026-12-31T20:00:00Z",
            "ends_at": "2026-12-31T23:00:00Z",
        }
        for o in officers
    ]
    assert book_all_at_once(server, headers, bodies) == [201] * len(officers)
