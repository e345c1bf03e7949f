"""The rules of duties and hours (API.md "Duties", "Reports"), as plain functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from ..clock import Month, london_day_of, start_of_london_day, to_utc

LONGEST_DUTY = timedelta(hours=24)
RANKS = ("SC", "SSGT", "SINSP", "SCINSP", "SSUPT", "SDCO", "SCO")
TWO_PLACES = Decimal("0.01")


class DutyStatus(StrEnum):
    # Holds the officer's time (no overlapping duty) but is not yet booked: a mutual-aid
    # sign-up waiting for the officer's own force to release them (events.rules.SignupStatus).
    REQUESTED = "requested"
    BOOKED = "booked"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class MonthStatus(StrEnum):
    GREEN = "green"  # the force's minimum met
    AMBER = "amber"  # some hours, below the minimum
    RED = "red"  # no hours


class Preference(StrEnum):
    """The kinds an officer may opt out of, as named in `notify`."""

    CALLOUTS = "callouts"
    REMINDERS = "reminders"
    TRAINING = "training"


def preference_column(preference: Preference) -> str:
    return f"notify_{preference.value}"


def preference_columns(notify: dict[str, bool]) -> dict[str, bool]:
    """The officer's columns for a `notify` object: {"callouts": false} → notify_callouts."""
    return {preference_column(Preference(name)): bool(value) for name, value in notify.items()}


#: What a Special may change on their own record: how, and whether, they are told.
SELF_SERVICE_FIELDS = frozenset({"email", "notify"})


def contact_columns(data: dict[str, Any]) -> dict[str, Any]:
    """The officer's columns for the `email` and `notify` of a request body (if given)."""
    columns: dict[str, Any] = {"email": data["email"]} if "email" in data else {}
    return columns | preference_columns(data.get("notify") or {})


def audited(changes: dict[str, Any]) -> dict[str, Any]:
    """Changes as the audit trail keeps them: that an address changed, never the address."""
    if "email" not in changes:
        return changes
    return changes | {"email": "set" if changes["email"] else "removed"}


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


@dataclass(frozen=True)
class Service:
    """An officer's service: from joined_on, serving until the day before left_on (London days)."""

    joined_on: date
    left_on: date | None = None


def outside_service(service: Service, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether any of [starts_at, ends_at) falls outside the officer's service.

    Service begins at the start of the London day joined_on and ends at the start of left_on
    (FEED.md: serving on D when joined_on <= D and left_on > D).
    """
    if to_utc(starts_at) < start_of_london_day(service.joined_on):
        return True
    return service.left_on is not None and to_utc(ends_at) > start_of_london_day(service.left_on)


def completion_errors(
    starts_at: datetime, ends_at: datetime, service: Service, now: datetime
) -> dict[str, list[str]]:
    """What is wrong with a completion's actual times: field name -> messages (empty if none).

    The same rules as a booking (after the start, at most 24 hours), and: not in the future,
    and inside the officer's service, so that no hour is counted outside it.
    """
    errors = duty_time_errors(starts_at, ends_at, prefix="actual_")
    if errors:
        return errors
    if to_utc(ends_at) > to_utc(now):
        return {"actual_ends_at": ["is in the future"]}
    if outside_service(service, starts_at, ends_at):
        return {"actual_starts_at": ["outside the officer's service"]}
    return {}


def first_overlapping(
    completed: Iterable[tuple[int, datetime, datetime]], starts_at: datetime, ends_at: datetime
) -> int | None:
    """The id of a completed duty whose actual times overlap [starts_at, ends_at), if any:
    an hour is counted once, however many duties claim it."""
    for duty_id, other_start, other_end in completed:
        if overlaps(other_start, other_end, starts_at, ends_at):
            return duty_id
    return None


Span = tuple[datetime, datetime]


def availability_errors(
    range_start: datetime, range_end: datetime, windows: list[Span]
) -> dict[str, list[str]]:
    """What is wrong with declaring `windows` (in order) as all the officer's availability
    within [range_start, range_end): each must end after it starts, lie within, and not overlap
    the next. Empty when it is valid."""
    errors: dict[str, list[str]] = {}
    if range_end <= range_start:
        errors["to"] = ["must be after from"]
    for index, (starts_at, ends_at) in enumerate(windows):
        if ends_at <= starts_at:
            errors.setdefault("windows", []).append("each window must end after it starts")
        elif starts_at < range_start or ends_at > range_end:
            errors.setdefault("windows", []).append("each window must lie within from and to")
        elif index and windows[index - 1][1] > starts_at:
            errors.setdefault("windows", []).append("windows must not overlap each other")
    return errors


def outside_range(
    windows: Iterable[Span], range_start: datetime, range_end: datetime
) -> list[Span]:
    """The parts of `windows` that lie outside [range_start, range_end): what a replacement of
    that range keeps of the windows that straddle its edges."""
    return [
        (start, end)
        for window_start, window_end in windows
        for start, end in ((window_start, range_start), (range_end, window_end))
        if start < end
    ]


def month_status(hours: Decimal, minimum: Decimal) -> MonthStatus:
    if hours <= 0:
        return MonthStatus.RED
    return MonthStatus.GREEN if hours >= minimum else MonthStatus.AMBER


def month_status_by(
    month: Month, today: date, hours: Decimal, minimum: Decimal
) -> MonthStatus | None:
    """A month's status as it stands on `today`; a month not yet begun has none (not red)."""
    if month.first_day > today:
        return None
    return month_status(hours, minimum)


def hours_by_month(spans: Iterable[tuple[datetime, datetime]]) -> dict[Month, Decimal]:
    """Completed duties' hours, each counted in the Europe/London month in which it started.

    Elapsed times are summed exactly and rounded once, as the NPoCC return does.
    """
    totals: dict[Month, timedelta] = {}
    for starts_at, ends_at in spans:
        month = Month.of(london_day_of(starts_at))
        totals[month] = totals.get(month, timedelta(0)) + (to_utc(ends_at) - to_utc(starts_at))
    return {month: hours_of(total) for month, total in totals.items()}
