"""Two requests at the same moment must not both book overlapping duties (API.md "Duties")."""

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from flask import Flask
from sqlalchemy import text

from dutyservice.db import Database

from ..support.bodies import duty_body
from ..support.builders import Builder

CLIENTS = 16


def book_all_at_once(
    server: str | list[str], headers: dict[str, str], bodies: list[dict[str, Any]]
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


def overlapping_bodies(officer_id: int) -> list[dict[str, Any]]:
    """Sixteen different bookings, each overlapping all the others by at least an hour."""
    start = datetime(2026, 12, 31, 20, tzinfo=UTC)
    return [
        duty_body(
            officer_id,
            start + timedelta(minutes=5 * i),
            start + timedelta(hours=3, minutes=5 * i),
        )
        for i in range(CLIENTS)
    ]


def stored_and_overlapping(db: Database, officer_id: int) -> tuple[int, int]:
    with db.engine.connect() as connection:
        stored: int = connection.execute(
            text("SELECT count(*) FROM duties WHERE officer_id = :id AND status <> 'cancelled'"),
            {"id": officer_id},
        ).scalar_one()
        # The invariant itself, checked in SQL: no two live duties of the officer overlap.
        overlapping: int = connection.execute(
            text(
                "SELECT count(*) FROM duties a JOIN duties b ON a.officer_id = b.officer_id "
                "AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
                "WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
            )
        ).scalar_one()
    return stored, overlapping


def test_simultaneous_overlapping_bookings_store_exactly_one(
    app: Flask, server: str, build: Builder, db: Database
) -> None:
    officer = build.officer()
    statuses = book_all_at_once(server, build.headers("supervisor"), overlapping_bodies(officer.id))
    assert sorted(statuses) == [201] + [409] * (CLIENTS - 1)
    assert stored_and_overlapping(db, officer.id) == (1, 0)


def test_without_the_exclusion_constraint_simultaneous_bookings_overlap(
    app: Flask, server: str, build: Builder, db: Database, postgres_only: None
) -> None:
    """The negative control: on PostgreSQL the exclusion constraint is the only guard, so
    without it the same simultaneous bookings are all stored, and the check above sees it."""
    officer = build.officer()
    headers = build.headers("supervisor")
    with db.engine.begin() as connection:
        definition: str = connection.execute(
            text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conname = 'ex_duties_no_overlap'"
            )
        ).scalar_one()
        connection.execute(text("ALTER TABLE duties DROP CONSTRAINT ex_duties_no_overlap"))
    try:
        statuses = book_all_at_once(server, headers, overlapping_bodies(officer.id))
        stored, overlapping = stored_and_overlapping(db, officer.id)
    finally:
        with db.engine.begin() as connection:
            # The stored overlaps go before the constraint comes back (it checks existing rows).
            connection.execute(
                text("DELETE FROM duties WHERE officer_id = :id"), {"id": officer.id}
            )
            connection.execute(
                text(f"ALTER TABLE duties ADD CONSTRAINT ex_duties_no_overlap {definition}")
            )
    assert statuses == [201] * CLIENTS
    assert (stored, overlapping) == (CLIENTS, CLIENTS * (CLIENTS - 1) // 2)


def test_simultaneous_bookings_for_different_officers_all_succeed(
    app: Flask, server: str, build: Builder
) -> None:
    officers = [build.officer() for _ in range(8)]
    headers = build.headers("supervisor")
    bodies = [duty_body(o.id, "2026-12-31T20:00:00Z", "2026-12-31T23:00:00Z") for o in officers]
    assert book_all_at_once(server, headers, bodies) == [201] * len(officers)
