"""Reading one row of an import file (API.md "Import from a force's existing records").

Pure: each field is parsed and checked by the same rules the API applies (duties.rules,
ips.rules, FEED.md's text rule); what needs stored state (who is on file, overlaps) is the
service's. A row gives either a parsed value or the reasons, column by column, it is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from marshmallow import ValidationError
from marshmallow.validate import Email

from ..clock import london_wall_clock, to_utc, year_problem
from ..duties.rules import RANKS, DutyStatus, duty_time_errors
from ..ips.learning_rules import STAGES, entry_problem
from ..ips.rules import OST, default_ost_expiry, ends_before_it_starts, not_yet_happened
from ..plaintext import header_text_problem, plain_text_problem

OFFICERS, DUTIES, COMPETENCIES, TRAINING, GRANTS, LEARNING = (
    "officers.csv",
    "duties.csv",
    "competencies.csv",
    "training.csv",
    "ips_grants.csv",
    "learning.csv",
)
# The order they are read in: a record names an officer; a grant needs the units and training.
COLUMNS: dict[str, tuple[str, ...]] = {
    OFFICERS: (
        "warrant_number",
        "surname",
        "forenames",
        "rank",
        "base_location",
        "joined_on",
        "left_on",
        "email",
    ),
    COMPETENCIES: (
        "warrant_number",
        "unit",
        "attained_on",
        "assessed_by",
        "evidence_ref",
        "revoked_on",
    ),
    TRAINING: ("warrant_number", "kind", "completed_on", "expires_on"),
    GRANTS: (
        "warrant_number",
        "granted_on",
        "authorised_by_name",
        "authorised_by_rank",
        "authorised_by_position",
        "withdrawn_on",
        "withdrawal_reason",
    ),
    LEARNING: (
        "warrant_number",
        "stage",
        "area",
        "attained_on",
        "assessed_by",
        "evidence_ref",
        "revoked_on",
    ),
    DUTIES: (
        "warrant_number",
        "starts_at",
        "ends_at",
        "duty_type",
        "location",
        "status",
        "actual_starts_at",
        "actual_ends_at",
    ),
}
FILES = tuple(COLUMNS)
# The longest text each column holds (the models' column sizes).
_LONGEST = {
    "warrant_number": 40,
    "surname": 100,
    "forenames": 100,
    "base_location": 120,
    "email": 254,
    "assessed_by": 120,
    "evidence_ref": 200,
    "authorised_by_name": 120,
    "authorised_by_rank": 60,
    "authorised_by_position": 120,
    "location": 200,
    "withdrawal_reason": 2000,
    "area": 20,
}
# FEED.md: the texts that can reach a return are plain.
_REACH_A_RETURN = {
    "warrant_number",
    "base_location",
    "authorised_by_name",
    "authorised_by_rank",
    "authorised_by_position",
}
# ...and those that can reach a mail header or a calendar entry are one plain line.
_REACH_A_HEADER = {"surname", "forenames", "location"}
_is_email = Email()
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_STATUSES = frozenset(status.value for status in DutyStatus)

FieldErrors = list[tuple[str, str]]  # (column, reason)
T = TypeVar("T")
_Written = TypeVar("_Written", date, datetime)


def _text_problem(column: str, value: str) -> str | None:
    if column in _REACH_A_RETURN:
        return plain_text_problem(value)
    if column in _REACH_A_HEADER:
        return header_text_problem(value)
    return "must not contain NUL characters" if "\x00" in value else None


class Fields:
    """One row's fields, parsed one at a time; every refusal is kept, not only the first."""

    def __init__(self, raw: Mapping[str, str | None]) -> None:
        self.raw = raw
        self.errors: FieldErrors = []

    def refuse(self, column: str, reason: str) -> None:
        self.errors.append((column, reason))

    def _value(self, column: str, required: bool) -> str | None:
        value = (self.raw.get(column) or "").strip()
        if not value:
            if required:
                self.refuse(column, "is required")
            return None
        return value

    def text(self, column: str, *, required: bool = True) -> str:
        value = self._value(column, required) or ""
        if len(value) > _LONGEST[column]:
            self.refuse(column, f"is longer than {_LONGEST[column]} characters")
        problem = _text_problem(column, value)
        if problem:
            self.refuse(column, problem)
        return value

    def choice(self, column: str, choices: Collection[str], *, what: str) -> str:
        value = self._value(column, True) or ""
        if value and value not in choices:
            self.refuse(column, f"unknown {what} {value!r}; one of {', '.join(sorted(choices))}")
        return value

    def _parsed(self, column: str, required: bool, parse: Callable[[str], T]) -> T | None:
        """The column's value as `parse` reads it; one it refuses (ValueError: why) is None."""
        value = self._value(column, required)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.refuse(column, str(exc))
            return None

    def day(self, column: str, *, required: bool = True) -> date | None:
        return self._parsed(column, required, _day)

    def instant(self, column: str, *, required: bool = True) -> datetime | None:
        """RFC 3339 with an offset, or London wall-clock `YYYY-MM-DD HH:MM`."""
        return self._parsed(column, required, _instant)


