"""`dutyservice scheduler`: APScheduler in its own process. Its jobs call the services."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ..clock import LONDON
from ..config import Settings
from ..db import Database
from ..events.aid import lapse_due
from ..jobruns import record_success
from ..notify.service import run_outbox
from ..npocc.delivery import deliver_due
from ..npocc.requests import run_queued
from ..npocc.schedule import run_due
from ..privacy.retention import run_retention

log = logging.getLogger(__name__)

#: How often the delivery retries, the outbox and mutual aid's deadlines run (and the first
#: time, this long after the start).
MINUTE_JOBS_EVERY = timedelta(minutes=1)


def quarterly_trigger() -> CronTrigger:
    return CronTrigger(month="1,4,7,10", day=1, hour=2, minute=0, timezone=LONDON)


def monthly_trigger() -> CronTrigger:
    return CronTrigger(day=1, hour=3, minute=30, timezone=LONDON)


def build_scheduler(
    db: Database,
    settings: Settings,
    *,
    quarterly: Any = None,
    retries: Any = None,
    notifications: Any = None,
    aid_deadlines: Any = None,
    retention: Any = None,
    return_requests: Any = None,
) -> BlockingScheduler:
    """The quarterly run, the delivery retries, the outbox, mutual aid's deadlines, the returns
    asked for with `Prefer: respond-async`, and (where a retention period is set) the monthly
    retention run. Triggers can be replaced."""
    scheduler = BlockingScheduler(timezone=LONDON)
    # A quarter's run never misfires away (no grace limit): however late the scheduler
    # starts, it runs.
    jobs: tuple[tuple[str, Any, Any, dict[str, Any]], ...] = (
        (
            "npocc-quarterly",
            run_due,
            quarterly or quarterly_trigger(),
            {"misfire_grace_time": None},
        ),
        ("npocc-delivery-retries", deliver_due, retries or _every_minute(), {}),
        ("notifications", run_outbox, notifications or _every_minute(), {}),
        ("mutual-aid-lapse", lapse_job, aid_deadlines or _every_minute(), {}),
        ("npocc-requests", run_queued, return_requests or IntervalTrigger(seconds=15), {}),
    )
    if settings.retention_years is not None:
        jobs += (("retention", run_retention, retention or monthly_trigger(), {}),)
    for job_id, job, trigger, options in jobs:
        scheduler.add_job(
            _recorded(job_id, job),
            trigger,
            args=(db, settings),
            id=job_id,
            max_instances=1,
            coalesce=True,
            **options,
        )
    return scheduler


def _every_minute() -> IntervalTrigger:
    return IntervalTrigger(seconds=MINUTE_JOBS_EVERY.total_seconds())


def _recorded(job_id: str, job: Callable[[Database, Settings], Any]) -> Callable[..., Any]:
    """The job, logged as it runs, and its success stored for the metrics."""

    def run(db: Database, settings: Settings) -> Any:
        started = time.perf_counter()
        try:
            result = job(db, settings)
        except Exception:
            log.exception("job failed", extra={"job": job_id, **_took(started)})
            raise
        record_success(db, job_id)
        log.info("job finished", extra={"job": job_id, **_took(started)})
        return result

    return run


def _took(started: float) -> dict[str, float]:
    return {"ms": round((time.perf_counter() - started) * 1000, 1)}


def lapse_job(db: Database, _settings: Settings) -> int:
    """Requests unanswered at their event's sign-up deadline lapse (events.aid.lapse_due)."""
    return lapse_due(db)


#: How a SIGTERM ends the scheduler.
STOPPED_BY_SIGTERM = 128 + signal.SIGTERM


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    # Unwinds the main thread like Ctrl-C does, so that a quarter being made releases its claim.
    raise SystemExit(128 + signum)


def stop_on_sigterm() -> None:
    """SIGTERM unwinds the main thread (`_stop_on_sigterm`). A signal that comes while Python
    runs a finaliser (an object being collected, such as a session's loaded row) has its
    SystemExit reported and dropped there, and the scheduler would run on: such a one is sent
    again a moment later, from another thread, to unwind the main thread from wherever it runs
    by then (sent at once, it could come back inside the same finaliser)."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    report = sys.unraisablehook

    def dropped(unraisable: Any) -> None:
        error = unraisable.exc_value
        if isinstance(error, SystemExit) and error.code == STOPPED_BY_SIGTERM:
            again = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGTERM))
            again.daemon = True
            again.start()
        else:
            report(unraisable)

    sys.unraisablehook = dropped


def run_scheduler(db: Database, settings: Settings, **triggers: Any) -> None:
    stop_on_sigterm()
    log.info("scheduler started", extra={"pid": os.getpid()})
    try:
        _run(db, settings, **triggers)
    finally:
        log.info("scheduler stopped", extra={"pid": os.getpid()})


def _run(db: Database, settings: Settings, **triggers: Any) -> None:
    # Catch up first: a quarter whose run time passed while no scheduler ran is made now.
    for result in run_due(db, settings):
        log.info(
            "npocc quarter made",
            extra={
                "quarter": str(result.quarter),
                "made": result.made,
                "unchanged": result.unchanged,
            },
        )
    deliver_due(db, settings)
    build_scheduler(db, settings, **triggers).start()
