"""Form input read through the API's own schemas, so that a page says what the API says."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma

from ..api.problems import flatten_messages
from ..errors import DomainError
from .wall_clock import NotAWallClock, wall_clock

WALL_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")
# What the API says about a field, as a page says it (keyed by words the API's message holds).
PLAIN = (
    ("Missing data", "Enter {label}"),
    ("RFC 3339", "Enter a real date and time, for example 2026-12-13 18:00"),
    ("YYYY-MM-DD", "Enter a real date and time, for example 2026-12-13 18:00"),
    ("must be after", "{Label} must be after the start"),
    ("at most 24 hours", "A duty can last at most 24 hours"),
    ("at most 366 days", "Choose a window of at most a year"),
    ("force's types", "Choose a duty type from the list"),
    ("officer's service", "You are not serving on that day"),
    ("quarter", "Enter a quarter such as 2026-Q3"),
)


@dataclass
class FormResult:
    """What a form came to: the loaded values, or messages by field and for the whole form."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    refusal: str = ""
    status: int = 200

    @property
    def ok(self) -> bool:
        return not self.errors and not self.refusal

    def in_words(self, labels: Mapping[str, str]) -> FormResult:
        """The same result with the API's messages said as a page says them: `labels` names
        each field as its form does ("the end time"); what no rule covers is asked again."""
        errors = {
            name: [plain_message(m, labels.get(name, "this")) for m in messages[:1]]
            for name, messages in self.errors.items()
        }
        return FormResult(self.data, errors, "" if errors else self.refusal, self.status)


def plain_message(message: str, label: str) -> str:
    if not re.search(r"[a-z]+_[a-z]+|^[a-z]|Not a valid|Malformed|Missing data", message):
        return message  # already the page's own words
    for words, plain in PLAIN:
        if words in message:
            return plain.format(label=label, Label=label[:1].upper() + label[1:])
    return f"Check {label}"


def london_instant(value: str) -> str:
    """A browser's `datetime-local` value is London wall-clock time; the API wants an offset.
    Anything else is passed on unchanged, for the schema to judge."""
    if WALL_CLOCK.fullmatch(value):
        try:
            return wall_clock(value).isoformat()
        except NotAWallClock:
            return value  # 2026-02-30T10:00: the schema refuses it beside its field
    return value


def as_id(value: str) -> int | str:
    return int(value) if value.isdigit() and len(value) < 12 else value


def submitted(
    form: Mapping[str, str],
    names: tuple[str, ...],
    *,
    instants: tuple[str, ...] = (),
    ids: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The fields a form filled in (blank ones left out, as a client would leave them out)."""
    values: dict[str, Any] = {}
    for name in names:
        value = form.get(name, "").strip()
        if not value:
            continue
        if name in instants:
            values[name] = london_instant(value)
        elif name in ids:
            values[name] = as_id(value)
        else:
            values[name] = value
    return values


def load(schema: ma.Schema, values: dict[str, Any], *, status: int = 422) -> FormResult:
    try:
        return FormResult(data=schema.load(values))
    except ma.ValidationError as error:
        return FormResult(errors=_by_field(flatten_messages(error.messages)), status=status)


def refused(error: DomainError, status: int) -> FormResult:
    """A service's refusal (overlap, not allowed, a rule broken), with its reason."""
    return FormResult(errors=_by_field(error.errors or {}), refusal=error.detail, status=status)


def _by_field(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    # The API reports `from` under its data key already; a page's field is named the same way.
    return {name.removesuffix("_"): messages for name, messages in errors.items()}
