"""Retention and erasure: an officer's personal data removed, what happened kept.

API.md "Data protection": names, e-mail, base location, availability, calendar key and push
subscriptions removed, the warrant number replaced by `anon-<id>`; duties (times, type, hours),
units, training and grants stay so that the years' reports add up and a return made again for
an old quarter is still a valid return; returns already made are files and are not touched.
One transaction per officer, so that serving is never held up behind a long lock, and each
officer is anonymised once however many runs meet on them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..audit import Actor, AuditEntry, ServiceActor
from ..auth.models import ApiToken
from ..clock import london_today, utc_now
from ..config import Settings
from ..db import Database
from ..duties.models import AvailabilityWindow, Duty, Officer
from ..errors import Conflict, NotFound
from ..outbox import PushSubscription
from .rules import (
    ANONYMISED_NAME,
    anonymous_warrant_number,
    past_retention,
    retention_ends,
    without_personal_fields,
)

RETENTION = ServiceActor(role="retention", name="retention schedule")

log = logging.getLogger(__name__)

#: The condition that makes anonymising a record a claim on it (docs/integrity.md).
NOT_YET_ANONYMISED = Officer.anonymised_at.is_(None)


@dataclass(frozen=True)
class Anonymisation:
    """What anonymising one officer changes (or, in a dry run, would change)."""

    officer_id: int
    officer_ref: str
    left_on: date | None
    availability_windows: int
    tokens: int
    audit_entries: int
    done: bool

    def describe(self) -> str:
        verb = "anonymised" if self.done else "would anonymise"
        left = f"left {self.left_on.isoformat()}" if self.left_on else "never served"
        return (
            f"officer {self.officer_id} ({self.officer_ref}, {left}): {verb} names, e-mail, "
            f"base location, calendar key, {self.availability_windows} availability window(s), "
            f"{self.tokens} token(s), {self.audit_entries} audit entr(y/ies); warrant number "
            f"-> {anonymous_warrant_number(self.officer_id)}"
        )


def leavers_past_retention(session: Session, today: date, years: int) -> list[int]:
    """Officers not yet anonymised who left more than `years` full years before `today`."""
    latest_possible = retention_ends(today, -years)
    rows = session.execute(
        select(Officer.id, Officer.left_on)
        .where(Officer.anonymised_at.is_(None), Officer.left_on <= latest_possible)
        .order_by(Officer.id)
    )
    return [officer_id for officer_id, left_on in rows if past_retention(left_on, today, years)]


def apply_retention(
    db: Database, today: date, years: int, *, dry_run: bool = False
) -> list[Anonymisation]:
    """Anonymise every leaver past the line, one transaction each; or say what it would do."""
    with db.reading() as session:
        due = leavers_past_retention(session, today, years)
    done = []
    for officer_id in due:
        outcome = _anonymise(db, officer_id, RETENTION, "retention", dry_run=dry_run)
        if outcome is not None:
            done.append(outcome)
    return done


def run_retention(db: Database, settings: Settings) -> list[Anonymisation]:
    """The scheduler's monthly job: only where DUTYSERVICE_RETENTION_YEARS is set."""
    if settings.retention_years is None:
        return []
    done = apply_retention(db, london_today(), settings.retention_years)
    log.info("retention applied", extra={"anonymised": [o.officer_id for o in done]})
    return done


def erase_officer(
    db: Database, officer_id: int, reason: str, actor: Actor, *, dry_run: bool = False
) -> Anonymisation:
    """Erasure on request, where the law allows it: an officer who never served, or one who
    has left. A serving officer's wrong details are corrected, not erased."""
    with db.reading() as session:
        officer = session.get(Officer, officer_id)
        if officer is None:
            raise NotFound("no officer with that id")
        if officer.anonymised_at is not None:
            raise Conflict(f"officer {officer_id} was already anonymised")
        _refuse_while_serving(session, officer)
    outcome = _anonymise(db, officer_id, actor, f"erasure: {reason}", dry_run=dry_run)
    if outcome is None:
        raise Conflict(f"officer {officer_id} was already anonymised")
    return outcome


