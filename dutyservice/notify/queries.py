"""Reads: who a cause is addressed to (as statements to queue from), and the outbox itself."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Integer,
    String,
    cast,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.orm import Session

from ..auth.scope import Permission, Principal, readable_force_id, require
from ..duties.models import Duty, Officer
from ..duties.queries import load_officer
from ..duties.rules import DutyStatus
from ..forces.models import Force
from ..npocc.models import NpoccReturn
from ..outbox import Kind, Notification, officer_recipient, reachable
from ..pagination import Page, PageRequest, paginate
from ..reports.queries import lapsing_ost
from .rules import ADMIN, REMINDER_AHEAD, RETURN_PENDING_ALERT, TRAINING_AHEAD_DAYS

if TYPE_CHECKING:
    from ..outbox import Recipients


def reminder_recipients(now: datetime) -> Recipients:
    """Booked duties starting within the next 24 hours, for officers who want reminders."""
    return (
        select(
            literal(Kind.REMINDER.value, String),
            literal("duty:", String) + cast(Duty.id, String),
            officer_recipient(Officer.id),
            Officer.id,
            Officer.force_id,
        )
        .join(Duty.officer)
        .where(
            Duty.status == DutyStatus.BOOKED,
            Duty.starts_at > now,
            Duty.starts_at <= now + REMINDER_AHEAD,
            reachable(Officer.id, Officer.email),
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
            officer_recipient(Officer.id),
            Officer.id,
            Officer.force_id,
        )
        .join(lapsing, lapsing.c.officer_id == Officer.id)
        .where(reachable(Officer.id, Officer.email), Officer.notify_training)
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
    requested: PageRequest,
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
    return paginate(session, query, requested)


def force_codes(session: Session, force_ids: set[int]) -> dict[int, str]:
    if not force_ids:
        return {}
    return dict(session.execute(select(Force.id, Force.code).where(Force.id.in_(force_ids))).all())
