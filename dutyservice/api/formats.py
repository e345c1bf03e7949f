"""marshmallow fields for the API conventions: UTC instants with Z, London days, safe text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..clock import LONDON

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
MAX_ID = 2**31 - 1


class Instant(fields.AwareDateTime):
    """RFC 3339 with an offset in; UTC with `Z` out."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).setdefault("example", "2026-11-21T22:00:00Z")
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        instant = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST_YEAR <= instant.year <= LATEST_YEAR:
            raise ma.ValidationError(f"year must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
        return instant.astimezone(UTC)


class Day(fields.Date):
    """A Europe/London calendar day, YYYY-MM-DD."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise ma.ValidationError(f"year must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
        return day


class InstantOrDay(Instant):
    """An instant, or a London day standing for its start (or, with `end=True`, its end)."""

    def __init__(self, *, end: bool = False, **kwargs: Any) -> None:
        self.end = end
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, str) and len(value) == 10:
            day = Day()._deserialize(value, attr, data)
            if self.end:
                day += timedelta(days=1)
            return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)
        return super()._deserialize(value, attr, data, **kwargs)


def no_nul(value: str) -> None:
    if "\x00" in value:
        raise ma.ValidationError("must not contain NUL characters")


def Text(
    max_length: int, *, required: bool = False, min_length: int = 0, **kwargs: Any
) -> fields.String:
    return fields.String(
        required=required,
        validate=[validate.Length(min=min_length, max=max_length), no_nul],
        **kwargs,
    )


def Id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """A service-assigned id: strict in JSON bodies; in a query string it arrives as text."""
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID), **kwargs)


def Hours(**kwargs: Any) -> fields.Float:
    return fields.Float(**kwargs)


def parsed_by(parse: Callable[[str], object]) -> Callable[[str], None]:
    """A validator: the value is one `parse` accepts; its ValueError is the message (422)."""

    def validate_text(value: str) -> None:
        try:
            parse(value)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from None

    return validate_text
