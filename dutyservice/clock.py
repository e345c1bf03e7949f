"""Time: instants are UTC; days, months and quarters are Europe/London calendar days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar, Self
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# Every instant, day, month and quarter the service takes in lies in these years (API.md).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def year_problem(year: int) -> str | None:
    """Why a value written in `year` is refused, or None when the year is in range."""
    if EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None
    return f"the year must be between {EARLIEST_YEAR} and {LATEST_YEAR}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("an instant needs a UTC offset")
    return instant.astimezone(UTC)


def london_today() -> date:
    return utc_now().astimezone(LONDON).date()


def london_day_of(instant: datetime) -> date:
    return to_utc(instant).astimezone(LONDON).date()


def start_of_london_day(day: date) -> datetime:
    """The UTC instant at which this Europe/London calendar day begins."""
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def london_days_spanned(starts_at: datetime, ends_at: datetime) -> tuple[date, date]:
    """First and last London day touched by the half-open window [starts_at, ends_at)."""
    first = london_day_of(starts_at)
    last = london_day_of(ends_at - timedelta(microseconds=1))
    return first, max(first, last)


@dataclass(frozen=True, order=True)
class _Period:
    """A run of whole Europe/London calendar days: the year's `number`th month or quarter."""

    #: How many the year has, and how one is written: the year, then its number.
    PER_YEAR: ClassVar[int]
    WRITTEN: ClassVar[str]
    PATTERN: ClassVar[str]

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Self:
        match = re.fullmatch(cls.PATTERN, text)
        if not match or not 1 <= int(match.group(2)) <= cls.PER_YEAR:
            raise ValueError(cls.WRITTEN)
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Self:
        return cls(day.year, (day.month - 1) * cls.PER_YEAR // 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, (self.number - 1) * 12 // self.PER_YEAR + 1, 1)

    def next(self) -> Self:
        return type(self)(self.year + self.number // self.PER_YEAR, self.number % self.PER_YEAR + 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The instants the period's first day begins and the next period's first day begins."""
        return start_of_london_day(self.first_day), start_of_london_day(self.next().first_day)


class Month(_Period):
    PER_YEAR = 12
    WRITTEN = "a month is written YYYY-MM"
    PATTERN = r"(\d{4})-(\d{2})"

    @property
    def month(self) -> int:
        return self.number

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class Quarter(_Period):
    PER_YEAR = 4
    WRITTEN = "a quarter is written YYYY-Qn, n from 1 to 4"
    PATTERN = r"(\d{4})-Q([1-4])"

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    @property
    def compact(self) -> str:
        return f"{self.year:04d}Q{self.number}"

    def __str__(self) -> str:
        return f"{self.year:04d}-Q{self.number}"


class WallClockError(ValueError):
    """A London wall-clock time that names no instant, or two."""


def london_wall_clock(wall: datetime) -> datetime:
    """The UTC instant a Europe/London wall-clock time (naive) names.

    On the day the clocks go forward an hour of wall-clock times never happens; on the day they
    go back an hour happens twice. Neither names one instant, so neither is guessed at.
    """
    if wall.tzinfo is not None:
        raise ValueError("a wall-clock time has no offset")
    first = wall.replace(tzinfo=LONDON, fold=0)
    second = wall.replace(tzinfo=LONDON, fold=1)
    if first.utcoffset() != second.utcoffset():
        if first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != wall:
            raise WallClockError("the clocks go forward past this time that day; give an offset")
        raise WallClockError(
            "this time happens twice that day (the clocks go back); give an offset"
        )
    return first.astimezone(UTC)