def _day(value: str) -> date:
    try:
        day = date.fromisoformat(value) if _DAY.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
    return _in_range(value, day)


def _in_range(value: str, written: _Written) -> _Written:
    """The API's bound, on the year as written (before any offset moves it past year 9999)."""
    problem = year_problem(written.year)
    if problem:
        raise ValueError(f"{value!r}: {problem}")
    return written


def _instant(value: str) -> datetime:
    try:
        parsed: datetime | None = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or len(value) < 16:
        raise ValueError(f"{value!r} is not a time (RFC 3339 with an offset, or YYYY-MM-DD HH:MM)")
    _in_range(value, parsed)
    if parsed.tzinfo is not None:
        return to_utc(parsed)
    try:
        return london_wall_clock(parsed)
    except ValueError as exc:
        raise ValueError(f"{value}: {exc}") from exc


def _fields_of_officer_row(raw: Mapping[str, str | None]) -> tuple[Fields, str]:
    """A row's fields, and the warrant number naming the officer it is of (every file has one)."""
    fields = Fields(raw)
    return fields, fields.text("warrant_number")


def _past(fields: Fields, column: str, day: date | None, today: date) -> None:
    if day is not None and not_yet_happened(day, today):
        fields.refuse(column, "is in the future (records state what has happened)")


def _ends(fields: Fields, column: str, start: date | None, end: date | None, after: str) -> None:
    if start is not None and ends_before_it_starts(start, end):
        fields.refuse(column, f"is before {after}")


@dataclass(frozen=True)
class OfficerRow:
    warrant_number: str
    surname: str
    forenames: str
    rank: str
    base_location: str
    joined_on: date
    left_on: date | None
    email: str | None

    def record(self) -> dict[str, object]:
        """The officer's stored columns (the e-mail address is stored on its own)."""
        return {
            "warrant_number": self.warrant_number,
            "surname": self.surname,
            "forenames": self.forenames,
            "rank": self.rank,
            "base_location": self.base_location,
            "joined_on": self.joined_on,
            "left_on": self.left_on,
        }


def read_officer(raw: Mapping[str, str | None]) -> tuple[OfficerRow | None, FieldErrors]:
    f, warrant_number = _fields_of_officer_row(raw)
    surname, forenames = f.text("surname"), f.text("forenames")
    rank = f.choice("rank", RANKS, what="rank")
    base_location = f.text("base_location")
    joined_on, left_on = f.day("joined_on"), f.day("left_on", required=False)
    _ends(f, "left_on", joined_on, left_on, "joined_on")
    email = f.text("email", required=False) or None
    if email is not None:
        try:
            _is_email(email)
        except ValidationError:
            f.refuse("email", f"{email!r} is not an e-mail address")
    if f.errors or joined_on is None:
        return None, f.errors
    return OfficerRow(
        warrant_number, surname, forenames, rank, base_location, joined_on, left_on, email
    ), []


@dataclass(frozen=True)
class DutyRow:
    warrant_number: str
    starts_at: datetime
    ends_at: datetime
    duty_type: str
    location: str
    status: str
    actual_starts_at: datetime | None
    actual_ends_at: datetime | None


def read_duty(
    raw: Mapping[str, str | None], duty_types: Collection[str], now: datetime
) -> tuple[DutyRow | None, FieldErrors]:
    f, warrant_number = _fields_of_officer_row(raw)
    starts_at, ends_at = f.instant("starts_at"), f.instant("ends_at")
    duty_type = f.choice("duty_type", duty_types, what="duty type")
    location = f.text("location", required=False)
    status = f.choice("status", _STATUSES, what="status")
    actual_starts_at = f.instant("actual_starts_at", required=False)
    actual_ends_at = f.instant("actual_ends_at", required=False)
    if starts_at is not None and ends_at is not None:
        for column, reasons in duty_time_errors(starts_at, ends_at).items():
            f.refuse(column, "; ".join(reasons))
    if status == DutyStatus.COMPLETED and starts_at is not None and ends_at is not None:
        if actual_starts_at or actual_ends_at:
            for column, reasons in duty_time_errors(
                actual_starts_at or starts_at, actual_ends_at or ends_at, prefix="actual_"
            ).items():
                f.refuse(column, "; ".join(reasons))
        # As when completing through the API: the actual times default to the booked ones.
        actual_starts_at = actual_starts_at or starts_at
        actual_ends_at = actual_ends_at or ends_at
        if actual_ends_at > now:
            f.refuse("actual_ends_at", "is in the future (a duty is completed after it ends)")
    elif status and (actual_starts_at or actual_ends_at):
        f.refuse("status", "only a completed duty has actual times")
    if f.errors or starts_at is None or ends_at is None:
        return None, f.errors
    return DutyRow(
        warrant_number,
        starts_at,
        ends_at,
        duty_type,
        location,
        status,
        actual_starts_at,
        actual_ends_at,
    ), []


