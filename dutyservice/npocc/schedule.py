"""FEED.md "Schedule": which quarters are due, and running one exactly once.

What is due is read from the database, never from the scheduler's memory: a quarter whose
run time (02:00 Europe/London on the first day of the next quarter) has passed and that has no
finished run is due, so a quarter missed while no scheduler was running is made at the next
start. A run is claimed by inserting its row; however many instances race, one wins.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..clock import LONDON, Quarter, utc_now
from ..config import Settings
from ..db import Database
from ..duties.models import Officer
from ..forces.models import Force
from .generation import Generated
from .models import QuarterRun
from .service import make_quarter_returns

RUN_AT = time(2, 0)  # Europe/London, on the first day of each quarter
STALE_CLAIM = timedelta(hours=1)  # a run claimed this long ago and not finished is taken over
RUNNING, COMPLETED, FAILED = "running", "completed", "failed"


def run_time(quarter: Quarter) -> datetime:
    """When the return for `quarter` is made: 02:00 London on the next quarter's first day."""
    return datetime.combine(quarter.next().first_day, RUN_AT, tzinfo=LONDON)


def latest_scheduled_quarter(now: datetime) -> Quarter:
    quarter = Quarter.of(now.astimezone(LONDON).date()).previous()
    return quarter if run_time(quarter) <= now else quarter.previous()


def _anyone_served(session: Session, served: tuple[str, ...]) -> bool:
    query = select(Officer.id).limit(1)
    if served:
        query = query.join(Officer.force).where(Force.code.in_(served))
    return session.scalar(query) is not None


def due_quarters(
    db: Database,
    now: datetime,
    *,
    returns_from: Quarter | None = None,
    served: tuple[str, ...] = (),
) -> list[Quarter]:
    """The scheduled quarters not yet made: the latest, and any missed since the last made;
    none before `returns_from` (the go-live quarter), and none on a first start with no
    officers yet (an empty database is not a force with nothing to report)."""
    latest = latest_scheduled_quarter(now)
    with db.reading() as session:
        finished = {
            Quarter.parse(q)
            for q in session.scalars(
                select(QuarterRun.quarter).where(QuarterRun.status == COMPLETED)
            )
        }
        if not finished:
            due = [latest] if _anyone_served(session, served) else []
    if finished:
        due, quarter = [], latest
        while quarter > max(finished):
            if quarter not in finished:
                due.append(quarter)
            quarter = quarter.previous()
    return sorted(q for q in due if returns_from is None or q >= returns_from)


def _claim(db: Database, quarter: Quarter, me: str, now: datetime) -> bool:
    try:
        with db.transaction() as session:
            run = session.get(QuarterRun, str(quarter))
            if run is None:
                session.add(
                    QuarterRun(
                        quarter=str(quarter),
                        claimed_by=me,
                        started_at=now,
                        status=RUNNING,
                        returns_made=0,
                    )
                )
                session.flush()
                return True
            if run.status == COMPLETED:
                return False
            if run.status == RUNNING and run.started_at > now - STALE_CLAIM:
                return False  # another instance is making it
            # A failed run, or one whose maker died: take it over, atomically.
            taken = cast(
                "CursorResult[Any]",
                session.execute(
                    update(QuarterRun)
                    .where(
                        QuarterRun.quarter == str(quarter),
                        QuarterRun.status == run.status,
                        QuarterRun.started_at == run.started_at,
                    )
                    .values(claimed_by=me, started_at=now, status=RUNNING, detail=None)
                ),
            ).rowcount
            return taken == 1
    except IntegrityError:
        return False  # another instance inserted the row first


@dataclass(frozen=True)
class RunResult:
    quarter: Quarter
    made: int
    unchanged: int


def run_quarter(
    db: Database, settings: Settings, quarter: Quarter, now: datetime | None = None
) -> RunResult | None:
    """Make and deliver every force's return for the quarter, if this instance wins the claim."""
    now = now or utc_now()
    me = f"{socket.gethostname()}:{os.getpid()}"
    if not _claim(db, quarter, me, now):
        return None
    finished = False

    def record_finished(generated: list[Generated]) -> None:
        nonlocal finished
        _finish(db, quarter, COMPLETED, sum(g.created for g in generated), None)
        finished = True

    try:
        generated = make_quarter_returns(db, settings, quarter, when_made=record_finished)
    except BaseException as exc:
        # Stopped (SystemExit on SIGTERM) or failed: the claim is released at once, so that the
        # next start makes the quarter instead of waiting for the claim to go stale.
        if not finished:
            _finish(db, quarter, FAILED, 0, f"{type(exc).__name__}: {exc}"[:2000])
        raise
    made = sum(g.created for g in generated)
    return RunResult(quarter, made, len(generated) - made)


def _finish(db: Database, quarter: Quarter, status: str, made: int, detail: str | None) -> None:
    with db.transaction() as session:
        run = session.get(QuarterRun, str(quarter))
        assert run is not None
        run.status, run.returns_made, run.detail = status, made, detail
        run.finished_at = utc_now()


def run_due(db: Database, settings: Settings, now: datetime | None = None) -> list[RunResult]:
    """The scheduled job: every due quarter, oldest first."""
    now = now or utc_now()
    results = []
    for quarter in due_quarters(
        db, now, returns_from=settings.returns_from, served=settings.forces
    ):
        result = run_quarter(db, settings, quarter, now)
        if result is not None:
            results.append(result)
    return results
