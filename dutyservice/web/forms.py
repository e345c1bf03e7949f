"""Form input read through the API's own schemas, so that a page says what the API says."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import marshmallow as ma

from ..api.problems import flatten_messages
from ..clock import LONDON
from ..errors import DomainError

WALL_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")


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


def london_instant(value: str) -> str:
    """A browser's `datetime-local` value is London wall-clock time; the API wants an offset.
    Anything else is passed on unchanged, for the schema to judge."""
    if WALL_CLOCK.fullmatch(value):
        return datetime.fromisoformat(value).replace(tzinfo=LONDON).isoformat()
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