def _assessment(fields: Fields, today: date) -> tuple[date | None, str, str, date | None]:
    """What a unit's record and a stage's share: attained_on, assessed_by, evidence_ref and
    revoked_on, the first not in the future and the last not before it."""
    attained_on = fields.day("attained_on")
    assessed_by = fields.text("assessed_by")
    evidence_ref = fields.text("evidence_ref", required=False)
    revoked_on = fields.day("revoked_on", required=False)
    _past(fields, "attained_on", attained_on, today)
    _ends(fields, "revoked_on", attained_on, revoked_on, "attained_on")
    return attained_on, assessed_by, evidence_ref, revoked_on


@dataclass(frozen=True)
class CompetencyRow:
    warrant_number: str
    unit: str
    attained_on: date
    assessed_by: str
    evidence_ref: str
    revoked_on: date | None


def read_competency(
    raw: Mapping[str, str | None], units: Collection[str], today: date
) -> tuple[CompetencyRow | None, FieldErrors]:
    f, warrant_number = _fields_of_officer_row(raw)
    unit = f.choice("unit", units, what="unit")
    attained_on, assessed_by, evidence_ref, revoked_on = _assessment(f, today)
    if f.errors or attained_on is None:
        return None, f.errors
    return CompetencyRow(
        warrant_number, unit, attained_on, assessed_by, evidence_ref, revoked_on
    ), []


@dataclass(frozen=True)
class LearningRow:
    warrant_number: str
    stage: str
    area: str  # '' but for a QSC, as stored
    attained_on: date
    assessed_by: str
    evidence_ref: str
    revoked_on: date | None


def read_learning(
    raw: Mapping[str, str | None], today: date
) -> tuple[LearningRow | None, FieldErrors]:
    f, warrant_number = _fields_of_officer_row(raw)
    stage = f.choice("stage", STAGES, what="stage")
    area = f.text("area", required=False)
    if stage in STAGES:
        problem = entry_problem(stage, area or None)
        if problem:
            f.refuse("area", problem)
    attained_on, assessed_by, evidence_ref, revoked_on = _assessment(f, today)
    if f.errors or attained_on is None:
        return None, f.errors
    return LearningRow(
        warrant_number, stage, area, attained_on, assessed_by, evidence_ref, revoked_on
    ), []


@dataclass(frozen=True)
class TrainingRow:
    warrant_number: str
    kind: str
    completed_on: date
    expires_on: date


def read_training(
    raw: Mapping[str, str | None], today: date, validity_months: int
) -> tuple[TrainingRow | None, FieldErrors]:
    f, warrant_number = _fields_of_officer_row(raw)
    kind = f.choice("kind", [OST], what="training")
    completed_on = f.day("completed_on")
    expires_on = f.day("expires_on", required=False)
    _past(f, "completed_on", completed_on, today)
    _ends(f, "expires_on", completed_on, expires_on, "completed_on")
    if f.errors or completed_on is None:
        return None, f.errors
    if expires_on is None:  # the force's policy, as through the API
        expires_on = default_ost_expiry(completed_on, validity_months)
    return TrainingRow(warrant_number, kind, completed_on, expires_on), []


@dataclass(frozen=True)
class GrantRow:
    warrant_number: str
    granted_on: date
    authorised_by_name: str
    authorised_by_rank: str
    authorised_by_position: str
    withdrawn_on: date | None
    withdrawal_reason: str | None


def read_grant(raw: Mapping[str, str | None], today: date) -> tuple[GrantRow | None, FieldErrors]:
    f, warrant_number = _fields_of_officer_row(raw)
    granted_on = f.day("granted_on")
    name = f.text("authorised_by_name")
    rank = f.text("authorised_by_rank")
    position = f.text("authorised_by_position")
    withdrawn_on = f.day("withdrawn_on", required=False)
    reason = f.text("withdrawal_reason", required=False) or None
    _past(f, "granted_on", granted_on, today)
    _ends(f, "withdrawn_on", granted_on, withdrawn_on, "granted_on")
    if f.errors or granted_on is None:
        return None, f.errors
    return GrantRow(warrant_number, granted_on, name, rank, position, withdrawn_on, reason), []


def changed_columns(stored: Mapping[str, object], incoming: Mapping[str, object]) -> list[str]:
    """The columns whose incoming value differs from the stored one."""
    return [column for column, value in incoming.items() if stored.get(column) != value]
