"""Each officer's spans of meeting each stage requirement (`learning_rules.stage_spans`): at the
stage (in the area) or above with safety training in force, stored beside the records they come
from and written in the same transaction as every write that changes them (stage records and
their revocation, training, the import), so that deployable by stage reads an index.

Serving is not part of a span, as for the role profiles' spans: joining and leaving change no
span, and the question asks it of the officer's row. The table is kept by `spans.py`'s
machinery (`STAGES`); this module says what a span is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..duties.models import Officer
from . import spans
from .learning_models import LearningRecord, StageSpan
from .learning_rules import ASKABLE, StageRecord, stage_spans
from .queries import evidence_of
from .rules import Span


def stage_records_of(session: Session, ids: Sequence[int]) -> dict[int, list[StageRecord]]:
    """Each officer's stage records: one statement however many officers."""
    records: dict[int, list[StageRecord]] = defaultdict(list)
    for record in session.scalars(select(LearningRecord).where(LearningRecord.officer_id.in_(ids))):
        records[record.officer_id].append(
            StageRecord(record.stage, record.area, Span(record.attained_on, record.revoked_on))
        )
    return records


def computed(session: Session, officers: Sequence[Officer]) -> set[spans.Key]:
    """The spans the rule gives for these officers and every requirement that can be asked."""
    records = stage_records_of(session, [officer.id for officer in officers])
    in_the_programme = [officer for officer in officers if officer.id in records]
    found: set[spans.Key] = set()
    if not in_the_programme:
        return found
    for officer_id, evidence in evidence_of(session, in_the_programme).items():
        held = records[officer_id]
        for requirement in ASKABLE:
            area = requirement.area or ""
            found |= {
                (officer_id, requirement.stage, area, span.start, span.end)
                for span in stage_spans(evidence, held, requirement)
            }
    return found


STAGES = spans.Kept(
    "stage spans", StageSpan, ("officer_id", "stage", "area", "starts_on", "ends_on"), computed
)


def refresh_officers(session: Session, officer_ids: Sequence[int]) -> None:
    """Rewrite these officers' stage spans from their records, in the caller's transaction."""
    spans.refresh_officers(session, officer_ids, STAGES)


def rebuild(session: Session) -> None:
    """Every stage span from the records (after a bulk load)."""
    spans.rebuild(session, STAGES)
