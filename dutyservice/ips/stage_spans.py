"""Each officer's spans of meeting each stage requirement (`learning_rules.stage_spans`): at the
stage (in the area) or above with safety training in force, on days of service, stored with the
officer's force beside the records they come from and written in the same transaction as every
write that changes them (stage records and their revocation, training, joining and leaving, the
import), so that deployable by stage reads an index alone, as by role profile.

The table is kept by `spans.py`'s machinery (`STAGES`); this module says what a span is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import spans
from .learning_models import LearningRecord, StageSpan
from .learning_rules import ASKABLE, StageRecord, stage_spans
from .rules import Span, within_service


def stage_records_of(session: Session, ids: Sequence[int]) -> dict[int, list[StageRecord]]:
    """Each officer's stage records: one statement however many officers."""
    records: dict[int, list[StageRecord]] = defaultdict(list)
    for record in session.scalars(select(LearningRecord).where(LearningRecord.officer_id.in_(ids))):
        records[record.officer_id].append(
            StageRecord(record.stage, record.area, Span(record.attained_on, record.revoked_on))
        )
    return records


def computed(records: spans.Records) -> set[spans.Key]:
    """The spans the rule gives for these officers and every requirement that can be asked."""
    return {
        (officer_id, requirement.stage, requirement.area or "", span.start, span.end)
        for officer_id, held in records.stages.items()
        for requirement in ASKABLE
        for span in within_service(
            stage_spans(records.evidence[officer_id], held, requirement),
            records.evidence[officer_id],
        )
    }


STAGES = spans.Kept(
    "stage spans",
    StageSpan,
    ("officer_id", "stage", "area", "starts_on", "ends_on"),
    computed,
    slots=("unit", "detail"),
)
#: Both kinds of span: what a write to safety training changes.
BOTH = (spans.PROFILES, STAGES)


def refresh_officers(session: Session, officer_ids: Sequence[int]) -> None:
    """Bring these officers' stage spans to what their records give, in the caller's
    transaction (`spans.refresh_officers`)."""
    spans.refresh_officers(session, officer_ids, (STAGES,))


def rebuild(session: Session) -> None:
    """Every stage span from the records (after a bulk load)."""
    spans.rebuild(session, STAGES)
