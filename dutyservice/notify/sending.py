"""Sending the outbox: each message once, however many senders run (docs/notifications.md).

A sender claims a batch of due messages in a short transaction (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so that concurrent senders take different rows; SQLite's write transaction is
serialised), marks them as its own for a lease, and commits. It then talks to SMTP outside any
transaction, and records each message's outcome as soon as the server has answered for it.
A sender that dies between the server's answer and that record leaves its claim to lapse, and
the message is sent again once: at most one duplicate, never a loss.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..clock import utc_now
from ..config import Settings
from ..db import Database
from ..duties.calendar import calendar_of, duty_entry, event_entry
from ..duties.models import Duty, Officer
from ..duties.rules import DutyStatus
from ..events.models import Event
from ..npocc.models import NpoccReturn
from . import rules
from .aid import compose_aid
from .mail import Mailer, Outcome, build_message, parse_smtp_url
from .models import Notification
from .rules import Kind, Preference, Status

log = logging.getLogger(__name__)

#: How long a claim holds a message; a sender that died is taken over after it.
LEASE = timedelta(minutes=10)
BATCH = 50
_PREFERENCE = {
    Kind.CALLOUT: Preference.CALLOUTS,
    Kind.REMINDER: Preference.REMINDERS,
    Kind.TRAINING: Preference.TRAINING,
}


@dataclass
class Sent:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, other: Sent) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed


@dataclass(frozen=True, order=True)
class Claimed:
    id: int
    attempts: int


def claim(db: Database, sender: str, now: datetime, limit: int = BATCH) -> list[Claimed]:
    """Take up to `limit` due messages for `sender`, for the lease, in one short transaction."""
    with db.transaction() as session:
        due = (
            select(Notification.id)
            .where(Notification.status == Status.QUEUED, Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        )
        if db.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(session.scalars(due))
        if not ids:
            return []
        rows = session.execute(
            update(Notification)
            .where(Notification.id.in_(ids))
            .values(
                claimed_by=sender,
                next_attempt_at=now + LEASE,
                attempts=Notification.attempts + 1,
            )
            .returning(Notification.id, Notification.attempts)
        ).all()
    return sorted(Claimed(id_, attempts) for id_, attempts in rows)


def send_queued(
    db: Database, settings: Settings, now: datetime | None = None, *, batch: int = BATCH
) -> Sent:
    """Send everything queued and due: batch after batch until none is left or SMTP is down.
    Without DUTYSERVICE_SMTP_URL nothing is sent (API.md: no URL, no mail)."""
    totals = Sent()
    if not settings.smtp_url:
        return totals
    server = parse_smtp_url(settings.smtp_url)
    sender = uuid.uuid4().hex
    # The clock moves on while a long queue drains: each claim's lease starts when it is made.
    # (`now`, when given, sets the clock ahead or back by a fixed amount.)
    offset = now - utc_now() if now else timedelta(0)
    with Mailer(server, settings.smtp_timeout) as mailer:
        while claimed := claim(db, sender, utc_now() + offset, batch):
            # Stop sending the batch while the claim is surely still ours: a slow server must
            # not let the lease lapse while this sender goes on, or another would send too.
            margin = min(2 * settings.smtp_timeout, LEASE.total_seconds() / 2)
            deadline = time.monotonic() + LEASE.total_seconds() - margin
            done, reachable = send_batch(
                db, settings, mailer, sender, claimed, utc_now() + offset, deadline=deadline
            )
            totals.add(done)
            if not reachable:
                break
    if totals.sent or totals.retried or totals.failed:
        log.info(f"outbox: {totals.sent} sent, {totals.retried} to retry, {totals.failed} failed")
    return totals


def send_batch(
    db: Database,
    settings: Settings,
    mailer: Mailer,
    sender: str,
    claimed: list[Claimed],
    now: datetime,
    *,
    deadline: float | None = None,
) -> tuple[Sent, bool]:
    """Send a claimed batch, recording each outcome as it comes. Past `deadline` (monotonic
    seconds) the rest is left to its lease: it is sent by whoever claims it next."""
    done = Sent()
    with db.reading() as session:
        messages = [(c, compose(session, settings, c.id)) for c in claimed]
    unreachable: Outcome | None = None
    for item, message in messages:
        if deadline is not None and time.monotonic() > deadline:
            return done, True
        if isinstance(message, str):
            outcome = Outcome(False, permanent=True, error=message)
        elif unreachable is not None:
            outcome = unreachable  # the server is down: the rest of the batch waits with it
        else:
            outcome = mailer.send(message)
            if outcome.unreachable:
                unreachable = outcome
        record(db, settings, sender, item, outcome, now)
        if outcome.sent:
            done.sent += 1
        elif outcome.permanent:
            done.failed += 1
        else:
            done.retried += 1
    return done, unreachable is None


def record(
    db: Database, settings: Settings, sender: str, item: Claimed, outcome: Outcome, now: datetime
) -> None:
    """What came of one message, if this sender still holds it."""
    if outcome.sent:
        values: dict[str, object] = {
            "status": Status.SENT,
            "sent_at": utc_now(),
            "last_error": None,
        }
    elif outcome.permanent:
        values = {"status": Status.FAILED, "last_error": outcome.error}
    else:
        wait = rules.next_attempt_after(item.attempts, settings.smtp_retry_backoff)
        values = {"next_attempt_at": now + wait, "last_error": outcome.error}
    with db.transaction() as session:
        session.execute(
            update(Notification)
            .where(
                Notification.id == item.id,
                Notification.claimed_by == sender,
                Notification.status == Status.QUEUED,
            )
            .values(**values)
        )


# Composing --------------------------------------------------------------------------------------


def compose(session: Session, settings: Settings, notification_id: int) -> EmailMessage | str:
    """The message as it is sent now, from the records as they are now; or why it cannot be."""
    note = session.get(Notification, notification_id)
    if note is None:
        return "the message is no longer in the outbox"
    kind = Kind(note.kind)
    _, _, key = note.subject.partition(":")
    link_base = settings.base_url
    if kind is Kind.AID_REQUEST or kind in rules.ANSWER_KINDS:
        composed = compose_aid(session, settings, note, int(key))
        return composed if isinstance(composed, str) else _message(settings, note, *composed)
    if kind is Kind.RETURN:
        if not settings.admin_email:
            return "no DUTYSERVICE_ADMIN_EMAIL is configured"
        record_ = session.get(NpoccReturn, int(key))
        if record_ is None:
            return "the return no longer exists"
        text = rules.return_text(
            rules.ReturnFacts(
                record_.return_id,
                record_.force.code,
                record_.quarter,
                record_.status,
                record_.generated_at,
                record_.delivery_attempts,
                record_.last_error,
            ),
            f"{link_base}/app/returns?quarter={record_.quarter}" if link_base else None,
        )
        return _message(settings, note, text, settings.admin_email)
    officer = session.get(Officer, note.officer_id) if note.officer_id else None
    if officer is None or not officer.email:
        return "the officer has no e-mail address"
    if not getattr(officer, rules.preference_column(_PREFERENCE[kind])):
        return "the officer has opted out of these messages"
    greeting = f"{officer.rank} {officer.forenames} {officer.surname}"
    if kind is Kind.CALLOUT:
        event = session.get(Event, int(key))
        if event is None:
            return "the event no longer exists"
        facts = rules.CalloutFacts(
            event.title,
            event.force.name,
            event.location,
            event.description,
            event.starts_at,
            event.ends_at,
            event.signup_deadline,
            event.capacity,
            (
                f"{event.role_profile.mercury_ref} version {event.role_profile.version}"
                if event.role_profile
                else None
            ),
        )
        link = f"{link_base}/app/events" if link_base else None
        text = rules.callout_text(facts, greeting, link)
        ical = calendar_of([event_entry(event)], method="PUBLISH")
        return _message(settings, note, text, officer.email, ical, f"event-{event.id}.ics")
    if kind is Kind.REMINDER:
        duty = session.get(Duty, int(key))
        if duty is None or duty.status != DutyStatus.BOOKED:
            return "the duty is no longer booked"
        event = session.get(Event, duty.event_id) if duty.event_id else None
        text = rules.reminder_text(
            rules.DutyFacts(
                duty.duty_type.name,
                duty.location,
                duty.notes,
                duty.starts_at,
                duty.ends_at,
                event.title if event else None,
            ),
            greeting,
            f"{link_base}/app/" if link_base else None,
        )
        ical = calendar_of([duty_entry(duty)], method="PUBLISH")
        return _message(settings, note, text, officer.email, ical, f"duty-{duty.id}.ics")
    expires_on = date.fromisoformat(key)
    link = f"{link_base}/app/" if link_base else None
    return _message(settings, note, rules.training_text(expires_on, greeting, link), officer.email)


def _message(
    settings: Settings,
    note: Notification,
    text: rules.Text,
    to: str,
    ical: bytes | None = None,
    ical_name: str = "invite.ics",
) -> EmailMessage:
    domain = settings.mail_from.rpartition("@")[2] or "dutyservice"
    return build_message(
        text,
        sender=settings.mail_from,
        to=to,
        message_id=f"<notification-{note.id}@{domain}>",
        calendar=ical,
        calendar_name=ical_name,
    )
