"""The Special Constable Learning Programme (SCLP) beside IPS, in plain Python.

A stage record is held from attained_on until the day before revoked_on, like a NOS unit. The
stages are ordered APS < DPS < QSC; a QSC is awarded per core area, and QSC-F (all five areas)
is derived, never recorded. An officer is at a stage or above on a day when they hold a record
of that stage or of a later one. `learning_eligibility.py` states the same rule in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .rules import (
    OfficerEvidence,
    Span,
    add_months,
    held_on_every_day,
    intersected,
    merged,
    serving_throughout,
)

APS, DPS, QSC = "APS", "DPS", "QSC"
QSC_FULL = "QSC-F"
STAGES: dict[str, str] = {
    APS: "Accompanied patrol status",
    DPS: "Directed patrol status",
    QSC: "Qualified special constable",
}
AREAS: dict[str, str] = {
    "response": "Response policing",
    "communities": "Policing communities",
    "roads": "Policing the roads",
    "intelligence": "Information and intelligence",
    "investigations": "Conducting investigations",
}
# The stage each stage needs held on the day it is attained.
NEEDS: dict[str, str | None] = {APS: None, DPS: APS, QSC: DPS}
# The stages a supervisor is asked to help an officer on from, when held long.
WAITING_STAGES = (APS, DPS)
DEFAULT_MONTHS_IN_STAGE = 12


@dataclass(frozen=True)
class StageRequirement:
    """What a planner or an event asks for instead of a role profile: a stage or above, and
    for a QSC, optionally its core area."""

    stage: str
    area: str | None = None

    def describe(self) -> str:
        return f"{self.stage} in {self.area}" if self.area else f"{self.stage} or above"


def requirement_problem(stage: str, area: str | None) -> tuple[str, str] | None:
    """What is wrong with a stage asked for (the field, and why), if anything. A QSC may be
    asked for without an area: QSC in some area on every day."""
    if stage not in STAGES:
        return "stage", f"one of {', '.join(STAGES)}"
    if area is not None and (stage != QSC or area not in AREAS):
        return "area", f"with stage QSC, one of {', '.join(AREAS)}"
    return None


@dataclass(frozen=True)
class StageRecord:
    """One stage record's span; `area` is empty except for a QSC."""

    stage: str
    area: str
    span: Span


def rank(stage: str) -> int:
    return list(STAGES).index(stage)


def stages_from(stage: str) -> tuple[str, ...]:
    """The stage and every later one: holding any of them is being at `stage` or above."""
    return tuple(list(STAGES)[rank(stage) :])


def stored_area(stage: str, area: str | None) -> str:
    """The area a record is kept under: its core area for a QSC, none otherwise."""
    return (area or "") if stage == QSC else ""


def entry_problem(stage: str, area: str | None) -> str | None:
    """What is wrong with the stage and area a record names, if anything."""
    if stage not in STAGES:
        return f"one of {', '.join(STAGES)} ({QSC_FULL} is derived, never recorded)"
    if stage == QSC and area not in AREAS:
        return f"a QSC names its core area: one of {', '.join(AREAS)}"
    if stage != QSC and area:
        return f"only a QSC names an area; {stage} is one stage for every area"
    return None


def _counts_towards(record: StageRecord, stage: str, area: str | None) -> bool:
    """The record puts its officer at `stage` or above (for a QSC with `area`, in that area)."""
    return record.stage in stages_from(stage) and (
        stage != QSC or area is None or record.area == area
    )


def at_stage_throughout(
    records: Iterable[StageRecord], stage: str, first: date, last: date, area: str | None = None
) -> bool:
    """At `stage` or above on every day first..last; for a QSC with `area`, QSC in that area."""
    spans = [r.span for r in records if _counts_towards(r, stage, area)]
    return held_on_every_day(spans, first, last)


def held_on(record: StageRecord, day: date) -> bool:
    return record.span.start <= day and (record.span.end is None or record.span.end > day)


