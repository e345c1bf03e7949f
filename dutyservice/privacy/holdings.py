"""Where the service holds personal data about an officer: every table that names one.

One list, read by the subject access export and by retention, so that a table that names an
officer is either exported (and anonymised where it holds personal data) or the test that
compares this list with the schema fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ..audit import AuditEntry, plain
from ..auth.models import ApiToken
from ..db import Base
from ..duties.models import AvailabilityWindow, Duty, Officer
from ..events.models import EventSignup
from ..ips.learning_models import LearningRecord, StageSpan
from ..ips.models import CompetencyRecord, EligibilitySpan, IpsGrant, TrainingRecord
from ..outbox import Notification, PushSubscription


@dataclass(frozen=True)
class Holding:
    """One table's rows about an officer, as a section of the subject access export."""

    section: str
    model: type[Base]
    description: str
    #: Columns never exported: secrets (hashed or not) that are no information about the person.
    withheld: tuple[str, ...] = ()

    @property
    def table(self) -> Table:
        table = self.model.__table__
        assert isinstance(table, Table)
        return table


#: API.md "Data protection": the export's sections, in its order. `officer` is the record itself.
HOLDINGS = (
    Holding("duties", Duty, "every duty booked, cancelled or completed"),
    Holding("availability", AvailabilityWindow, "declared availability windows"),
    Holding("competencies", CompetencyRecord, "NOS unit records, revoked ones included"),
    Holding("training", TrainingRecord, "officer safety training records"),
    Holding("ips", IpsGrant, "IPS grants and their withdrawals"),
    Holding("learning", LearningRecord, "learning programme stages, revoked ones included"),
    Holding(
        "eligibility",
        EligibilitySpan,
        "the days the officer held IPS against each role profile, as their records give them",
    ),
    Holding(
        "stage_spans",
        StageSpan,
        "the days the officer met each stage of the learning programme, as their records give them",
    ),
    Holding("signups", EventSignup, "sign-ups to events and call-outs"),
    Holding("notifications", Notification, "messages queued or sent to the officer"),
    Holding(
        "push_subscriptions",
        PushSubscription,
        "browsers and phones the officer turned notifications on in (never their keys)",
        ("p256dh", "auth"),
    ),
    Holding(
        "tokens", ApiToken, "API tokens made for the officer (never the secret)", ("secret_hash",)
    ),
    Holding("audit", AuditEntry, "the audit trail's entries about the officer, reads included"),
)

#: The officer's own record: its calendar key is a secret (only its hash is held).
OFFICER_WITHHELD = ("calendar_key_hash", "version")


def row_of(table: Table, row: Any, withheld: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.key: plain(row[c.key]) for c in table.columns if c.key not in withheld}


def officer_section(officer: Officer) -> dict[str, Any]:
    table = Officer.__table__
    assert isinstance(table, Table)
    record = {
        c.key: plain(getattr(officer, c.key))
        for c in table.columns
        if c.key not in OFFICER_WITHHELD
    }
    record["force"] = officer.force.code
    record["calendar_key"] = "set" if officer.calendar_key_hash else None
    return record


def rows_about(session: Session, holding: Holding, officer_id: int) -> list[dict[str, Any]]:
    table = holding.table
    query = select(table).where(table.c.officer_id == officer_id).order_by(table.c.id)
    return [row_of(table, row, holding.withheld) for row in session.execute(query).mappings()]
