"""Competency, training and IPS use cases. Nothing is deleted: revoke and withdraw add dates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..auth.scope import Permission, Principal
from ..clock import london_today, utc_now
from ..db import Database, end_live, flush_or_conflict
from ..duties.models import Officer
from ..duties.queries import load_officer
from ..errors import Conflict, DomainError, Invalid, NotFound
from . import spans, stage_spans
from .learning_models import LearningRecord
from .models import AssessedRecord, CompetencyRecord, IpsGrant, NosUnit, TrainingRecord
from .queries import evidence_for, role_profile
from .rules import (
    IPS_PROFILE,
    OST,
    default_ost_expiry,
    ends_before_it_starts,
    missing_requirements,
    not_yet_happened,
    serving_throughout,
)


def not_in_future(day: date, field: str) -> None:
    if not_yet_happened(day, london_today()):
        raise Invalid("records state what has happened", errors={field: ["is in the future"]})


# A re-assessment of a unit still held is recorded as two steps: revoke the live record (revoked
# on the day the new assessment takes over, reason "re-assessed"), then record the new one. Each
# record keeps its own assessor and evidence, and there is never more than one live record of a
# unit for an officer, so a single revocation always leaves the unit unheld.
_ALREADY_HELD = "the officer already holds {unit}; revoke it before recording it again"
_ALREADY_GRANTED = "the officer already holds IPS; withdraw it before granting it again"
_ALREADY_REVOKED = "the officer's {unit} is already revoked"
_NOTHING_TO_WITHDRAW = "the officer holds no IPS to withdraw"

_Record = TypeVar("_Record", CompetencyRecord, TrainingRecord, IpsGrant, LearningRecord)
_AnyRecord = CompetencyRecord | TrainingRecord | IpsGrant | LearningRecord

# What the audit log calls each kind of record.
_RESOURCE_TYPE: dict[type[Any], str] = {
    CompetencyRecord: "competency",
    TrainingRecord: "training",
    IpsGrant: "ips_grant",
    LearningRecord: "learning",
}


@dataclass(frozen=True)
class OfficerWrite:
    """A write transaction over one officer's records, and who is making it."""

    session: Session
    principal: Principal
    officer: Officer

    def audit(self, action: str, record: _AnyRecord, **changes: Any) -> None:
        resource_type = _RESOURCE_TYPE[type(record)]
        audit.about(
            self.officer,
            self.session,
            self.principal,
            action,
            resource_type,
            record.id,
            changes=changes,
        )

    def add(
        self, record: _Record, action: str, conflict: str | DomainError | None, **changes: Any
    ) -> _Record:
        """Store a new record of the officer's, stamped with when and by whom it was recorded,
        and audit it. `conflict`: the refusal should a unique index find one held already (a
        message: 409; an error: that error)."""
        record.officer_id = self.officer.id
        record.recorded_at = utc_now()
        record.recorded_by_token_id = self.principal.token_id
        self.session.add(record)
        if isinstance(conflict, DomainError):
            try:
                self.session.flush()
            except IntegrityError as exc:
                raise conflict from exc
        elif conflict is None:
            self.session.flush()
        else:
            flush_or_conflict(self.session, conflict)
        self.audit(action, record, **changes)
        return record


@contextmanager
def writing(
    db: Database,
    principal: Principal,
    officer_id: int,
    permission: Permission,
    *,
    spans_follow: bool = True,
    stage_spans_follow: bool = False,
) -> Iterator[OfficerWrite]:
    """A transaction over the records of an officer the caller may `permission` on. Where the
    records are those a role profile reads (`spans_follow`), or a stage requirement reads
    (`stage_spans_follow`: stage records and safety training), the officer's stored spans change
    with them, in the same transaction: both kinds in one refresh (docs/integrity.md)."""
    with db.transaction() as session:
        officer = load_officer(session, principal, officer_id, permission)
        yield OfficerWrite(session, principal, officer)
        follow = ((spans.PROFILES, spans_follow), (stage_spans.STAGES, stage_spans_follow))
        kinds = tuple(kept for kept, follows in follow if follows)
        spans.refresh_officers(session, [officer.id], kinds)


def record_competency(
    db: Database,
    principal: Principal,
    officer_id: int,
    *,
    unit: str,
    attained_on: date,
    assessed_by: str,
    evidence_ref: str,
) -> CompetencyRecord:
    with writing(db, principal, officer_id, Permission.MANAGE_OFFICERS) as write:
        if write.session.get(NosUnit, unit) is None:
            raise Invalid("unknown unit", errors={"unit": [f"no NOS unit {unit!r}"]})
        not_in_future(attained_on, "attained_on")
        if _held_record(write.session, write.officer.id, unit) is not None:
            raise Conflict(_ALREADY_HELD.format(unit=unit))
        record = CompetencyRecord(
            unit_code=unit,
            attained_on=attained_on,
            assessed_by=assessed_by,
            evidence_ref=evidence_ref,
        )
        # uq_competency_records_officer_id_unit_code_live: the check above, under concurrency.
        return write.add(
            record,
            "competency.record",
            _ALREADY_HELD.format(unit=unit),
            unit=unit,
            attained_on=attained_on,
            assessed_by=assessed_by,
            evidence_ref=evidence_ref,
        )


def refuse_ending_first(
    title: str, end_field: str, start_field: str, started: date, ended: date | None
) -> None:
    if ends_before_it_starts(started, ended):
        raise Invalid(title, errors={end_field: [f"before {start_field} {started}"]})


def refuse_revoking_before_attained(record: AssessedRecord, revoked_on: date) -> None:
    """A unit's or a stage's record ends no earlier than it began: 422 otherwise."""
    refuse_ending_first(
        "revoked before it was attained",
        "revoked_on",
        "attained_on",
        record.attained_on,
        revoked_on,
    )


