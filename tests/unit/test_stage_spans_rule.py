"""The stored stage spans' rule: over any days, "serving and one span covers them" is the
learning programme's rule for deployable by stage."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dutyservice.ips.learning_rules import (
    AREAS,
    ASKABLE,
    QSC,
    StageRecord,
    StageRequirement,
    meets_stage,
    stage_spans,
)
from dutyservice.ips.rules import OfficerEvidence, Span, serving_throughout
from dutyservice.ips.spans import covering

from .test_eligible_spans import BASE, day, span

KINDS = [("APS", ""), ("DPS", ""), *((QSC, area) for area in ("roads", "response"))]


@st.composite
def officer(draw: st.DrawFn) -> tuple[OfficerEvidence, list[StageRecord]]:
    joined = draw(day)
    left = draw(st.one_of(st.none(), st.integers(0, 60).map(lambda n: joined + timedelta(days=n))))
    ost = draw(st.lists(span().filter(lambda s: s.end is not None), max_size=3))
    records = [
        StageRecord(stage, area, held)
        for stage, area in KINDS
        for held in draw(st.lists(span(), max_size=2))
    ]
    return OfficerEvidence(joined, left, ost=ost), records


@settings(max_examples=500)
@given(
    held=officer(),
    requirement=st.sampled_from(ASKABLE),
    first=day,
    length=st.integers(0, 20),
)
def test_a_covering_stage_span_while_serving_is_exactly_meeting_the_stage(
    held: tuple[OfficerEvidence, list[StageRecord]],
    requirement: StageRequirement,
    first: date,
    length: int,
) -> None:
    evidence, records = held
    last = first + timedelta(days=length)
    by_spans = serving_throughout(evidence, first, last) and any(
        covering(s, first, last) for s in stage_spans(evidence, records, requirement)
    )
    assert by_spans == meets_stage(
        evidence, records, requirement.stage, requirement.area, first, last
    )


def test_every_stage_and_every_qsc_area_can_be_asked_for() -> None:
    asked = {(r.stage, r.area) for r in ASKABLE}
    assert asked == {("APS", None), ("DPS", None), (QSC, None)} | {(QSC, a) for a in AREAS}


def test_a_dps_span_ends_when_safety_training_lapses_though_the_stage_is_still_held() -> None:
    evidence = OfficerEvidence(BASE, ost=[Span(BASE, BASE + timedelta(days=30))])
    records = [StageRecord("DPS", "", Span(BASE + timedelta(days=10)))]
    assert stage_spans(evidence, records, StageRequirement("DPS")) == [
        Span(BASE + timedelta(days=10), BASE + timedelta(days=30))
    ]
    assert stage_spans(evidence, records, StageRequirement("QSC")) == []
