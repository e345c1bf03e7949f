"""The scheduler's minute job really runs: it queues what is due and sends it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from dutyservice.clock import utc_now
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.scheduler.jobs import build_scheduler

from ..support.builders import Builder
from ..support.smtp import Mailbox
from .conftest import address, callout, qualified, with_email


def test_the_scheduler_sends_call_outs_and_reminders_on_its_own(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    volunteer = with_email(db, qualified(build))
    callout(db)
    booked = with_email(db, build.officer())
    build.duty(booked, utc_now() + timedelta(hours=3))
    scheduler = build_scheduler(
        db,
        settings,
        quarterly=DateTrigger(datetime.now(UTC) + timedelta(days=365)),
        retries=DateTrigger(datetime.now(UTC) + timedelta(days=365)),
        notifications=IntervalTrigger(seconds=0.3),
    )
    errors: list[BaseException] = []
    ran = threading.Event()

    def listen(event: JobExecutionEvent) -> None:
        if event.job_id == "notifications":
            if event.exception is not None:
                errors.append(event.exception)
            ran.set()

    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    runner = threading.Thread(target=scheduler.start, daemon=True)
    runner.start()
    try:
        assert ran.wait(30), "the notifications job did not run"
        assert mailbox.wait_for(2), "nothing was sent"
    finally:
        scheduler.shutdown(wait=True)
        runner.join(10)
    assert errors == []
    assert mailbox.recipients() == sorted([address(volunteer), address(booked)])
