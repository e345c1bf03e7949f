"""Mutual aid under concurrency: thirty-two clients against the served app answer, withdraw
and sign up at the same moment; every transition is a conditional write on the duty's status,
so that of two changes from one state exactly one is made. The negative controls run the same
use cases with the condition taken away, and see both made."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import ScalarResult, text

from dutyservice.db import Database
from dutyservice.duties import service as duties
from dutyservice.duties.models import Officer
from dutyservice.errors import Conflict, NotFound
from dutyservice.events import aid, service
from dutyservice.events.models import Event
from dutyservice.ips import serving

from ..support.builders import ADMIN, Builder
from .test_races import CLIENTS, all_at_once, count

HOME = "norfolk"
AUDITED = "SELECT count(*) FROM audit_entries WHERE action = :action AND resource_id = :id"
QUEUED = "SELECT count(*) FROM notifications WHERE kind = :kind AND subject = :subject"


def callout(db: Database, capacity: int = 3, deadline_in: timedelta = timedelta(days=20)) -> Event:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    return service.create_event(
        db,
        ADMIN,
        {
            "force": "cambridgeshire",
            "title": "Call-out",
            "description": "",
            "location": "",
            "starts_at": start,
            "ends_at": start + timedelta(hours=6),
            "duty_type": "event",
            "capacity": capacity,
            "signup_deadline": start - (timedelta(days=30) - deadline_in),
            "open_to": "national",
        },
    )


def requested(db: Database, build: Builder, event: Event) -> tuple[Officer, int]:
    """A Norfolk officer's request to the event, with an address to be told at."""
    officer = build.officer(HOME)
    serving.update_officer(
        db, ADMIN, officer.id, duties.Edit({"email": f"o{officer.id}@norfolk.example"})
    )
    signup = service.sign_up(db, ADMIN, event.id, officer.id)
    assert signup.status == "requested"
    return officer, signup.id


def duty_status(db: Database, event: Event, officer: Officer) -> str:
    with db.engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT status FROM duties WHERE event_id = :e AND officer_id = :o"),
                {"e": event.id, "o": officer.id},
            ).scalar_one()
        )


def test_thirty_two_releases_and_declines_of_one_request_make_exactly_one_answer(
    app: Flask, server: str, build: Builder, db: Database
) -> None:
    event = callout(db)
    officer, signup_id = requested(db, build, event)
    headers = build.headers("supervisor", HOME)
    url = f"{server}/api/v1/events/{event.id}/signups/{officer.id}"
    statuses = all_at_once(
        server,
        lambda http, i: (
            http.post(f"{url}/release", headers=headers, timeout=60)
            if i % 2
            else http.post(f"{url}/decline", json={"reason": "rota"}, headers=headers, timeout=60)
        ),
    )
    assert statuses[200] == 1
    assert set(statuses) <= {200, 404, 409}  # 404: declined, nothing holds a place any more
    released = count(db, AUDITED, action="event.released", id=event.id)
    declined = count(db, AUDITED, action="event.declined", id=event.id)
    assert released + declined == 1
    outcome = duty_status(db, event, officer)
    assert outcome == ("booked" if released else "cancelled")
    told = "released" if released else "declined"
    assert count(db, QUEUED, kind=told, subject=f"signup:{signup_id}") == 1


def test_a_withdrawal_racing_releases_is_one_outcome_or_a_sequence_never_both_at_once(
    app: Flask, server: str, build: Builder, db: Database
) -> None:
    """Each change is conditional on the state it read: a withdrawal that read `requested`
    and a release that read `requested` cannot both be made. A withdrawal that reads the
    release's result withdraws a confirmed place: a sequence, which the trail shows in order."""
    event = callout(db)
    officer, _ = requested(db, build, event)
    answerer = build.headers("supervisor", HOME)
    me = build.headers("special", officer=officer)
    url = f"{server}/api/v1/events/{event.id}/signups/{officer.id}"
    statuses = all_at_once(
        server,
        lambda http, i: (
            http.post(f"{url}/release", headers=answerer, timeout=60)
            if i % 2
            else http.delete(url, headers=me, timeout=60)
        ),
    )
    assert set(statuses) <= {200, 404, 409}
    released = count(db, AUDITED, action="event.released", id=event.id)
    withdrawn = count(db, AUDITED, action="event.withdraw", id=event.id)
    assert released <= 1
    assert withdrawn <= 1
    assert statuses[200] == released + withdrawn >= 1
    assert duty_status(db, event, officer) == ("cancelled" if withdrawn else "booked")
    if released and withdrawn:
        with db.engine.connect() as connection:
            order: ScalarResult[str] = connection.execute(
                text(
                    "SELECT action FROM audit_entries WHERE resource_id = :id "
                    "AND action IN ('event.released', 'event.withdraw') ORDER BY id"
                ),
                {"id": event.id},
            ).scalars()
            assert list(order) == ["event.released", "event.withdraw"]


