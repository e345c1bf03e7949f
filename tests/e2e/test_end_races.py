"""Thirty-two clients ending one live record at the same moment through the served app
(gunicorn): withdrawing one IPS grant, revoking one unit, an officer leaving. Exactly one is
answered 200, the rest 409 problem+json; one audit entry, and the date stored is the one the
winner was answered with.

The negative controls serve the same app with the ending write's condition switched off
(tests/e2e/unconditional.py): on PostgreSQL the race then lets several ends succeed.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import text

from dutyservice.db import Database
from dutyservice.duties.models import Officer

from ..support import databases
from ..support.builders import Builder
from .conftest import negative_control, served
from .test_races import AUDITED, CLIENTS, assert_race_shows_within_rounds

PROBLEM = "application/problem+json"
FIRST_DAY = date(2026, 2, 1)
Ending = Callable[[requests.Session, int], requests.Response]


def answers_at_once(ending: Ending) -> list[requests.Response]:
    barrier = threading.Barrier(CLIENTS)
    answers: list[requests.Response | None] = [None] * CLIENTS

    def client(index: int) -> None:
        with requests.Session() as http:
            barrier.wait()
            answers[index] = ending(http, index)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [answer for answer in answers if answer is not None]


def day(index: int) -> str:
    """Each client ends the record on a day of its own, so the stored day tells who won."""
    return (FIRST_DAY + timedelta(days=index)).isoformat()


def granted(build: Builder) -> Officer:
    return build.ips_officer(since=date(2025, 1, 6))


def withdrawal(server: str, build: Builder, officer: Officer) -> Ending:
    headers = build.headers("authoriser")
    return lambda http, i: http.post(
        f"{server}/api/v1/officers/{officer.id}/ips/withdraw",
        json={"withdrawn_on": day(i), "reason": f"reason {i}"},
        headers=headers,
        timeout=60,
    )


def revocation(server: str, build: Builder, officer: Officer) -> Ending:
    headers = build.headers("supervisor")
    return lambda http, i: http.post(
        f"{server}/api/v1/officers/{officer.id}/competencies/CD5/revoke",
        json={"revoked_on": day(i), "reason": f"reason {i}"},
        headers=headers,
        timeout=60,
    )


def leaving(server: str, build: Builder, officer: Officer) -> Ending:
    headers = build.headers("supervisor")
    return lambda http, i: http.post(
        f"{server}/api/v1/officers/{officer.id}/leave",
        json={"left_on": day(i)},
        headers=headers,
        timeout=60,
    )


def held(build: Builder) -> Officer:
    officer = build.officer()
    build.units(officer, date(2025, 1, 6), ("CD5",))
    return officer


def stored(db: Database, query: str, officer: Officer) -> list[Any]:
    with db.engine.connect() as connection:
        return list(connection.execute(text(query), {"id": officer.id}).scalars())


LEFT = "SELECT left_on FROM officers WHERE id = :id"
WITHDRAWN = "SELECT withdrawn_on FROM ips_grants WHERE officer_id = :id"
REVOKED = "SELECT revoked_on FROM competency_records WHERE officer_id = :id AND unit_code = 'CD5'"
AUDITED_FOR_OFFICER = (
    "SELECT count(*) FROM audit_entries WHERE action = :action AND officer_id = :id"
)
KINDS = {
    "withdrawing IPS": (granted, withdrawal, WITHDRAWN, "ips.withdraw", "withdrawn_on"),
    "revoking a unit": (held, revocation, REVOKED, "competency.revoke", "revoked_on"),
    "leaving": (Builder.officer, leaving, LEFT, "officer.leave", "left_on"),
}


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_thirty_two_simultaneous_ends_of_one_live_record_answer_one_200_and_31_409(
    app: Flask, server: str, build: Builder, db: Database, kind: Any
) -> None:
    subject, ending, query, action, field = kind
    officer = subject(build)

    answers = answers_at_once(ending(server, build, officer))

    assert Counter(a.status_code for a in answers) == Counter({200: 1, 409: CLIENTS - 1})
    assert all(a.headers["Content-Type"] == PROBLEM for a in answers if a.status_code == 409)
    (winner,) = (a.json() for a in answers if a.status_code == 200)
    assert [str(value) for value in stored(db, query, officer)] == [winner[field]]
    assert count(db, AUDITED, action=action, id=winner["id"]) == 1
    assert count(db, AUDITED_FOR_OFFICER, action=action, id=officer.id) == 1


def count(db: Database, query: str, **parameters: Any) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text(query), parameters).scalar_one())


# Negative controls ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unconditional(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Database]]:
    """The served app with unconditional ends, on a PostgreSQL database of its own."""
    if not database_url.startswith("postgresql"):
        pytest.skip("on SQLite every write transaction is serialised: there is no race to see")
    url = databases.create_postgres_database()
    db = Database(url)
    try:
        databases.migrate_and_seed(url)
        directory = tmp_path_factory.mktemp("unconditional")
        with served(url, directory, module="tests.e2e.unconditional") as base:
            yield base, db
    finally:
        db.dispose()
        databases.drop_postgres_database(url)


@negative_control
@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_without_the_condition_simultaneous_ends_of_one_record_both_succeed(
    unconditional: tuple[str, Database], kind: Any
) -> None:
    server, db = unconditional
    build = Builder(db)
    subject, ending, _query, action, _field = kind

    def race(officer: Officer) -> Counter[int]:
        return Counter(a.status_code for a in answers_at_once(ending(server, build, officer)))

    assert_race_shows_within_rounds(
        lambda: subject(build),
        race,
        lambda officer: count(db, AUDITED_FOR_OFFICER, action=action, id=officer.id) > 1,
    )
