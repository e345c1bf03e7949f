"""Queueing messages in the outbox: in the cause's own transaction, or by the scheduler's sweep.

Every message is inserted set-based (`INSERT ... SELECT`), and a cause already queued is left as
it is (`ON CONFLICT DO NOTHING` on (kind, subject, recipient)), so a sweep run twice, or by two
schedulers at once, queues each message once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Integer, String, cast, literal, or_, select, true, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..clock import london_day_of, utc_now
from ..config import Settings
from ..db import Database, UTCDateTime
from ..duties.models import Officer
from ..events.models import Event
from .models import Notification, PushSubscription
from .queries import (
    QUEUED_COLUMNS,
    callout_recipients,
    reminder_recipients,
    return_alerts,
    training_recipients,
)
from .rules import PUSH_PREFIX, PUSHED_KINDS, Status
from .sending import Sent, send_queued

if TYPE_CHECKING:
    from .queries import Recipients


def _queue(session: Session, recipients: Recipients, now: datetime) -> int:
    """Insert one queued message per row of `recipients` (see QUEUED_COLUMNS) by each channel
    that reaches them: by mail to those with an address (or to the administrator), and, for the
    kinds that are pushed, to each of the officer's subscriptions. The count added."""
    postgres = session.get_bind().dialect.name == "postgresql"
    # PostgreSQL evaluates the rule once for both channels; sqlite3 counts the rows only of a
    # statement that begins INSERT, so there the rule is a subquery read by each channel.
    found = recipients.cte("recipients") if postgres else recipients.subquery("recipients")
    kind, subject, recipient, officer_id, force_id = found.c
    by_mail = (
        select(kind, subject, recipient, officer_id, force_id)
        .outerjoin(Officer, Officer.id == officer_id)
        .where(or_(officer_id.is_(None), Officer.email.is_not(None)))
    )
    by_push = (
        select(
            kind,
            subject,
            literal(PUSH_PREFIX, String) + cast(PushSubscription.id, String),
            officer_id,
            force_id,
        )
        .join(PushSubscription, PushSubscription.officer_id == officer_id)
        .where(kind.in_([k.value for k in PUSHED_KINDS]))
    )
    rows = select(*union_all(by_mail, by_push).subquery().c).add_columns(
        literal(Status.QUEUED.value, String),
        literal(0, Integer),
        literal(now, UTCDateTime()),
        literal(now, UTCDateTime()),
    )
    columns = [*QUEUED_COLUMNS, "status", "attempts", "next_attempt_at", "created_at"]
    dialect = postgresql if postgres else sqlite
    # SQLite reads `ON CONFLICT` after `INSERT ... SELECT` only when the SELECT has a WHERE.
    statement = (
        dialect.insert(Notification)
        .from_select(columns, rows.where(true()))
        .on_conflict_do_nothing()
    )
    # SQLAlchemy keeps the driver's count of rows inserted only when asked to.
    options = {"preserve_rowcount": True}
    return session.connection().execute(statement, execution_options=options).rowcount


def queue_callouts(session: Session, event: Event) -> int:
    """In the transaction that creates the event: tell everyone who could answer it."""
    return _queue(session, callout_recipients(event), utc_now())


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
