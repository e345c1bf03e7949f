"""The rules of duties and hours (API.md "Duties", "Reports"), as plain functions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from ..clock import Month, london_day_of, to_utc

LONGEST_DUTY = timedelta(hours=24)
RANKS = ("SC", "SSGT", "SINSP", "SCINSP", "SSUPT", "SDCO", "SCO")
TWO_PLACES = Decimal("0.01")


class DutyStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class MonthStatus(StrEnum):
    GREEN = "green"  # the force's minimum met
    AMBER = "amber"  # some hours, below the minimum
    RED = "red"  # no hours


def elapsed_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    """Real elapsed time in hours, two decimals: 22:00 BST to 06:00 GMT is 9.00."""
    # Python subtracts two datetimes sharing a tzinfo by wall clock; UTC makes it elapsed time.
    return hours_of(to_utc(ends_at) - to_utc(starts_at))


def hours_of(elapsed: timedelta) -> Decimal:
    seconds = Decimal(elapsed // timedelta(microseconds=1)) / Decimal(1_000_000)
    return (seconds / Decimal(3600)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def duty_time_errors(
    starts_at: datetime, ends_at: datetime, prefix: str = ""
) -> dict[str, list[str]]:
    """What is wrong with a duty's times: field name -> messages (empty when they are fine)."""
    starts_at, ends_at = to_utc(starts_at), to_utc(ends_at)
    if ends_at <= starts_at:
        return {f"{prefix}ends_at": ["must be after starts_at"]}
    if ends_at - starts_at > LONGEST_DUTY:
        return {f"{prefix}ends_at": ["a duty lasts at most 24 hours"]}
    return {}


def serving_on(day: date, joined_on: date, left_on: date | None) -> bool:
    """An officer serves from the day they join until the day before they leave."""
    return joined_on <= day and (left_on is None or day < left_on)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open spans overlap; a duty ending when the next starts does not."""
    a_start, a_end, b_start, b_end = (to_utc(t) for t in (a_start, a_end, b_start, b_end))
    return a_start < b_end and b_start < a_end


def month_status(hours: Decimal, minimum: Decimal) -> MonthStatus:
    if hours <= 0:
        return MonthStatus.RED
    return MonthStatus.GREEN if hours >= minimum else MonthStatus.AMBER


def hours_by_month(spans: Iterable[tuple[datetime, datetime]]) -> dict[Month, Decimal]:
    """Completed duties' hours, each counted in the Europe/London month in which it started.

    Elapsed times are summed exactly and rounded once, as the NPoCC return does.
    """
    totals: dict[Month, timedelta] = {}
    for starts_at, ends_at in spans:
        month = Month.of(london_day_of(starts_at))
        totals[month] = totals.get(month, timedelta(0)) + (to_utc(ends_at) - to_utc(starts_at))
    return {month: hours_of(total) for month, total in totals.items()}
