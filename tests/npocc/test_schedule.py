"""FEED.md "Schedule": quarterly at 02:00 London, missed quarters made at the next start."""

import threading
from datetime import UTC, date, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from dutyservice.clock import LONDON, Quarter
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.npocc.models import NpoccReturn, QuarterRun
from dutyservice.npocc.schedule import due_quarters, latest_scheduled_quarter, run_due
from dutyservice.scheduler.jobs import build_scheduler, quarterly_trigger

from ..support.builders import Builder
from ..support.receiver import receiver

FORCES = 43


def test_the_quarter_just_ended_is_due_from_0200_london_on_the_first_day() -> None:
    before = datetime(2026, 10, 1, 0, 59, tzinfo=UTC)  # 01:59 BST
    after = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)  # 02:00 BST
    assert latest_scheduled_quarter(before) == Quarter(2026, 2)
    assert latest_scheduled_quarter(after) == Quarter(2026, 3)
    assert latest_scheduled_quarter(datetime(2027, 1, 1, 2, tzinfo=UTC)) == Quarter(2026, 4)


def test_the_cron_trigger_fires_at_0200_london_on_quarter_days() -> None:
    trigger = quarterly_trigger()
    fire = trigger.get_next_fire_time(None, datetime(2026, 11, 23, tzinfo=LONDON))
    assert fire == datetime(2027, 1, 1, 2, tzinfo=LONDON)
    summer = trigger.get_next_fire_time(None, datetime(2027, 4, 2, tzinfo=LONDON))
    assert summer.astimezone(UTC) == datetime(2027, 7, 1, 1, tzinfo=UTC)


def returns_by_quarter(db: Database) -> dict[str, int]:
    with db.reading() as session:
        return dict(
            session.execute(
                select(NpoccReturn.quarter, func.count()).group_by(NpoccReturn.quarter)
            ).all()
        )


def test_a_quarter_missed_while_the_scheduler_was_down_is_made_at_start(
    db: Database, build: Builder, settings: Settings
) -> None:
    build.ips_officer(since=date(2025, 1, 6))
    now = datetime(2025, 10, 3, 9, tzinfo=UTC)
    with db.transaction() as session:  # the last run the service made was for 2025-Q1
        session.add(
            QuarterRun(
                quarter="2025-Q1",
                claimed_by="earlier",
                status="completed",
                started_at=now - timedelta(days=180),
                returns_made=FORCES,
            )
        )
    assert due_quarters(db, now) == [Quarter(2025, 2), Quarter(2025, 3)]
    results = run_due(db, settings, now)
    assert [(str(r.quarter), r.made) for r in results] == [("2025-Q2", FORCES), ("2025-Q3", FORCES)]
    assert returns_by_quarter(db) == {"2025-Q2": FORCES, "2025-Q3": FORCES}
    assert due_quarters(db, now) == []
    assert run_due(db, settings, now) == []
    # No feed is configured: the files are the returns, filed, with no attempt made.
    assert not settings.npocc_feed_url
    with db.reading() as session:
        states = set(session.execute(select(NpoccReturn.status, NpoccReturn.delivery_attempts)))
    assert states == {("filed", 0)}


def test_the_real_scheduler_runs_the_quarterly_job_and_delivers(
    db: Database, build: Builder, settings: Settings
) -> None:
    build.ips_officer(since=date(2025, 1, 6))
    with receiver([("status", 503)]) as feed:
        live = settings.replace(npocc_feed_url=feed.url)
        scheduler = build_scheduler(
            db,
            live,
            quarterly=DateTrigger(datetime.now(UTC) + timedelta(seconds=0.5)),
            retries=IntervalTrigger(seconds=0.3),
        )
        done = threading.Event()
        scheduler.add_listener(
            lambda event: done.set() if event.job_id == "npocc-quarterly" else None,
            EVENT_JOB_EXECUTED | EVENT_JOB_ERROR,
        )
        runner = threading.Thread(target=scheduler.start, daemon=True)
        runner.start()
        try:
            assert done.wait(30), "the quarterly job did not run"
        finally:
            scheduler.shutdown(wait=True)
            runner.join(10)
    quarter = str(latest_scheduled_quarter(datetime.now(UTC)))
    assert returns_by_quarter(db) == {quarter: FORCES}
    with db.reading() as session:
        statuses = dict(
            session.execute(
                select(NpoccReturn.status, func.count()).group_by(NpoccReturn.status)
            ).all()
        )
        run = session.get_one(QuarterRun, quarter)
    assert statuses == {"delivered": FORCES}
    assert run.status == "completed"
    assert run.returns_made == FORCES
    assert feed.accepted_count() == FORCES
