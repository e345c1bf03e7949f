"""A queued request for returns is taken by one worker however many meet on it; one whose
worker died is taken over; a worker stopped while making it gives it back."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from dutyservice.auth.scope import Principal, Role
from dutyservice.clock import Quarter, utc_now
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.npocc import requests
from dutyservice.npocc.models import ReturnRequest

from ..support.builders import Builder

ADMIN = Principal(token_id=None, role=Role.ADMIN)
Q3 = Quarter(2025, 3)


@pytest.fixture
def waiting(db: Database, build: Builder, settings: Settings) -> int:
    """A request for Cambridgeshire's 2025-Q3 returns, queued, with an officer to report."""
    build.ips_officer(since=date(2025, 1, 6))
    request, new = requests.ask(db, settings, ADMIN, Q3, "cambridgeshire")
    assert new
    return request.id


def claims_won_by_two_workers_at_once(db: Database, request_id: int) -> int:
    """Two workers, each having found the request waiting, claim it at the same moment."""
    start = threading.Barrier(2, timeout=10)

    def claim(worker: int) -> bool:
        start.wait()
        return requests._claim(db, request_id, f"worker {worker}", utc_now())

    with ThreadPoolExecutor(2) as pool:
        return sum(pool.map(claim, range(2)))


def test_of_two_workers_claiming_a_request_at_once_one_takes_it(
    db: Database, waiting: int, postgres_only: None
) -> None:
    assert claims_won_by_two_workers_at_once(db, waiting) == 1
    with db.reading() as session:
        assert session.get_one(ReturnRequest, waiting).state == requests.RUNNING


def test_without_the_claims_condition_both_workers_take_the_request(
    db: Database, waiting: int, postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control: the harness sees the race when the claim's condition is gone."""
    from sqlalchemy import true

    monkeypatch.setattr(requests, "claimable", lambda _now: true())
    assert claims_won_by_two_workers_at_once(db, waiting) == 2


def test_a_request_whose_worker_died_is_taken_over_after_an_hour(
    db: Database, settings: Settings, waiting: int
) -> None:
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
    assert (done.id, done.state, len(done.made or [])) == (waiting, requests.DONE, 1)


def test_a_worker_stopped_while_making_the_returns_queues_the_request_again(
    db: Database, settings: Settings, waiting: int, monkeypatch: pytest.MonkeyPatch
) -> None:

    def stopped(*_args: object, **_kwargs: object) -> None:
        raise SystemExit(143)  # SIGTERM, as the scheduler turns it

    monkeypatch.setattr(requests, "make_quarter_returns", stopped)
    with pytest.raises(SystemExit):
        requests.run_queued(db, settings)
    with db.reading() as session:
        request = session.get_one(ReturnRequest, waiting)
        assert (request.state, request.claimed_by) == (requests.QUEUED, None)
    monkeypatch.undo()
    [done] = requests.run_queued(db, settings)
    assert done.state == requests.DONE