def missing_before(records: Iterable[StageRecord], stage: str, on: date) -> str | None:
    """The stage that must be held on `on` before `stage` may be attained, if it is not."""
    needed = NEEDS[stage]
    if needed is None or at_stage_throughout(records, needed, on, on):
        return None
    return needed


def meets_stage(
    evidence: OfficerEvidence,
    records: Iterable[StageRecord],
    stage: str,
    area: str | None,
    first: date,
    last: date,
) -> bool:
    """Deployable by stage over every day first..last: serving, at the stage (in the area) or
    above, and officer (personal) safety training in force. No IPS grant is asked for."""
    return (
        serving_throughout(evidence, first, last)
        and at_stage_throughout(records, stage, first, last, area)
        and held_on_every_day(evidence.ost, first, last)
    )


#: Every stage requirement a planner or an event can ask for, each with stored spans.
ASKABLE: tuple[StageRequirement, ...] = (
    *(StageRequirement(stage) for stage in STAGES),
    *(StageRequirement(QSC, area) for area in AREAS),
)


def stage_spans(
    evidence: OfficerEvidence, records: Iterable[StageRecord], requirement: StageRequirement
) -> list[Span]:
    """The days on which the officer is at the requirement's stage (in its area) or above with
    safety training in force, serving or not, as maximal spans. Over days first..last
    `meets_stage` holds exactly when the officer serves then and one of these spans covers them
    (a property test holds the two together)."""
    held = merged(
        r.span for r in records if _counts_towards(r, requirement.stage, requirement.area)
    )
    return intersected(held, merged(evidence.ost))


@dataclass(frozen=True)
class Standing:
    """Where an officer stands in the programme on a day."""

    stage: str | None
    qsc_areas: list[str]
    qsc_full: bool
    since: date | None
    next_needs: list[str]


def _run_start(spans: list[Span], on: date) -> date:
    """The first day of the unbroken run of held days that includes `on`."""
    start = on
    moved = True
    while moved:
        moved = False
        for span in spans:
            if span.start < start and (span.end is None or span.end >= start):
                start, moved = span.start, True
    return start


def standing(records: Sequence[StageRecord], on: date) -> Standing:
    """The highest stage held on `on`, the QSC areas, QSC-F, since when, and what is next."""
    held = [r for r in records if held_on(r, on)]
    areas = sorted({r.area for r in held if r.stage == QSC}, key=list(AREAS).index)
    full = len(areas) == len(AREAS)
    top = max((r.stage for r in held), key=rank, default=None)
    since = None
    if top is not None:
        stages = (QSC,) if full else stages_from(top)
        spans = [r.span for r in records if r.stage in stages]
        since = _run_start(spans, on) if not full else _full_since(records, on)
    return Standing(top, areas, full, since, next_needs(top, areas))


def _full_since(records: Sequence[StageRecord], on: date) -> date:
    """QSC-F holds since the latest of the runs of its five areas began."""
    return max(
        _run_start([r.span for r in records if r.stage == QSC and r.area == area], on)
        for area in AREAS
    )


def next_needs(stage: str | None, areas: Sequence[str]) -> list[str]:
    """What the next step of the programme needs, in words for a supervisor."""
    if stage is None:
        return [f"{APS}: phase one learning assessed"]
    if stage == APS:
        return [f"{DPS}: directed patrol status assessed"]
    missing = [area for area in AREAS if area not in areas]
    return [f"{QSC} in {AREAS[area].lower()}" for area in missing]


def in_stage_too_long(stage: str | None, since: date | None, on: date, months: int) -> bool:
    """At APS or DPS for longer than the force's months: time for a supervisor to help."""
    if stage not in WAITING_STAGES or since is None:
        return False
    return add_months(since, months) < on


def days_in(since: date | None, on: date) -> int | None:
    """Days held before `on` since the stage was reached (0 on the day itself)."""
    return None if since is None else (on - since).days
