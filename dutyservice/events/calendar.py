"""An officer's duties as an RFC 5545 calendar for a phone, read with a per-officer key."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar, Event
from sqlalchemy import select

from .. import audit
from ..auth.scope import Permission, Principal
from ..auth.tokens import hash_secret
from ..clock import utc_now
from ..db import Database
from ..duties.models import Duty, Officer
from ..duties.queries import load_officer
from ..duties.rules import DutyStatus
from ..errors import NotFound

if TYPE_CHECKING:
    from .models import Event as EventRecord

KEY_PREFIX = "dcal_"
# A requested duty (awaiting the officer's force) is in the diary, but not yet certain.
_ICAL_STATUS = {DutyStatus.CANCELLED: "CANCELLED", DutyStatus.REQUESTED: "TENTATIVE"}
HISTORY = timedelta(days=400)  # how far back the feed reaches


def make_calendar_key(db: Database, principal: Principal, officer_id: int) -> str:
    """A new key for the officer's feed; the previous one stops working. Only a hash is kept."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as session:
        officer = load_officer(session, principal, officer_id, Permission.BOOK_DUTIES)
        officer.calendar_key_hash = hash_secret(key)
        audit.about(
            officer,
            session,
            principal,
            "calendar.key",
            "officer",
            officer.id,
            changes={"calendar_key": "replaced"},
        )
    return key


def calendar_feed(db: Database, officer_id: int, key: str) -> bytes:
    """The feed, if `key` is the officer's current key; otherwise NotFound, telling nothing."""
    with db.reading() as session:
        officer = session.get(Officer, officer_id)
        stored = officer.calendar_key_hash if officer else None
        if not stored or not hmac.compare_digest(stored, hash_secret(key)):
            raise NotFound("no calendar at that address")
        duties = list(
            session.scalars(
                select(Duty)
                .where(Duty.officer_id == officer_id, Duty.ends_at > utc_now() - HISTORY)
                .order_by(Duty.starts_at, Duty.id)
            )
        )
    return calendar_of([duty_entry(duty) for duty in duties])


def calendar_of(entries: list[Event], *, method: str | None = None) -> bytes:
    """An RFC 5545 calendar of the entries (a feed; or, with METHOD, a mail attachment)."""
    calendar = Calendar()
    calendar.add("prodid", "-//dutyservice//duties//EN")
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", "Duties")
    for entry in entries:
        calendar.add_component(entry)
    return bytes(calendar.to_ical())


def duty_entry(duty: Duty) -> Event:
    """A duty as a VEVENT. Its UID is stable: the same duty, the same UID, wherever it is sent."""
    entry = Event()
    entry.add("uid", f"duty-{duty.id}@dutyservice")
    entry.add(
        "summary",
        f"{duty.duty_type.name}: {duty.location}" if duty.location else duty.duty_type.name,
    )
    entry.add("dtstart", duty.actual_starts_at or duty.starts_at)
    entry.add("dtend", duty.actual_ends_at or duty.ends_at)
    entry.add("dtstamp", duty.updated_at)
    entry.add("sequence", duty.version)
    entry.add("status", _ICAL_STATUS.get(DutyStatus(duty.status), "CONFIRMED"))
    if duty.location:
        entry.add("location", duty.location)
    if duty.notes:
        entry.add("description", duty.notes)
    return entry


def event_entry(event: EventRecord) -> Event:
    """An event (a call-out) as a VEVENT, tentative until the officer signs up."""
    entry = Event()
    entry.add("uid", f"event-{event.id}@dutyservice")
    entry.add("summary", event.title)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("dtstamp", event.created_at)
    entry.add("status", "TENTATIVE")
    if event.location:
        entry.add("location", event.location)
    if event.description:
        entry.add("description", event.description)
    return entry
