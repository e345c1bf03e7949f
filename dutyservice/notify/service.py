"""Queueing messages by the scheduler's sweep (a cause queues its own through the outbox, in its
own transaction: an event's call-out), and sending what is queued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..clock import london_day_of, utc_now
from ..config import Settings
from ..db import Database
from ..outbox import queue
from .queries import reminder_recipients, return_alerts, training_recipients
from .sending import Sent, send_queued


@dataclass(frozen=True)
class Queued:
    reminders: int = 0
    training: int = 0
    returns: int = 0


def queue_due(db: Database, settings: Settings, now: datetime | None = None) -> Queued:
    """The sweep: reminders, training warnings and return alerts that are due now."""
    now = now or utc_now()
    with db.transaction() as session:
        return Queued(
            reminders=queue(session, reminder_recipients(now), now),
            training=queue(session, training_recipients(london_day_of(now)), now),
            returns=queue(session, return_alerts(now), now) if settings.admin_email else 0,
        )


def run_outbox(db: Database, settings: Settings, now: datetime | None = None) -> Sent:
    """The minute's job and `dutyservice notify`: queue what is due now, send what is queued."""
    queue_due(db, settings, now)
    return send_queued(db, settings, now)
