"""An officer's hours by month said in words, as the Special's page shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..clock import Month
from ..duties.queries import MonthHours
from ..duties.rules import MonthStatus


@dataclass(frozen=True)
class MonthLine:
    month: Month
    text: str
    tone: str  # green (met), amber (below), red (none), grey (not counted yet, or not serving)


def hours_text(hours: Decimal) -> str:
    return f"{float(hours):g}"


def month_name(month: Month) -> str:
    return month.first_day.strftime("%B %Y")


def month_line(row: MonthHours, joined_on: date, today: date) -> MonthLine:
    """'November 2026: 18 of 16 hours — minimum met'; a month before joining, or the one
    still running, is never marked as missed."""
    name = month_name(row.month)
    done, minimum = hours_text(row.hours), hours_text(row.minimum)
    if Month.of(joined_on) > row.month:
        return MonthLine(row.month, f"{name}: before you joined", "grey")
    if row.status is None or row.month == Month.of(today):
        still = still_needed(row)
        tail = "minimum met" if not still else f"{hours_text(still)} hours still needed"
        return MonthLine(row.month, f"{name}: {done} of {minimum} hours so far — {tail}", "grey")
    words = {
        MonthStatus.GREEN: ("minimum met", "green"),
        MonthStatus.AMBER: ("below the minimum", "amber"),
        MonthStatus.RED: ("no hours", "red"),
    }[row.status]
    return MonthLine(row.month, f"{name}: {done} of {minimum} hours — {words[0]}", words[1])


def still_needed(row: MonthHours) -> Decimal:
    return max(row.minimum - row.hours, Decimal(0))
