"""Sorting and filtering the deployable and readiness tables without JavaScript: the choices
travel as query parameters (`sort`, `base`, `ost_until`), so a link keeps them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from .wall_clock import NotAWallClock, parse_day

T = TypeVar("T")
SORTS = {
    "officer": "Officer",
    "base": "Base",
    "ost": "Safety training until (soonest first)",
    "force": "Force",
}
FAR_FUTURE = date.max


@dataclass(frozen=True)
class TableView:
    """What the person chose: a sort, a base location and a last day of safety training."""

    sort: str = ""
    base: str = ""
    ost_until: date | None = None
    error: str = ""

    @property
    def chosen(self) -> bool:
        return bool(self.sort or self.base or self.ost_until)


def table_view(args: Mapping[str, str]) -> TableView:
    sort = args.get("sort", "")
    base = args.get("base", "").strip()[:120]
    ost_until, error = None, ""
    given = args.get("ost_until", "").strip()
    if given:
        try:
            year, month, day = ([*given.split("-"), "", "", ""])[:3]
            ost_until = parse_day(day, month, year)
        except NotAWallClock as wrong:
            error = str(wrong)
    return TableView(sort if sort in SORTS else "", base, ost_until, error)


def applied(
    rows: Sequence[T],
    view: TableView,
    *,
    base_of: Callable[[T], str],
    ost_of: Callable[[T], date | None],
    keys: Mapping[str, Callable[[T], Any]],
) -> list[T]:
    """The rows at the chosen base, whose safety training lasts at least until the chosen
    day, in the chosen order (the service's order otherwise)."""
    kept = [
        row
        for row in rows
        if (not view.base or base_of(row) == view.base)
        and (view.ost_until is None or (ost_of(row) or date.min) >= view.ost_until)
    ]
    if view.sort in keys:
        kept.sort(key=keys[view.sort])
    return kept


def bases(rows: Sequence[T], base_of: Callable[[T], str]) -> list[tuple[str, str]]:
    return [(b, b) for b in sorted({base_of(row) for row in rows if base_of(row)})]
