"""London wall-clock values as people type and read them: a date in three boxes, a time such
as 18:00, and a duty's times in words ("Sunday 13 December 18:00 to midnight")."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from ..clock import LONDON

TIME = re.compile(r"(\d{1,2})(?:[:.]?(\d{2}))?")
WORDS = {"midnight": time(0), "noon": time(12), "midday": time(12)}


class NotAWallClock(ValueError):
    """What a person typed is not a real date or time; the message says so in plain words."""


def parse_day(day: str, month: str, year: str) -> date:
    parts = [part.strip() for part in (day, month, year)]
    if not all(parts):
        raise NotAWallClock("Enter the date: day, month and year")
    if not all(part.isdigit() and len(part) <= 4 for part in parts):
        raise NotAWallClock("Enter the date in numbers, for example 13 12 2026")
    d, m, y = (int(part) for part in parts)
    if not 1900 <= y <= 2200:
        raise NotAWallClock("Enter a year with four digits, for example 2026")
    try:
        return date(y, m, d)
    except ValueError:
        raise NotAWallClock("Enter a real date: that day does not exist") from None


def parse_time(text: str) -> time:
    text = text.strip().lower()
    if not text:
        raise NotAWallClock("Enter a time, for example 18:00")
    if text in WORDS:
        return WORDS[text]
    match = TIME.fullmatch(text)
    hour, minute = (int(match.group(1)), int(match.group(2) or 0)) if match else (99, 0)
    if hour > 23 or minute > 59:
        raise NotAWallClock("Enter a real time on the 24-hour clock, for example 18:00")
    return time(hour, minute)


def london(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


def span(day: date, starts: time, ends: time) -> tuple[datetime, datetime]:
    """A duty's start and end: an end at or before the start is on the next day."""
    starts_at = london(day, starts)
    ends_day = day + timedelta(days=1) if ends <= starts else day
    return starts_at, london(ends_day, ends)


def wall_clock(value: str) -> datetime:
    """A `datetime-local` value (2026-12-13T18:00) as a London instant."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?", value.strip())
    if not match:
        raise NotAWallClock("Enter a date and time, for example 2026-12-13 18:00")
    year, month, day = match.group(1, 2, 3)
    return london(parse_day(day, month, year), parse_time(f"{match[4]}:{match[5]}"))


def clock_words(at: datetime) -> str:
    local = at.astimezone(LONDON)
    return "midnight" if local.time() == time(0) else local.strftime("%H:%M")


def day_words(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def span_words(starts_at: datetime, ends_at: datetime) -> str:
    """'Sunday 13 December 18:00 to midnight', or '... 22:00 to 02:00 on Monday 14 December'."""
    start, end = starts_at.astimezone(LONDON), ends_at.astimezone(LONDON)
    text = f"{day_words(start.date())} {clock_words(start)} to {clock_words(end)}"
    next_midnight = end.time() == time(0) and end.date() == start.date() + timedelta(days=1)
    if end.date() != start.date() and not next_midnight:
        text += f" on {day_words(end.date())}"
    return text
