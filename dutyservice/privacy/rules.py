"""The data-protection rules (API.md "Data protection"), as plain functions over plain values."""

from __future__ import annotations

from datetime import date
from typing import Any

#: DUTYSERVICE_RETENTION_YEARS when it is set without a value of its own (API.md).
DEFAULT_RETENTION_YEARS = 6

#: What an officer's record loses when it is anonymised. Their rank, force, dates of joining and
#: leaving, duties, units, training and grants stay: the years' reports and returns rest on them.
PERSONAL_OFFICER_FIELDS = ("surname", "forenames", "email", "base_location", "warrant_number")

#: Fields of an audit entry's recorded changes that carry personal data: an anonymised officer's
#: entries keep what happened (the action, when, by whom) without them.
PERSONAL_CHANGE_KEYS = frozenset(
    {*PERSONAL_OFFICER_FIELDS, "notes", "windows", "evidence_ref", "reason", "withdrawal_reason"}
)

ANONYMISED_NAME = "anonymised"


def anonymous_warrant_number(officer_id: int) -> str:
    """The warrant number an anonymised officer is known by: unique, and plain by FEED.md."""
    return f"anon-{officer_id}"


def retention_ends(left_on: date, years: int) -> date:
    """The last day an officer's personal data is kept: `years` full years after leaving.

    A leaver on 29 February keeps it to 28 February of the year the period ends in.
    """
    year = left_on.year + years
    try:
        return left_on.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def past_retention(left_on: date | None, today: date, years: int) -> bool:
    """Whether an officer left more than `years` full years before `today`."""
    return left_on is not None and today > retention_ends(left_on, years)


def without_personal_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """An audit entry's changes with every personal value replaced by a plain mark."""
    return {
        key: ("(removed)" if key in PERSONAL_CHANGE_KEYS and value is not None else value)
        for key, value in changes.items()
    }
