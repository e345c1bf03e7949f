"""marshmallow fields for the API conventions: UTC instants with Z, London days, months and
quarters bounded to the years 1900-2200, and safe text.

The web pages validate with the same schemas, so every rule about the shape of a value lives in
these fields, never in a view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

import marshmallow as ma
from marshmallow import fields, validate

from ..clock import LONDON, Month, Quarter, year_problem
from ..plaintext import header_text_problem, plain_text_problem

MAX_ID = 2**31 - 1
# The years 1900-2200 as a regular expression, so that the document declares the bound too.
YEAR = "(19[0-9]{2}|2[01][0-9]{2}|2200)"
DAY_PATTERN = f"^{YEAR}-[0-9]{{2}}-[0-9]{{2}}$"
INSTANT_PATTERN = (
    f"^{YEAR}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\\.[0-9]+)?"
    "(Z|z|[+-][0-9]{2}:[0-9]{2})$"
)
MONTH_PATTERN = f"^{YEAR}-(0[1-9]|1[0-2])$"
QUARTER_PATTERN = f"^{YEAR}-Q[1-4]$"
INSTANT_FORM = "an RFC 3339 instant with an offset, such as 2026-12-03T18:00:00Z"
QUERY_PLUS_HINT = " (in a query string write an offset's + as %2B: a bare + reads as a space)"


def _year_in_range(year: int) -> None:
    problem = year_problem(year)
    if problem:
        raise ma.ValidationError(problem)


def _with_metadata(kwargs: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    metadata = kwargs.setdefault("metadata", {})
    for key, value in defaults.items():
        metadata.setdefault(key, value)
    return kwargs


class Instant(fields.AwareDateTime):
    """RFC 3339 with an offset in; UTC with `Z` out."""

    default_error_messages = {
        "invalid": f"expected {INSTANT_FORM}",
        "invalid_awareness": f"expected {INSTANT_FORM}: the offset is missing",
    }

    def __init__(self, **kwargs: Any) -> None:
        _with_metadata(kwargs, example="2026-11-21T22:00:00Z", pattern=INSTANT_PATTERN)
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, str) and " " in value.strip():
            # `+01:00` sent unencoded in a query string arrives as ` 01:00`.
            raise ma.ValidationError(f"expected {INSTANT_FORM}{QUERY_PLUS_HINT}")
        instant = super()._deserialize(value, attr, data, **kwargs)
        _year_in_range(instant.year)
        return instant.astimezone(UTC)


class Day(fields.Date):
    """A Europe/London calendar day, YYYY-MM-DD."""

    default_error_messages = {"invalid": "expected a day written YYYY-MM-DD, such as 2026-12-03"}

    def __init__(self, **kwargs: Any) -> None:
        _with_metadata(kwargs, example="2026-12-03", pattern=DAY_PATTERN)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        _year_in_range(day.year)
        return day


INSTANT_OR_DAY = (
    "An instant (RFC 3339 with an offset, e.g. `2026-12-03T18:00:00Z`; in a query string write "
    "an offset's `+` as `%2B`), or a day `YYYY-MM-DD` (Europe/London), which stands for {edge}. "
    "Years 1900-2200."
)


class InstantOrDay(Instant):
    """An instant, or a London day standing for its start (or, with `end=True`, its end).

    The one rule for every `from`/`to` (API.md): a value of exactly ten characters is a day,
    anything else must be a full instant with its offset. The document declares both forms.
    """

    default_error_messages = {
        "invalid": f"expected {INSTANT_FORM}, or a day YYYY-MM-DD",
        "invalid_awareness": f"expected {INSTANT_FORM}, or a day YYYY-MM-DD: the offset is missing",
    }

    def __init__(self, *, end: bool = False, **kwargs: Any) -> None:
        self.end = end
        edge = "the start of the next day (the day counts whole)" if end else "its start"
        metadata = kwargs.setdefault("metadata", {})
        described = metadata.get("description")
        rule = INSTANT_OR_DAY.format(edge=edge)
        metadata["description"] = f"{described}. {rule}" if described else rule
        metadata.setdefault("pattern", f"{INSTANT_PATTERN}|{DAY_PATTERN}")
        metadata.setdefault("example", "2026-12-03T18:00:00Z")
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, str) and len(value) == 10:
            try:
                day = Day()._deserialize(value, attr, data)
            except ma.ValidationError as error:
                raise ma.ValidationError(f"{error.messages[0]}, or {INSTANT_FORM}") from None
            if self.end:
                day += timedelta(days=1)
            return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)
        return super()._deserialize(value, attr, data, **kwargs)


def no_nul(value: str) -> None:
    if "\x00" in value:
        raise ma.ValidationError("must not contain NUL characters")


@dataclass(frozen=True)
class PlainTextRule:
    """What text must be where it can reach a reader that takes more from it than text (a
    return's CSV, a mail header): `problem` names what is wrong with a value; the document gives
    the rule in `words` and as a `pattern`."""

    problem: Callable[[str], str | None]
    words: str
    pattern: str

    def __call__(self, value: str) -> None:
        problem = self.problem(value)
        if problem:
            raise ma.ValidationError(problem)


FEED_TEXT = PlainTextRule(
    plain_text_problem,
    "It can reach the NPoCC return, so it is plain text: no control characters (tab, CR, LF...) "
    "and not beginning with =, +, - or @.",
    "^[^=+@\\-\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
)
_NOT_ONE_LINE = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029"
HEADER_TEXT = PlainTextRule(
    header_text_problem,
    "It can reach a mail header or a calendar entry, so it is plain text: no control characters "
    "or line breaks (tab, CR, LF, U+2028...) and not beginning with =, +, - or @.",
    f"^([^=+@\\-{_NOT_ONE_LINE}][^{_NOT_ONE_LINE}]*)?$",
)


def Text(
    max_length: int,
    *,
    required: bool = False,
    min_length: int = 0,
    rule: PlainTextRule | None = None,
    **kwargs: Any,
) -> fields.String:
    """Text of `min_length` to `max_length` characters and no NUL; under `rule` too, if given.

    The document adds the rule's words to the field's description (api/openapi.py)."""
    checks: list[Callable[[str], Any]] = [validate.Length(min=min_length, max=max_length), no_nul]
    if rule is not None:
        kwargs.setdefault("metadata", {}).setdefault("pattern", rule.pattern)
        checks.append(rule)
    return fields.String(required=required, validate=checks, **kwargs)


def FeedText(max_length: int, **kwargs: Any) -> fields.String:
    """Text that can reach a return: FEED.md's text rule, refused with 422 where it is entered."""
    return Text(max_length, rule=FEED_TEXT, **kwargs)


def HeaderText(max_length: int, **kwargs: Any) -> fields.String:
    """Text that can reach a mail header (a Subject, a calendar entry's SUMMARY or LOCATION):
    one line of plain text, refused with 422 where it is entered (docs/api-input.md)."""
    return Text(max_length, rule=HEADER_TEXT, **kwargs)


class _PeriodText(fields.String):
    """A calendar period written as text, loaded as written: one that `period.parse` reads,
    in the years 1900-2200, or `refusal`."""

    period: ClassVar[type[Month] | type[Quarter]]
    example: ClassVar[str]
    pattern: ClassVar[str]
    refusal: ClassVar[str]

    def __init__(self, **kwargs: Any) -> None:
        _with_metadata(kwargs, example=self.example, pattern=self.pattern)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            period = self.period.parse(text)
        except ValueError:
            raise ma.ValidationError(self.refusal) from None
        _year_in_range(period.year)
        return text


class MonthText(_PeriodText):
    """A Europe/London calendar month, YYYY-MM, years 1900-2200."""

    period, example, pattern = Month, "2026-01", MONTH_PATTERN
    refusal = "expected a month written YYYY-MM, such as 2026-01"


class QuarterText(_PeriodText):
    """A calendar quarter, YYYY-Qn (FEED.md), years 1900-2200."""

    period, example, pattern = Quarter, "2026-Q3", QUARTER_PATTERN
    refusal = "expected a quarter written YYYY-Qn, n from 1 to 4, such as 2026-Q3"


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
