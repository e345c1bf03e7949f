"""Queueing messages in the outbox: in the cause's own transaction, or by the scheduler's sweep.

Every message is inserted set-based (`INSERT ... SELECT`), and a cause already queued is left as
it is (`ON CONFLICT DO NOTHING` on (kind, subject, recipient)), so a sweep run twice, or by two
schedulers at once, queues each message once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Integer, String, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..clock import london_day_of, utc_now
from ..config import Settings
from ..db import Database, UTCDateTime
from ..events.models import Event
from .aid import aid_request_recipients, answer_recipients
from .models import Notification
from .queries import (
    QUEUED_COLUMNS,
    callout_recipients,
    reminder_recipients,
    return_alerts,
    training_recipients,
)
from .rules import Kind, Status
from .sending import Sent, send_queued

if TYPE_CHECKING:
    from .queries import Recipients


def _queue(session: Session, recipients: Recipients, now: datetime) -> int:
    """Insert one queued message per row of `recipients` (see QUEUED_COLUMNS); the count added."""
    rows = recipients.add_columns(
        literal(Status.QUEUED.value, String),
        literal(0, Integer),
        literal(now, UTCDateTime()),
        literal(now, UTCDateTime()),
    )
    columns = [*QUEUED_COLUMNS, "status", "attempts", "next_attempt_at", "created_at"]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Notification).from_select(columns, rows).on_conflict_do_nothing()
    # SQLAlchemy keeps the driver's count of rows inserted only when asked to.
    options = {"preserve_rowcount": True}
    return session.connection().execute(statement, execution_options=options).rowcount


def queue_callouts(session: Session, event: Event) -> int:
    """In the transaction that creates the event: tell everyone who could answer it."""
    return _queue(session, callout_recipients(event), utc_now())


def queue_aid_request(session: Session, signup_id: int) -> int:
    """In the sign-up's transaction: the officer's force's aid contact is asked to answer."""
    return _queue(session, aid_request_recipients(signup_id), utc_now())


def queue_answer(session: Session, kind: Kind, signup_ids: Collection[int]) -> int:
    """In the answer's transaction: each officer told what was answered, once."""
    if not signup_ids:
        return 0
    return _queue(session, answer_recipients(kind, signup_ids), utc_now())


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
            reminders=_queue(session, reminder_recipients(now), now),
            training=_queue(session, training_recipients(london_day_of(now)), now),
            returns=_queue(session, return_alerts(now), now) if settings.admin_email else 0,
        )


def run_outbox(db: Database, settings: Settings, now: datetime | None = None) -> Sent:
    """The minute's job and `dutyservice notify`: queue what is due now, send what is queued."""
    queue_due(db, settings, now)
    return send_queued(db, settings, now)