def _refuse_while_serving(session: Session, officer: Officer) -> None:
    if officer.left_on is not None:
        return
    served = session.scalar(
        select(func.count()).where(Duty.officer_id == officer.id, Duty.status == "completed")
    )
    if served:
        raise Conflict(
            f"officer {officer.id} is serving and has completed duties: record their leaving "
            "first, or correct the record instead of erasing it"
        )
    booked = session.scalar(
        select(func.count()).where(
            Duty.officer_id == officer.id, Duty.status == "booked", Duty.ends_at > utc_now()
        )
    )
    if booked:
        raise Conflict(f"officer {officer.id} has {booked} coming duties: cancel them first")


def _anonymise(
    db: Database, officer_id: int, actor: Actor, why: str, *, dry_run: bool
) -> Anonymisation | None:
    """One officer, in one transaction. None when another run got there first."""
    with db.transaction() as session:
        officer = session.get(Officer, officer_id)
        if officer is None or officer.anonymised_at is not None:
            return None
        outcome = Anonymisation(
            officer_id=officer.id,
            officer_ref=officer.officer_ref,
            left_on=officer.left_on,
            availability_windows=_count(session, AvailabilityWindow.officer_id, officer_id),
            tokens=_count(session, ApiToken.officer_id, officer_id),
            audit_entries=_count(session, AuditEntry.officer_id, officer_id),
            done=not dry_run,
        )
        if dry_run:
            return outcome
        now = utc_now()
        if not _claim(session, officer, now):
            return None  # another run got there first; nothing was written
        _remove_personal_data(session, officer_id, now)
        _scrub_trail(session, officer_id)
        audit.record(
            session,
            actor,
            "officer.anonymise",
            "officer",
            officer_id,
            officer_id=officer_id,
            force_id=officer.force_id,
            changes={"why": why},
        )
        return outcome


def _count(session: Session, column: Any, officer_id: int) -> int:
    return session.scalar(select(func.count()).where(column == officer_id)) or 0


def _claim(session: Session, officer: Officer, now: datetime) -> bool:
    """The officer's record anonymised by a write that holds only while nobody else has done
    it: of two runs at once exactly one changes the row, and the other changes nothing."""
    claimed = session.connection().execute(
        update(Officer)
        .where(Officer.id == officer.id, NOT_YET_ANONYMISED)
        .values(
            surname=ANONYMISED_NAME,
            forenames=ANONYMISED_NAME,
            email=None,
            base_location="",
            warrant_number=anonymous_warrant_number(officer.id),
            calendar_key_hash=None,
            anonymised_at=now,
            updated_at=now,
            version=Officer.version + 1,
        )
    )
    return bool(claimed.rowcount == 1)


def _remove_personal_data(session: Session, officer_id: int, now: datetime) -> None:
    session.execute(delete(AvailabilityWindow).where(AvailabilityWindow.officer_id == officer_id))
    session.execute(delete(PushSubscription).where(PushSubscription.officer_id == officer_id))
    # A duty's notes are free text about the person; its times, type and place stay.
    session.execute(
        update(Duty)
        .where(Duty.officer_id == officer_id, Duty.notes != "")
        .values(notes="", version=Duty.version + 1)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(ApiToken)
        .where(ApiToken.officer_id == officer_id)
        .values(label="", revoked_at=func.coalesce(ApiToken.revoked_at, now))
        .execution_options(synchronize_session=False)
    )


def _scrub_trail(session: Session, officer_id: int) -> None:
    """Entries about the officer keep what happened, by whom and when; not what they said of
    themself. Their own sign-in name goes from the entries they made as a Special."""
    entries = session.scalars(select(AuditEntry).where(AuditEntry.officer_id == officer_id))
    for entry in entries:
        entry.changes = without_personal_fields(entry.changes)
        if entry.role == "special":
            entry.subject = None
            entry.subject_name = None
