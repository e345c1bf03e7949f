"""Sending the outbox: each message once, however many senders run (docs/notifications.md).

A sender claims a batch of due messages in a short transaction (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so that concurrent senders take different rows; SQLite's write transaction is
serialised), marks them as its own for a lease, and commits. It then talks to the mail server
or the push services outside any transaction, and records each message's outcome as soon as it
has been answered for. A sender that dies between the answer and that record leaves its claim
to lapse, and the message is sent again once: at most one duplicate, never a loss.

Mail and push are two channels of the one outbox: a message to `officer:N` or `admin` goes by
mail, one to `push:N` to that subscription; each channel claims only its own messages, and only
when it is configured.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import TypeVar

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from ..clock import utc_now
from ..config import Settings
from ..db import Database
from ..duties.models import Duty, Officer
from ..duties.rules import DutyStatus, Preference, preference_column
from ..events.calendar import calendar_of, duty_entry, event_entry
from ..events.models import Event
from ..events.requirement import event_requirement
from ..ips.learning_rules import StageRequirement
from ..npocc.models import NpoccReturn
from ..outbox import Kind, Notification, PushSubscription, Status
from . import rules
from .aid import compose_aid
from .mail import Mailer, build_message, parse_smtp_url
from .push import Pusher, PushMessage
from .subscriptions import forget
from .transport import Outcome, Transport

log = logging.getLogger(__name__)

#: How long a claim holds a message; a sender that died is taken over after it.
LEASE = timedelta(minutes=10)
BATCH = 50
_PREFERENCE = {
    Kind.CALLOUT: Preference.CALLOUTS,
    Kind.REMINDER: Preference.REMINDERS,
    Kind.TRAINING: Preference.TRAINING,
}
MAIL = "mail"
PUSH = "push"
M = TypeVar("M")


Composer = Callable[[Session, Settings, int], "M | str"]


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


def _channel(name: str) -> ColumnElement[bool]:
    pushed = Notification.recipient.startswith(rules.PUSH_PREFIX, autoescape=True)
    return pushed if name == PUSH else ~pushed


def claim(
    db: Database, sender: str, now: datetime, limit: int = BATCH, *, channel: str = MAIL
) -> list[Claimed]:
    """Take up to `limit` due messages of `channel` for `sender`, for the lease, in one short
    transaction."""
    with db.transaction() as session:
        due = (
            select(Notification.id)
            .where(
                Notification.status == Status.QUEUED,
                Notification.next_attempt_at <= now,
                _channel(channel),
            )
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
    """Send everything queued and due, by each channel that is configured: batch after batch
    until none is left or the mail server is down. Without DUTYSERVICE_SMTP_URL no mail is
    sent, without a VAPID key nothing is pushed (API.md); those messages wait."""
    totals = Sent()
    # The clock moves on while a long queue drains: each claim's lease starts when it is made.
    # (`now`, when given, sets the clock ahead or back by a fixed amount.)
    offset = now - utc_now() if now else timedelta(0)
    if settings.smtp_url:
        server = parse_smtp_url(settings.smtp_url)
        with Mailer(server, settings.smtp_timeout) as mailer:
            totals.add(_drain(db, settings, MAIL, mailer, compose, offset, batch))
    if settings.push_enabled:
        with Pusher(settings) as pusher:
            totals.add(_drain(db, settings, PUSH, pusher, compose_push, offset, batch))
    if totals.sent or totals.retried or totals.failed:
        log.info(f"outbox: {totals.sent} sent, {totals.retried} to retry, {totals.failed} failed")
    return totals


def _drain(
    db: Database,
    settings: Settings,
    channel: str,
    transport: Transport[M],
    composer: Composer[M],
    offset: timedelta,
    batch: int,
) -> Sent:
    totals = Sent()
    sender = uuid.uuid4().hex
    timeout = settings.smtp_timeout if channel == MAIL else settings.push_timeout
    while claimed := claim(db, sender, utc_now() + offset, batch, channel=channel):
        # Stop sending the batch while the claim is surely still ours: a slow server must
        # not let the lease lapse while this sender goes on, or another would send too.
        margin = min(2 * timeout, LEASE.total_seconds() / 2)
        deadline = time.monotonic() + LEASE.total_seconds() - margin
        done, reachable = send_batch(
            db,
            settings,
            transport,
            sender,
            claimed,
            utc_now() + offset,
            deadline=deadline,
            composer=composer,
        )
        totals.add(done)
        if not reachable:
            break
    return totals


def send_batch(
    db: Database,
    settings: Settings,
    transport: Transport[M],
    sender: str,
    claimed: list[Claimed],
    now: datetime,
    *,
    deadline: float | None = None,
    composer: Composer[M] | None = None,
) -> tuple[Sent, bool]:
    """Send a claimed batch, recording each outcome as it comes. Past `deadline` (monotonic
    seconds) the rest is left to its lease: it is sent by whoever claims it next. Mail unless
    another `composer` is given."""
    done = Sent()
    compose_ = composer or compose
    with db.reading() as session:
        messages = [(c, built(compose_, session, settings, c.id)) for c in claimed]
    unreachable: Outcome | None = None
    for item, message in messages:
        if deadline is not None and time.monotonic() > deadline:
            return done, True
        if isinstance(message, str):
            outcome = Outcome(False, permanent=True, error=message)
        elif unreachable is not None:
            outcome = unreachable  # the server is down: the rest of the batch waits with it
        else:
            outcome = transport.send(message)  # type: ignore[arg-type]
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
    """What came of one message, if this sender still holds it. A subscription its push
    service says is gone is deleted in the same transaction."""
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
        recorded = session.execute(
            update(Notification)
            .where(
                Notification.id == item.id,
                Notification.claimed_by == sender,
                Notification.status == Status.QUEUED,
            )
            .values(**values)
            .returning(Notification.id)
        ).first()
        if recorded is not None and outcome.gone is not None:
            forget(session, outcome.gone)


# Composing --------------------------------------------------------------------------------------


def built(
    composer: Composer[M], session: Session, settings: Settings, notification_id: int
) -> M | str:
    """`composer`'s message, or why it cannot be built: a stored text that no header may carry
    (one kept from before the entry rule) fails its own message, never the batch."""
    try:
        return composer(session, settings, notification_id)
    except ValueError as exc:  # the email package's refusal of a header value
        log.warning(f"notification {notification_id} cannot be built: {type(exc).__name__}")
        return f"the message cannot be built: {exc}"


@dataclass(frozen=True)
class Content:
    """What a message says, whichever way it goes: by mail, or pushed to a browser."""

    text: rules.Text
    #: The mail address ("" where there is none: the message may still be pushed).
    to: str
    calendar: bytes | None = None
    calendar_name: str = "invite.ics"


def compose(session: Session, settings: Settings, notification_id: int) -> EmailMessage | str:
    """The mail as it is sent now, from the records as they are now; or why it cannot be."""
    note = session.get(Notification, notification_id)
    if note is None:
        return "the message is no longer in the outbox"
    content = _content(session, settings, note)
    if isinstance(content, str):
        return content
    if not content.to:
        return "the officer has no e-mail address"
    domain = settings.mail_from.rpartition("@")[2] or "dutyservice"
    return build_message(
        content.text,
        sender=settings.mail_from,
        to=content.to,
        message_id=f"<notification-{note.id}@{domain}>",
        calendar=content.calendar,
        calendar_name=content.calendar_name,
    )


def compose_push(session: Session, settings: Settings, notification_id: int) -> PushMessage | str:
    """The push to one of the officer's subscriptions: the mail's subject, the first thing it
    says, and the page to open; or why it cannot be sent."""
    note = session.get(Notification, notification_id)
    if note is None:
        return "the message is no longer in the outbox"
    subscription_id = rules.recipient_subscription_id(note.recipient)
    subscription = session.get(PushSubscription, subscription_id) if subscription_id else None
    if subscription is None or subscription.officer_id != note.officer_id:
        return "the subscription has been removed"
    content = _content(session, settings, note)
    if isinstance(content, str):
        return content
    payload = rules.push_payload(content.text, note.subject, settings.base_url)
    return PushMessage(
        subscription_id=subscription.id,
        endpoint=subscription.endpoint,
        p256dh=subscription.p256dh,
        auth=subscription.auth,
        payload=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        ttl=int(rules.PUSH_TTL.total_seconds()),
    )


def _content(session: Session, settings: Settings, note: Notification) -> Content | str:
    kind = Kind(note.kind)
    _, _, key = note.subject.partition(":")
    if kind is Kind.AID_REQUEST or kind in rules.ANSWER_KINDS:
        composed = compose_aid(session, settings, note, int(key))
        return composed if isinstance(composed, str) else Content(*composed)
    if kind is Kind.RETURN:
        return _return(session, settings, key)
    officer = session.get(Officer, note.officer_id) if note.officer_id else None
    if officer is None:
        return "the officer is no longer on record"
    if not getattr(officer, preference_column(_PREFERENCE[kind])):
        return "the officer has opted out of these messages"
    greeting = f"{officer.rank} {officer.forenames} {officer.surname}"
    link_base = settings.base_url
    to = officer.email or ""
    if kind is Kind.CALLOUT:
        return _callout(session, key, greeting, to, link_base)
    if kind is Kind.REMINDER:
        return _reminder(session, key, greeting, to, link_base)
    expires_on = date.fromisoformat(key)
    link = f"{link_base}/app/#ips-heading" if link_base else None
    return Content(rules.training_text(expires_on, greeting, link), to)


def _return(session: Session, settings: Settings, key: str) -> Content | str:
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
        f"{settings.base_url}/app/returns?quarter={record_.quarter}" if settings.base_url else None,
    )
    return Content(text, settings.admin_email)


def _callout(session: Session, key: str, greeting: str, to: str, link_base: str) -> Content | str:
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
        _stage_words(event),
    )
    text = rules.callout_text(facts, greeting, rules.event_link(link_base, event.id))
    ical = calendar_of([event_entry(event)], method="PUBLISH")
    return Content(text, to, ical, f"event-{event.id}.ics")


def _reminder(session: Session, key: str, greeting: str, to: str, link_base: str) -> Content | str:
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
        rules.event_link(link_base, event.id) if event else rules.duty_link(link_base, duty.id),
    )
    ical = calendar_of([duty_entry(duty)], method="PUBLISH")
    return Content(text, to, ical, f"duty-{duty.id}.ics")


def _stage_words(event: Event) -> str | None:
    """The stage of the learning programme a call-out asks for, in words, if it asks for one."""
    requirement = event_requirement(event)
    return requirement.describe() if isinstance(requirement, StageRequirement) else None
