"""Learning programme use cases: record and revoke a stage. Nothing is deleted."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.scope import Permission, Principal
from ..db import Database
from ..errors import Conflict, Invalid, NotFound
from .learning_models import LearningRecord
from .learning_rules import QSC, StageRecord, entry_problem, missing_before, stored_area
from .rules import OfficerEvidence, Span, serving_throughout
from .service import OfficerWrite, not_in_future, refuse_revoking_before_attained, writing


def stage_records(session: Session, officer_id: int) -> list[LearningRecord]:
    """The officer's stage records, oldest first."""
    return list(
        session.scalars(
            select(LearningRecord)
            .where(LearningRecord.officer_id == officer_id)
            .order_by(LearningRecord.attained_on, LearningRecord.id)
        )
    )


def as_stage_record(record: LearningRecord) -> StageRecord:
    return StageRecord(record.stage, record.area, Span(record.attained_on, record.revoked_on))


def _already_held(stage: str, area: str) -> Invalid:
    named = f"{stage} in {area}" if area else stage
    return Invalid(
        f"the officer already holds {named}; revoke it before recording it again",
        errors={"stage": [f"{named} is already held"]},
    )


def _entry_area(stage: str, area: str | None) -> str:
    """The area a new record is kept under; a stage and area that do not go together: 422."""
    problem = entry_problem(stage, area)
    if problem is not None:
        field = "area" if stage == QSC or area else "stage"
        raise Invalid("not a stage of the learning programme", errors={field: [problem]})
    return stored_area(stage, area)


def check_entry(records: list[StageRecord], stage: str, area: str, attained_on: date) -> None:
    """API.md's rules for a new stage record against the officer's others: 422 if broken."""
    if any(r.stage == stage and r.area == area and r.span.end is None for r in records):
        raise _already_held(stage, area)
    needed = missing_before(records, stage, attained_on)
    if needed is not None:
        raise Invalid(
            f"{stage} needs {needed} held on {attained_on}",
            errors={"attained_on": [f"{needed} is not held on that day"]},
            extra={"missing": [needed]},
        )


def _writing_stages(
    db: Database, principal: Principal, officer_id: int
) -> AbstractContextManager[OfficerWrite]:
    """A transaction over an officer's stage records. A stage is no part of a role profile:
    its record changes the officer's stage spans only."""
    return writing(
        db,
        principal,
        officer_id,
        Permission.MANAGE_OFFICERS,
        spans_follow=False,
        stage_spans_follow=True,
    )


def record_stage(
    db: Database,
    principal: Principal,
    officer_id: int,
    *,
    stage: str,
    area: str | None,
    attained_on: date,
    assessed_by: str,
    evidence_ref: str,
) -> LearningRecord:
    with _writing_stages(db, principal, officer_id) as write:
        not_in_future(attained_on, "attained_on")
        kept_area = _entry_area(stage, area)
        existing = [as_stage_record(r) for r in stage_records(write.session, write.officer.id)]
        check_entry(existing, stage, kept_area, attained_on)
        officer = OfficerEvidence(write.officer.joined_on, write.officer.left_on)
        if not serving_throughout(officer, attained_on, attained_on):
            raise Invalid(
                "the officer is not serving on attained_on",
                errors={"attained_on": ["the officer is not serving on that day"]},
            )
        record = LearningRecord(
            stage=stage,
            area=kept_area,
            attained_on=attained_on,
            assessed_by=assessed_by,
            evidence_ref=evidence_ref,
        )
        # uq_learning_records_officer_id_stage_area_live: the check above, under concurrency.
        return write.add(
            record,
            "learning.record",
            _already_held(stage, kept_area),
            stage=stage,
            area=kept_area or None,
            attained_on=attained_on,
            assessed_by=assessed_by,
            evidence_ref=evidence_ref,
        )


def revoke_stage(
    db: Database,
    principal: Principal,
    officer_id: int,
    record_id: int,
    *,
    revoked_on: date,
    reason: str,
) -> LearningRecord:
    with _writing_stages(db, principal, officer_id) as write:
        record = write.session.get(LearningRecord, record_id)
        if record is None or record.officer_id != write.officer.id:
            raise NotFound("the officer has no stage record with that id")
        if record.revoked_on is not None:
            raise Conflict(f"the record was revoked on {record.revoked_on}")
        refuse_revoking_before_attained(record, revoked_on)
        record.revoked_on, record.revoke_reason = revoked_on, reason
        write.audit(
            "learning.revoke", record, stage=record.stage, revoked_on=revoked_on, reason=reason
        )
        return record
