"""Reads: who a cause is addressed to (as statements to queue from), and the outbox itself."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    cast,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from ..auth.scope import Permission, Principal, readable_force_id, require
from ..clock import london_days_spanned
from ..duties.models import Duty, Officer
from ..duties.queries import load_officer
from ..duties.rules import DutyStatus
from ..events.models import Event
from ..events.rules import OpenTo
from ..forces.models import Force
from ..ips import eligibility
from ..ips.queries import requirements_of
from ..npocc.models import NpoccReturn
from ..pagination import Page, paginate
from ..reports.queries import lapsing_ost
from .models import Notification, PushSubscription
from .rules import ADMIN, REMINDER_AHEAD, RETURN_PENDING_ALERT, TRAINING_AHEAD_DAYS, Kind

#: The columns every recipients statement gives, in this order.
QUEUED_COLUMNS = ("kind", "subject", "recipient", "officer_id", "force_id")
if TYPE_CHECKING:
    Recipients = Select[str, str, str, int, int]


def _officer_recipient() -> ColumnElement[str]:
    return literal("officer:", String) + cast(Officer.id, String)


def _reachable() -> ColumnElement[bool]:
    """The officer can be told: by mail, or on a browser they turned notifications on in."""
    subscribed = select(PushSubscription.id).where(PushSubscription.officer_id == Officer.id)
    return or_(Officer.email.is_not(None), subscribed.exists())


def _in_scope(event: Event) -> ColumnElement[bool]:
    """Officers whose force may sign up to the event (SQL of events.rules.open_to_force)."""
    match OpenTo(event.open_to):
        case OpenTo.NATIONAL:
            return true()
        case OpenTo.REGION:
            return Officer.force_id.in_(select(Force.id).where(Force.region == event.force.region))
        case _:
            return Officer.force_id == event.force_id


def callout_recipients(event: Event) -> Recipients:
    """API.md "Call-out": every serving officer in the event's `open_to` scope who can be told
    (an address, or a push subscription), has not opted out, meets its role profile and is
    free for its times. One query: the deployable rule of ips.eligibility, as /deployable
    uses it."""
    first, last = london_days_spanned(event.starts_at, event.ends_at)
    profile = requirements_of(event.role_profile) if event.role_profile else None
    return select(
        literal(Kind.CALLOUT.value, String),
        literal(f"event:{event.id}", String),
        _officer_recipient(),
        Officer.id,
        Officer.force_id,
    ).where(
        _reachable(),
        Officer.notify_callouts,
        _in_scope(event),
        eligibility.deployable(profile, first, last, event.starts_at, event.ends_at),
    )


def reminder_recipients(now: datetime) -> Recipients:
    """Booked duties starting within the next 24 hours, for officers who want reminders."""
    return (
        select(
            literal(Kind.REMINDER.value, String),
            literal("duty:", String) + cast(Duty.id, String),
            _officer_recipient(),
            Officer.id,
            Officer.force_id,
        )
        .join(Duty.officer)
        .where(
            Duty.status == DutyStatus.BOOKED,
            Duty.starts_at > now,
            Duty.starts_at <= now + REMINDER_AHEAD,
            _reachable(),
            Officer.notify_reminders,
        )
    )


def training_recipients(today: date) -> Recipients:
    """Officers whose OST lapses within 30 days with none later (the expiring report's rule)."""
    lapsing = lapsing_ost(today, TRAINING_AHEAD_DAYS)
    return (
        select(
            literal(Kind.TRAINING.value, String),
            literal("ost:", String) + cast(lapsing.c.expires_on, String),
            _officer_recipient(),
            Officer.id,
            Officer.force_id,
        )
        .join(lapsing, lapsing.c.officer_id == Officer.id)
        .where(_reachable(), Officer.notify_training)
    )


def return_alerts(now: datetime) -> Recipients:
    """Returns that failed, or are still pending a day after they were made."""
    return select(
        literal(Kind.RETURN.value, String),
        literal("return:", String) + cast(NpoccReturn.id, String),
        literal(ADMIN, String),
        cast(null(), Integer),
        NpoccReturn.force_id,
    ).where(
        or_(
            NpoccReturn.status == "failed",
            (NpoccReturn.status == "pending")
            & (NpoccReturn.generated_at <= now - RETURN_PENDING_ALERT),
        )
    )


def list_notifications(
    session: Session,
    principal: Principal,
    *,
    officer_id: int | None,
    kind: str | None,
    status: str | None,
    page: int,
    per_page: int,
) -> Page[Notification]:
    """The outbox, newest first: supervisors see their own force's, admins every force's."""
    require(principal, Permission.MANAGE_OFFICERS)
    query = select(Notification).order_by(Notification.id.desc())
    force_id = readable_force_id(principal, None)
    if force_id is not None:
        query = query.where(Notification.force_id == force_id)
    if officer_id is not None:
        load_officer(session, principal, officer_id)  # 404 outside the caller's scope
        query = query.where(Notification.officer_id == officer_id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    if status is not None:
        query = query.where(Notification.status == status)
    return paginate(session, query, page, per_page)


def force_codes(session: Session, force_ids: set[int]) -> dict[int, str]:
    if not force_ids:
        return {}
    return dict(session.execute(select(Force.id, Force.code).where(Force.id.in_(force_ids))).all())
