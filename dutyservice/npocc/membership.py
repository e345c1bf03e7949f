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
from .feed import OfficerLine

#: How PostgreSQL plans a return (one round trip, before the statement):
#: - for this force and quarter: one generic plan for every force took 4 s for the largest,
#:   where its own plan takes 0.05 s;
#: - without parallel workers: for the largest force of 25,000 officers PostgreSQL chose three
#:   processes reading every duty (217 ms) over one reading its officers' duties by index
#:   (75 ms), and a quarter's run beside the planners' questions left them no core.
RETURN_PLANNING = (
    "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL max_parallel_workers_per_gather = 0"
)


@lru_cache(maxsize=1)
def return_query() -> Select[*tuple[Any, ...]]:
    """The return's rows; the force, the role profile version and the quarter are bind
    parameters (`return_parameters`).

    Its officers are those with a stored eligibility span of the version covering the
    quarter's last day (`ips/spans.py`): a span holds only days of service, so they serve and
    meet FEED.md's rule on that day. Evaluating the rule for each of a force's officers did
    three times the database's work, on every return of a quarter's run.
    """
    as_at = bindparam("as_at", type_=Date())
    period_start = bindparam("period_start", type_=UTCDateTime())
    period_end = bindparam("period_end", type_=UTCDateTime())
    force_id = bindparam("force_id", type_=Integer())
    members = eligibility.covering_spans(
        bindparam("role_profile_id", type_=Integer()), as_at, as_at, force_id
    ).subquery("members")
    granted_on, authorised_by = _grant_columns(as_at)
    ost_expires_on = eligibility.ost_expiry(Officer.id, as_at).scalar_subquery()
    duties = _completed_in_quarter(members, period_start, period_end)
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
        .join_from(members, Officer, Officer.id == members.c.officer_id)
        .outerjoin(duties, duties.c.officer_id == Officer.id)
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
    members: Subquery, period_start: BindParameter[Any], period_end: BindParameter[Any]
) -> Subquery:
    """Each of the return's officers' completed duties in the quarter: how many, how long;
    each one's are an index range."""
    return (
        select(
            Duty.officer_id,
            func.count().label("count"),
            func.sum(elapsed_seconds(Duty.actual_starts_at, Duty.actual_ends_at)).label("seconds"),
        )
        .where(
            Duty.officer_id.in_(select(members.c.officer_id)),
            Duty.status == DutyStatus.COMPLETED,
            Duty.actual_starts_at >= period_start,
            Duty.actual_starts_at < period_end,
        )
        .group_by(Duty.officer_id)
        .subquery()
    )


def return_parameters(force_id: int, role_profile_id: int, quarter: Quarter) -> dict[str, Any]:
    """FEED.md: the officers as at the quarter's last day, their duties in the quarter."""
    period_start, period_end = quarter.utc_bounds()
    return {
        "force_id": force_id,
        "role_profile_id": role_profile_id,
        "as_at": quarter.last_day,
        "period_start": period_start,
        "period_end": period_end,
    }


def officer_lines(
    session: Session, force_id: int, role_profile_id: int, quarter: Quarter
) -> Iterator[OfficerLine]:
    """The return's officers, in officer_ref order (a few thousand rows at most)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(RETURN_PLANNING)
    result = connection.execute(
        return_query(),
        return_parameters(force_id, role_profile_id, quarter),
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