def _held_record(session: Session, officer_id: int, unit: str) -> CompetencyRecord | None:
    return session.scalar(
        select(CompetencyRecord)
        .where(
            CompetencyRecord.officer_id == officer_id,
            CompetencyRecord.unit_code == unit,
            CompetencyRecord.revoked_on.is_(None),
        )
        .order_by(CompetencyRecord.attained_on.desc())
        .limit(1)
    )


def _refuse_revoking_unheld(session: Session, officer_id: int, unit: str) -> NoReturn:
    """409 for a unit held once and since revoked (as for the revocation's loser in a race);
    404 for one never held."""
    held_once = session.scalar(
        select(CompetencyRecord.id)
        .where(CompetencyRecord.officer_id == officer_id, CompetencyRecord.unit_code == unit)
        .limit(1)
    )
    if held_once is not None:
        raise Conflict(_ALREADY_REVOKED.format(unit=unit))
    raise NotFound(f"the officer holds no {unit} to revoke")


def revoke_competency(
    db: Database, principal: Principal, officer_id: int, unit: str, *, revoked_on: date, reason: str
) -> CompetencyRecord:
    with writing(db, principal, officer_id, Permission.MANAGE_OFFICERS) as write:
        record = _held_record(write.session, write.officer.id, unit)
        if record is None:
            _refuse_revoking_unheld(write.session, write.officer.id, unit)
        refuse_revoking_before_attained(record, revoked_on)
        end_live(
            write.session,
            record,
            CompetencyRecord.revoked_on.is_(None),
            _ALREADY_REVOKED.format(unit=unit),
            revoked_on=revoked_on,
            revoke_reason=reason,
        )
        write.audit("competency.revoke", record, unit=unit, revoked_on=revoked_on, reason=reason)
        return record


def record_training(
    db: Database,
    principal: Principal,
    officer_id: int,
    *,
    kind: str,
    completed_on: date,
    expires_on: date | None,
) -> TrainingRecord:
    # Safety training is read by role profiles and by every stage requirement.
    with writing(
        db, principal, officer_id, Permission.MANAGE_OFFICERS, stage_spans_follow=True
    ) as write:
        if kind != OST:
            raise Invalid("unknown training", errors={"kind": ["'ost' (officer safety training)"]})
        not_in_future(completed_on, "completed_on")
        if expires_on is None:
            expires_on = default_ost_expiry(completed_on, write.officer.force.ost_validity_months)
        refuse_ending_first(
            "expires before completion", "expires_on", "completed_on", completed_on, expires_on
        )
        record = TrainingRecord(kind=kind, completed_on=completed_on, expires_on=expires_on)
        return write.add(
            record,
            "training.record",
            None,
            kind=kind,
            completed_on=completed_on,
            expires_on=expires_on,
        )


@dataclass(frozen=True)
class Authorisation:
    name: str
    rank: str
    position: str


def _open_grant(session: Session, officer_id: int) -> IpsGrant | None:
    """The officer's grant not yet withdrawn, whatever its dates: what a new grant would
    duplicate and what a withdrawal ends. (Which grant is in force on a given day is
    `eligibility.grant_in_force`.)"""
    return session.scalar(
        select(IpsGrant)
        .where(IpsGrant.officer_id == officer_id, IpsGrant.withdrawn_on.is_(None))
        .limit(1)
    )


def grant_ips(
    db: Database,
    principal: Principal,
    officer_id: int,
    *,
    granted_on: date,
    authorised_by: Authorisation,
) -> IpsGrant:
    with writing(db, principal, officer_id, Permission.GRANT_IPS) as write:
        session, officer = write.session, write.officer
        not_in_future(granted_on, "granted_on")
        if _open_grant(session, officer.id) is not None:
            raise Conflict(_ALREADY_GRANTED)
        evidence = evidence_for(session, officer)
        if not serving_throughout(evidence, granted_on, granted_on):
            raise Invalid(
                "the officer is not serving on granted_on",
                errors={"granted_on": ["the officer is not serving on that day"]},
            )
        profile = role_profile(session, *IPS_PROFILE)
        missing = missing_requirements(evidence, profile, granted_on)
        if missing:
            raise Invalid(
                f"the role profile is not met on {granted_on}: {', '.join(missing)}",
                errors={"granted_on": [f"missing {', '.join(missing)}"]},
                extra={"missing": missing},
            )
        grant = IpsGrant(
            granted_on=granted_on,
            authorised_by_name=authorised_by.name,
            authorised_by_rank=authorised_by.rank,
            authorised_by_position=authorised_by.position,
        )
        # uq_ips_grants_officer_id_live: the check above, under concurrency.
        return write.add(
            grant,
            "ips.grant",
            _ALREADY_GRANTED,
            granted_on=granted_on,
            authorised_by=grant.authorised_by,
        )


def withdraw_ips(
    db: Database, principal: Principal, officer_id: int, *, withdrawn_on: date, reason: str
) -> IpsGrant:
    with writing(db, principal, officer_id, Permission.GRANT_IPS) as write:
        grant = _open_grant(write.session, write.officer.id)
        if grant is None:
            raise Conflict(_NOTHING_TO_WITHDRAW)
        refuse_ending_first(
            "withdrawn before it was granted",
            "withdrawn_on",
            "granted_on",
            grant.granted_on,
            withdrawn_on,
        )
        end_live(
            write.session,
            grant,
            IpsGrant.withdrawn_on.is_(None),
            _NOTHING_TO_WITHDRAW,
            withdrawn_on=withdrawn_on,
            withdraw_reason=reason,
        )
        write.audit("ips.withdraw", grant, withdrawn_on=withdrawn_on, reason=reason)
        return grant
