"""A force's monthly minimum hours by period and stage, in plain Python."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class MinimumRow:
    """From `from_month` (its first day) on, `hours` a month for officers at `stage` ('' for
    every officer), until a later row of the same stage."""

    from_month: date
    stage: str
    hours: Decimal


def minimum_in_force(
    rows: Iterable[MinimumRow], month_first: date, stage: str | None, default: Decimal
) -> Decimal:
    """The minimum for a month and an officer's stage that month: the latest row of that stage
    in force wins over the force's rows without one; without either, the force's setting."""
    in_force = [row for row in rows if row.from_month <= month_first]
    for wanted in (stage, ""):
        if wanted is None:
            continue
        matching = [row for row in in_force if row.stage == wanted]
        if matching:
            return max(matching, key=lambda row: row.from_month).hours
    return default
