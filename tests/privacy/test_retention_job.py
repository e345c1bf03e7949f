"""The scheduler's monthly retention run: there where DUTYSERVICE_RETENTION_YEARS is set, and
it anonymises on its own."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.triggers.date import DateTrigger

from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.ips import serving
from dutyservice.scheduler.jobs import build_scheduler
from tests.support.builders import ADMIN, Builder

LATER = DateTrigger(datetime.now(UTC) + timedelta(days=365))


def test_without_a_retention_period_the_scheduler_has_no_retention_job(db: Database) -> None:
    scheduler = build_scheduler(db, Settings(database_url=db.url))
    assert "retention" not in {job.id for job in scheduler.get_jobs()}


def test_the_scheduler_anonymises_leavers_past_the_retention_period(
    db: Database, build: Builder
) -> None:
    gone = build.officer(joined_on=date(2010, 1, 4), surname="Okafor")
    serving.officer_leaves(db, ADMIN, gone.id, date(2016, 6, 30))
    settings = Settings(database_url=db.url, retention_years=6)
    soon = DateTrigger(datetime.now(UTC) + timedelta(seconds=0.3))
    scheduler = build_scheduler(
        db, settings, quarterly=LATER, retries=LATER, notifications=LATER, retention=soon
    )
    ran = threading.Event()
    errors: list[BaseException] = []

    def listen(event: JobExecutionEvent) -> None:
        if event.job_id == "retention":
            if event.exception is not None:
                errors.append(event.exception)
            ran.set()

    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    runner = threading.Thread(target=scheduler.start, daemon=True)
    runner.start()
    try:
        assert ran.wait(30), "the retention job did not run"
    finally:
        scheduler.shutdown(wait=True)
        runner.join(10)
    assert errors == []
    with db.reading() as session:
        officer = session.get(Officer, gone.id)
        assert officer is not None
        assert officer.surname == "anonymised"
