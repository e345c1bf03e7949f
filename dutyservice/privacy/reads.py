"""Reads of one officer's records, accounted for in the trail (API.md "Data protection").

Reading an officer's record, their IPS evidence or their export leaves an entry: who, what,
when, so that a force can answer "who looked at my record". A Special reading their own record
leaves none, and neither do the questions asked of many officers at once (deployable resource,
reports): those are not reads of one person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..audit import READ_ACTIONS, AuditEntry
from ..auth.models import ApiToken
from ..auth.scope import Principal, Role
from ..db import Database
from ..duties.models import Officer

#: What was read, in the words the officer's page uses.
WHAT_WAS_READ = {
    "officer": "your record",
    "ips": "your IPS status",
    "competencies": "your units of competence",
    "training": "your training",
    "grants": "your IPS grants",
    "history": "the history of your record",
    "export": "a copy of everything held about you",
}


def account_for_read(session: Session, principal: Principal, officer_id: int, what: str) -> None:
    """An entry for `principal` reading `what` of the officer, in the read's own transaction."""
    if principal.role is Role.SPECIAL and principal.officer_id == officer_id:
        return
    officer = session.get(Officer, officer_id)
    if officer is None:
        return
    audit.about(officer, session, principal, "officer.read", what, officer_id)


def record_read(db: Database, principal: Principal, officer_id: int, what: str) -> None:
    """`account_for_read` in a transaction of its own, for a face whose read was read-only."""
    if principal.role is Role.SPECIAL and principal.officer_id == officer_id:
        return
    with db.transaction() as session:
        account_for_read(session, principal, officer_id, what)


@dataclass(frozen=True)
class RecordRead:
    """One look at an officer's records, as their own page lists it."""

    at: datetime
    who: str
    what: str


def reads_of(session: Session, officer_id: int, limit: int = 20) -> list[RecordRead]:
    """The latest reads of the officer's records by anyone but themself, newest first."""
    rows = session.execute(
        select(AuditEntry, ApiToken.label)
        .outerjoin(ApiToken, ApiToken.id == AuditEntry.token_id)
        .where(
            AuditEntry.officer_id == officer_id,
            AuditEntry.action.in_(READ_ACTIONS),
            # A Special reads only their own record: those entries are the officer's own.
            AuditEntry.role != Role.SPECIAL.value,
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return [
        RecordRead(
            at=entry.at,
            who=_who(entry, label),
            what=WHAT_WAS_READ.get(
                "export" if entry.action == "officer.export" else entry.resource_type,
                "your record",
            ),
        )
        for entry, label in rows
    ]


def reads_shown_to(session: Session, principal: Principal, officer_id: int) -> list[RecordRead]:
    """What the officer's own page lists: the reads of their record, to them alone."""
    if principal.role is Role.SPECIAL and principal.officer_id == officer_id:
        return reads_of(session, officer_id)
    return []


def _who(entry: AuditEntry, label: str | None) -> str:
    role = entry.role.capitalize()
    if entry.subject_name:
        return f"{entry.subject_name} ({entry.role})"
    if label:
        return f"{role}: {label}"
    return role
