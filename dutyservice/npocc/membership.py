"""Who is in a return and what is said of them (FEED.md), as one statement in the database."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Date,
    Integer,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    bindparam,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from ..clock import Quarter
from ..db import UTCDateTime, bytewise, elapsed_seconds
from ..duties.models import Duty, Officer
from ..duties.rules import DutyStatus
from ..ips import eligibility
from ..ips.models import IpsGrant
from ..ips.rules import ProfileRequirements
from .feed import OfficerLine

# One statement a role profile version. A quarter's run makes each force's returns version
# after version, so a cache smaller than the number of versions missed on every return: with
# 100 versions, 4,300 returns each composed their statement again (0.15 s a time).
RETURN_QUERIES = 1024


@lru_cache(maxsize=RETURN_QUERIES)
def return_query(profile: ProfileRequirements) -> Select[*tuple[Any, ...]]:
    """The return's rows for a profile; the force and the quarter are bind parameters
    (`return_parameters`).

    Built once: composing the rule's dozens of aliased EXISTS clauses took longer than running
    the statement for a force.
    """
    as_at = bindparam("as_at", type_=Date())
    after_as_at = bindparam("after_as_at", type_=Date())
    period_start = bindparam("period_start", type_=UTCDateTime())
    period_end = bindparam("period_end", type_=UTCDateTime())
    force_id = bindparam("force_id", type_=Integer())
    granted_on, authorised_by = _grant_columns(as_at)
    ost_expires_on = eligibility.ost_expiry(Officer.id, as_at).scalar_subquery()
    duties = _completed_in_quarter(force_id, period_start, period_end)
    return (
        select(
            Officer.warrant_number,
            Officer.rank,
            Officer.base_location,
            granted_on.label("ips_granted_on"),
            authorised_by.label("ips_authorised_by"),
            ost_expires_on.label("ost_expires_on"),
            func.coalesce(duties.c.count, 0).label("duties"),
            func.coalesce(duties.c.seconds, 0).label("seconds"),
        )
        .outerjoin(duties, duties.c.officer_id == Officer.id)
        .where(
            and_(
                Officer.force_id == force_id,
                eligibility.meets_profile(profile, as_at, as_at, after_as_at),
            )
        )
        .order_by(bytewise(Officer.warrant_number))
    )


def _grant_columns(as_at: BindParameter[Any]) -> tuple[ScalarSelect[Any], ScalarSelect[Any]]:
    """The officer's grant in force on `as_at`: when it was granted, and who authorised it."""
    grant = eligibility.grant_in_force(Officer.id, as_at)
    granted_on = grant.with_only_columns(IpsGrant.granted_on).scalar_subquery()
    authorised_by = grant.with_only_columns(
        IpsGrant.authorised_by_name
        + literal(", ")
        + IpsGrant.authorised_by_rank
        + literal(", ")
        + IpsGrant.authorised_by_position
    ).scalar_subquery()
    return granted_on, authorised_by


def _completed_in_quarter(
    force_id: BindParameter[Any], period_start: BindParameter[Any], period_end: BindParameter[Any]
) -> Subquery:
    """Each of the force's officers' completed duties in the quarter: how many, how long.
    The force's officers only: each one's completed duties in the quarter are an index range."""
    return (
        select(
            Duty.officer_id,
            func.count().label("count"),
            func.sum(elapsed_seconds(Duty.actual_starts_at, Duty.actual_ends_at)).label("seconds"),
        )
        .where(
            Duty.officer_id.in_(select(Officer.id).where(Officer.force_id == force_id)),
            Duty.status == DutyStatus.COMPLETED,
            Duty.actual_starts_at >= period_start,
            Duty.actual_starts_at < period_end,
        )
        .group_by(Duty.officer_id)
        .subquery()
    )


def return_parameters(force_id: int, quarter: Quarter) -> dict[str, Any]:
    """FEED.md: the officers as at the quarter's last day, their duties in the quarter."""
    period_start, period_end = quarter.utc_bounds()
    return {
        "force_id": force_id,
        "as_at": quarter.last_day,
        "after_as_at": quarter.next().first_day,
        "period_start": period_start,
        "period_end": period_end,
    }


def officer_lines(
    session: Session, force_id: int, profile: ProfileRequirements, quarter: Quarter
) -> Iterator[OfficerLine]:
    """The return's officers, in officer_ref order (a few thousand rows at most)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Planned for this force and quarter: one generic plan for every force took 4 s for
        # the largest, where its own plan takes 0.05 s.
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
    result = connection.execute(
        return_query(profile),
        return_parameters(force_id, quarter),
    )
    try:
        for row in result:
            yield OfficerLine(
                warrant_number=row.warrant_number,
                rank=row.rank,
                base_location=row.base_location,
                ips_granted_on=row.ips_granted_on,
                ips_authorised_by=row.ips_authorised_by,
                ost_expires_on=row.ost_expires_on,
                duties_in_period=int(row.duties),
                duty_seconds_in_period=round(row.seconds),
            )
    finally:
        result.close()
