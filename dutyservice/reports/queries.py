"""Supervisors' reports: the team's month, and whose safety training runs out soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from sqlalchemy import Subquery, and_, func, or_, select
from sqlalchemy.orm import Session

from ..auth.scope import Permission, Principal, authorise_force_read
from ..clock import Month, london_today
from ..db import bytewise, elapsed_seconds
from ..duties.models import Duty, Officer
from ..duties.rules import DutyStatus, MonthStatus, hours_of, month_status
from ..forces.queries import force_by_code
from ..ips.learning_queries import MonthlyMinimums
from ..ips.models import TrainingRecord
from ..ips.rules import OST


@dataclass(frozen=True)
class OfficerMonth:
    officer_id: int
    officer_ref: str
    hours: Decimal
    minimum: Decimal
    status: MonthStatus


def team_hours(
    session: Session, principal: Principal, force_code: str, month: Month
) -> list[OfficerMonth]:
    """Every officer serving in the month, with completed hours by London month of start,
    against the minimum in force that month for the officer's stage."""
    force = force_by_code(session, force_code)
    authorise_force_read(principal, Permission.READ_REPORTS, force_id=force.id)
    start, end = month.utc_bounds()
    last_day = month.last_day
    seconds = (
        select(
            Duty.officer_id,
            func.sum(elapsed_seconds(Duty.actual_starts_at, Duty.actual_ends_at)).label("seconds"),
        )
        .where(
            Duty.officer_id.in_(select(Officer.id).where(Officer.force_id == force.id)),
            Duty.status == DutyStatus.COMPLETED,
            Duty.actual_starts_at >= start,
            Duty.actual_starts_at < end,
        )
        .group_by(Duty.officer_id)
        .subquery()
    )
    rows = session.execute(
        select(Officer.id, Officer.warrant_number, func.coalesce(seconds.c.seconds, 0))
        .outerjoin(seconds, seconds.c.officer_id == Officer.id)
        .where(
            Officer.force_id == force.id,
            Officer.joined_on <= last_day,
            or_(Officer.left_on.is_(None), Officer.left_on > month.first_day),
        )
        .order_by(bytewise(Officer.warrant_number))
    ).all()
    typed = cast("list[tuple[int, str, Decimal]]", rows)
    minimums = MonthlyMinimums(session, force, [officer_id for officer_id, _, _ in typed])
    result = []
    # The subquery's column is untyped; a Row with an untyped column unpacks as objects.
    for officer_id, warrant, total in typed:
        hours = hours_of(timedelta(seconds=round(total)))
        minimum = minimums.of(officer_id, month)
        result.append(
            OfficerMonth(
                officer_id, f"{force.code}-{warrant}", hours, minimum, month_status(hours, minimum)
            )
        )
    return result


@dataclass(frozen=True)
class Expiring:
    officer_id: int
    officer_ref: str
    what: str
    expires_on: date


def expiring_training(
    session: Session,
    principal: Principal,
    force_code: str,
    within_days: int,
    today: date | None = None,
) -> list[Expiring]:
    """Serving officers whose current OST lapses within the days given, with no later training
    recorded (its latest expiry is the one running out), soonest first."""
    force = force_by_code(session, force_code)
    authorise_force_read(principal, Permission.READ_REPORTS, force_id=force.id)
    lapsing = lapsing_ost(today or london_today(), within_days)
    rows = session.execute(
        select(Officer.id, Officer.warrant_number, lapsing.c.expires_on)
        .join(lapsing, lapsing.c.officer_id == Officer.id)
        .where(Officer.force_id == force.id)
        .order_by(lapsing.c.expires_on, bytewise(Officer.warrant_number))
    ).all()
    return [
        Expiring(officer_id, f"{force.code}-{warrant}", OST, expires_on)
        for officer_id, warrant, expires_on in cast("list[tuple[int, str, date]]", rows)
    ]


def lapsing_ost(today: date, within_days: int) -> Subquery:
    """(officer_id, expires_on) of every serving officer whose current OST lapses within the
    days given with no later training recorded (its latest expiry is the one running out)."""
    latest = (
        select(TrainingRecord.officer_id, func.max(TrainingRecord.expires_on).label("expires_on"))
        .where(TrainingRecord.kind == OST)
        .group_by(TrainingRecord.officer_id)
        .subquery()
    )
    current = select(TrainingRecord.officer_id).where(
        TrainingRecord.kind == OST,
        TrainingRecord.completed_on <= today,
        TrainingRecord.expires_on >= today,
    )
    return (
        select(Officer.id.label("officer_id"), latest.c.expires_on)
        .join(latest, latest.c.officer_id == Officer.id)
        .where(
            and_(
                Officer.joined_on <= today, or_(Officer.left_on.is_(None), Officer.left_on > today)
            ),
            latest.c.expires_on >= today,
            latest.c.expires_on <= today + timedelta(days=within_days),
            Officer.id.in_(current),
        )
        .subquery("lapsing_ost")
    )