def test_thirty_two_sign_ups_for_the_last_place_beside_requested_ones_take_exactly_one(
    app: Flask, server: str, build: Builder, db: Database
) -> None:
    event = callout(db, capacity=3)
    requested(db, build, event)
    requested(db, build, event)
    volunteers = [build.officer("suffolk") for _ in range(CLIENTS)]
    headers = build.headers("admin")
    statuses = all_at_once(
        server,
        lambda http, i: http.post(
            f"{server}/api/v1/events/{event.id}/signups",
            json={"officer_id": volunteers[i].id},
            headers=headers,
            timeout=60,
        ),
    )
    assert statuses == Counter({201: 1, 409: CLIENTS - 1})
    held = "SELECT count(*) FROM duties WHERE event_id = :id AND status <> 'cancelled'"
    assert count(db, held, id=event.id) == 3


def _race_answers(db: Database, event: Event, officer: Officer) -> list[object]:
    """A release and a decline, each waiting once both have read the request."""
    read_both = threading.Barrier(2, timeout=30)
    request_of = aid._request_of

    def read_then_wait(*args: Any) -> Any:
        found = request_of(*args)
        read_both.wait()
        return found

    outcomes: list[object] = []
    calls: list[Callable[[], object]] = [
        lambda: aid.release(db, ADMIN, event.id, officer.id),
        lambda: aid.decline(db, ADMIN, event.id, officer.id, "rota"),
    ]

    def run(call: Callable[[], object]) -> None:
        try:
            outcomes.append(call())
        except (Conflict, NotFound) as refused:
            outcomes.append(refused)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aid, "_request_of", read_then_wait)
        threads = [threading.Thread(target=run, args=(c,)) for c in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return outcomes


def test_a_release_and_a_decline_that_both_read_the_request_make_one_answer(
    build: Builder, db: Database, postgres_only: None
) -> None:
    event = callout(db)
    officer, _ = requested(db, build, event)
    outcomes = _race_answers(db, event, officer)
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    answers = count(
        db,
        "SELECT count(*) FROM audit_entries WHERE resource_id = :id "
        "AND action IN ('event.released', 'event.declined')",
        id=event.id,
    )
    assert answers == 1


def _unconditional(session: Any, duty_id: int, was: Any, becomes: Any, now: datetime) -> bool:
    session.execute(
        text("UPDATE duties SET status = :s, updated_at = :n WHERE id = :id"),
        {"s": becomes.value, "n": now, "id": duty_id},
    )
    return True


def test_without_the_condition_a_release_and_a_decline_both_answer(
    build: Builder, db: Database, postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control: the same race with the state taken out of the write."""
    event = callout(db)
    officer, _ = requested(db, build, event)
    monkeypatch.setattr(aid, "change_status", _unconditional)
    outcomes = _race_answers(db, event, officer)
    assert not any(isinstance(o, Conflict) for o in outcomes)
    assert count(db, AUDITED, action="event.released", id=event.id) == 1
    assert count(db, AUDITED, action="event.declined", id=event.id) == 1


def _lapse_twice_at_once(
    db: Database, now: datetime, change: Callable[..., bool] = duties.change_status
) -> list[int]:
    """Two scheduler runs, each waiting at its first write (`change`: the duty's conditional
    change of status unless given another) until both have read what is due."""
    read_both = threading.Barrier(2, timeout=30)
    waited = threading.local()

    def wait_then_change(*args: Any) -> bool:
        if not getattr(waited, "done", False):
            waited.done = True
            read_both.wait()
        return change(*args)

    lapsed: list[int] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aid, "change_status", wait_then_change)
        threads = [
            threading.Thread(target=lambda: lapsed.append(aid.lapse_due(db, now))) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return lapsed


def test_the_lapse_run_twice_at_once_lapses_each_request_once(
    build: Builder, db: Database, postgres_only: None
) -> None:
    event = callout(db, deadline_in=timedelta(days=5))
    signups = [requested(db, build, event)[1] for _ in range(3)]
    after = event.signup_deadline + timedelta(minutes=1)
    assert sorted(_lapse_twice_at_once(db, after)) == [0, 3]
    assert count(db, AUDITED, action="event.lapse", id=event.id) == 3
    for signup_id in signups:
        assert count(db, QUEUED, kind="lapsed", subject=f"signup:{signup_id}") == 1


def test_without_the_condition_two_lapse_runs_both_lapse_every_request(
    build: Builder, db: Database, postgres_only: None
) -> None:
    """The negative control: each run believes it lapsed them all; the trail says so twice."""
    event = callout(db, deadline_in=timedelta(days=5))
    for _ in range(3):
        requested(db, build, event)
    after = event.signup_deadline + timedelta(minutes=1)
    assert _lapse_twice_at_once(db, after, _unconditional) == [3, 3]
    assert count(db, AUDITED, action="event.lapse", id=event.id) == 6
