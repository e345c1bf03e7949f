"""A queued request for returns is taken by one worker however many meet on it; one whose
worker died is taken over; a worker stopped while making it gives it back."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from dutyservice.auth.scope import Principal, Role
from dutyservice.clock import Quarter, utc_now
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.npocc import requests
from dutyservice.npocc.models import NpoccReturn, ReturnRequest

from ..support.builders import Builder

ADMIN = Principal(token_id=None, role=Role.ADMIN)
Q3 = Quarter(2025, 3)


def queued(db: Database, settings: Settings, force: str | None = "cambridgeshire") -> int:
    request, new = requests.ask(db, settings, ADMIN, Q3, force)
    assert new
    return request.id


def race_two_workers(db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> int:
    """Two workers that have both read the request as waiting, then both claim it: how many
    went on to make its returns."""
    barrier = threading.Barrier(2, timeout=10)
    claim = requests._claim

    def claim_together(*args: object) -> bool:
        barrier.wait()
        return claim(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(requests, "_claim", claim_together)
    ran: list[int] = []

    def worker() -> None:
        request = requests.run_next(db, settings)
        if request is not None:
            ran.append(request.id)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return len(ran)


def test_two_workers_that_read_the_request_together_make_it_once(
    db: Database,
    build: Builder,
    settings: Settings,
    postgres_only: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build.ips_officer(since=date(2025, 1, 6))
    request_id = queued(db, settings)
    assert race_two_workers(db, settings, monkeypatch) == 1
    with db.reading() as session:
        assert session.get_one(ReturnRequest, request_id).state == requests.DONE
        assert session.scalar(select(func.count()).select_from(NpoccReturn)) == 1


def test_without_the_conditional_claim_both_workers_make_the_request(
    db: Database,
    build: Builder,
    settings: Settings,
    postgres_only: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The negative control: the harness sees the race when the claim's condition is gone."""
    from sqlalchemy import true

    monkeypatch.setattr(requests, "claimable", lambda _now: true())
    build.ips_officer(since=date(2025, 1, 6))
    queued(db, settings)
    assert race_two_workers(db, settings, monkeypatch) == 2


def test_a_request_whose_worker_died_is_taken_over_after_an_hour(
    db: Database, build: Builder, settings: Settings
) -> None:
    build.ips_officer(since=date(2025, 1, 6))
    request_id = queued(db, settings)
    with db.transaction() as session:
        session.execute(
            update(ReturnRequest).values(
                state=requests.RUNNING,
                claimed_by="gone:1",
                started_at=utc_now() - timedelta(minutes=50),
            )
        )
    assert requests.run_queued(db, settings) == []  # its worker may still be making it
    with db.transaction() as session:
        session.execute(
            update(ReturnRequest).values(
                started_at=utc_now() - requests.STALE_CLAIM - timedelta(minutes=1)
            )
        )
    [done] = requests.run_queued(db, settings)
    assert (done.id, done.state, len(done.made or [])) == (request_id, requests.DONE, 1)


def test_a_worker_stopped_while_making_the_returns_queues_the_request_again(
    db: Database, build: Builder, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build.ips_officer(since=date(2025, 1, 6))
    request_id = queued(db, settings)

    def stopped(*_args: object, **_kwargs: object) -> None:
        raise SystemExit(143)  # SIGTERM, as the scheduler turns it

    monkeypatch.setattr(requests, "make_quarter_returns", stopped)
    with pytest.raises(SystemExit):
        requests.run_queued(db, settings)
    with db.reading() as session:
        request = session.get_one(ReturnRequest, request_id)
        assert (request.state, request.claimed_by) == (requests.QUEUED, None)
    monkeypatch.undo()
    [done] = requests.run_queued(db, settings)
    assert done.state == requests.DONE
