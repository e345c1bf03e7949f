"""Reads of officers, duties, hours and availability, already limited to the caller's scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, or_, select
from sqlalchemy.orm import Session

from ..auth.scope import (
    Permission,
    Principal,
    Role,
    authorise_officer,
    readable_force_id,
    require,
)
from ..clock import Month, london_today
from ..errors import Invalid, NotFound
from ..forces.queries import force_id_by_code
from ..pagination import Page, PageRequest, paginate
from .models import AvailabilityWindow, Duty, Officer
from .rules import DutyStatus, MonthStatus, hours_by_month, month_status_by

LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` literally anywhere: its `%`, `_` and `\\` are escaped."""
    escaped = (
        text.lower()
        .replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def any_contains(text: str, *columns: SQLColumnExpression[Any]) -> ColumnElement[bool]:
    """Any of `columns` contains `text`, literally and whatever its case."""
    pattern = contains_pattern(text)
    return or_(*(column.ilike(pattern, escape=LIKE_ESCAPE) for column in columns))


def load_officer(
    session: Session,
    principal: Principal,
    officer_id: int,
    permission: Permission = Permission.READ_OFFICER,
) -> Officer:
    """The officer, if the caller may `permission` on them (outside their scope: 404)."""
    officer = session.get(Officer, officer_id)
    if officer is None:
        raise NotFound("no officer with that id")
    authorise_officer(principal, permission, force_id=officer.force_id, officer_id=officer.id)
    return officer


def _scoped_officers(session: Session, principal: Principal, force: str | None) -> Select[Officer]:
    """The officers the caller may read, of the force with the code `force` if one is given."""
    force_id = force_id_by_code(session, force) if force else None
    require(principal, Permission.READ_OFFICER)
    query = select(Officer)
    if principal.role is Role.SPECIAL:
        return query.where(Officer.id == principal.officer_id)
    force_id = readable_force_id(principal, force_id)
    return query if force_id is None else query.where(Officer.force_id == force_id)


def list_officers(
    session: Session,
    principal: Principal,
    *,
    force: str | None,
    q: str | None,
    requested: PageRequest,
) -> Page[Officer]:
    query = _scoped_officers(session, principal, force)
    if q:
        query = query.where(
            any_contains(
                q, Officer.surname, Officer.forenames, Officer.warrant_number, Officer.base_location
            )
        )
    return paginate(
        session, query.order_by(Officer.surname, Officer.forenames, Officer.id), requested
    )


def list_duties(
    session: Session,
    principal: Principal,
    *,
    officer_id: int | None,
    force: str | None,
    starts_from: datetime | None,
    starts_before: datetime | None,
    status: str | None,
    requested: PageRequest,
) -> Page[Duty]:
    officers = _scoped_officers(session, principal, force).with_only_columns(Officer.id)
    query = select(Duty).where(Duty.officer_id.in_(officers.scalar_subquery()))
    if officer_id is not None:
        query = query.where(Duty.officer_id == officer_id)
    if starts_from is not None:
        query = query.where(Duty.ends_at > starts_from)
    if starts_before is not None:
        query = query.where(Duty.starts_at < starts_before)
    if status is not None:
        if status not in {s.value for s in DutyStatus}:
            raise Invalid(
                "unknown status", errors={"status": ["requested, booked, cancelled or completed"]}
            )
        query = query.where(Duty.status == status)
    return paginate(session, query.order_by(Duty.starts_at, Duty.id), requested)


@dataclass(frozen=True)
class MonthHours:
    month: Month
    hours: Decimal
    minimum: Decimal
    status: MonthStatus | None  # None: the month has not begun


def officer_hours(
    session: Session,
    principal: Principal,
    officer_id: int,
    year: int,
    minimum_of: Callable[[Officer, Month], Decimal] | None = None,
) -> list[MonthHours]:
    """The officer's completed hours by month against the minimum of each month: the force's
    setting, or what `minimum_of` finds for the officer that month (by period and stage)."""
    officer = load_officer(session, principal, officer_id)
    start, _ = Month(year, 1).utc_bounds()
    _, end = Month(year, 12).utc_bounds()
    spans = session.execute(
        select(Duty.actual_starts_at, Duty.actual_ends_at).where(
            Duty.officer_id == officer.id,
            Duty.status == DutyStatus.COMPLETED,
            Duty.actual_starts_at >= start,
            Duty.actual_starts_at < end,
        )
    ).all()
    # A completed duty always has its actual times (the service sets them when completing).
    totals = hours_by_month((s, e) for s, e in spans if s is not None and e is not None)
    months = [Month(year, m) for m in range(1, 13)]
    minimums = {
        m: minimum_of(officer, m) if minimum_of else officer.force.monthly_minimum_hours
        for m in months
    }
    today = london_today()
    return [
        MonthHours(
            m,
            totals.get(m, Decimal("0.00")),
            minimums[m],
            month_status_by(m, today, totals.get(m, Decimal(0)), minimums[m]),
        )
        for m in months
    ]


def availability(
    session: Session,
    principal: Principal,
    officer_id: int,
    range_start: datetime,
    range_end: datetime,
) -> list[AvailabilityWindow]:
    officer = load_officer(session, principal, officer_id)
    return list(
        session.scalars(
            select(AvailabilityWindow)
            .where(
                AvailabilityWindow.officer_id == officer.id,
                AvailabilityWindow.starts_at < range_end,
                AvailabilityWindow.ends_at > range_start,
            )
            .order_by(AvailabilityWindow.starts_at)
        )
    )
