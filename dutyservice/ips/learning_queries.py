"""Reads of the learning programme: its stages and areas, where officers stand on a day."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.scope import Principal
from ..clock import Month
from ..duties import queries as duty_queries
from ..duties.models import Officer
from ..duties.queries import MonthHours, load_officer
from ..forces.minimums import minimum_rows
from ..forces.models import Force
from ..forces.rules import minimum_in_force
from . import eligibility
from .learning_models import LearningRecord
from .learning_rules import (
    AREAS,
    STAGES,
    StageRecord,
    StageRequirement,
    Standing,
    days_in,
    in_stage_too_long,
    standing,
)
from .learning_service import as_stage_record, stage_records
from .stage_spans import stage_records_of


def programme() -> dict[str, list[dict[str, str]]]:
    """API.md: the stages in order and the core areas of a QSC."""
    return {
        "stages": [{"code": code, "title": title} for code, title in STAGES.items()],
        "areas": [{"code": code, "title": title} for code, title in AREAS.items()],
    }


@dataclass(frozen=True)
class LearningStatus:
    officer_id: int
    on: date
    stage: str | None
    qsc_areas: list[str]
    qsc_full: bool
    since: date | None
    next_needs: list[str]
    records: list[LearningRecord]


def learning_status(
    session: Session, principal: Principal, officer_id: int, on: date
) -> LearningStatus:
    """The highest stage the officer holds on `on`, since when, and every record behind it."""
    officer = load_officer(session, principal, officer_id)
    records = stage_records(session, officer.id)
    held = standing([as_stage_record(r) for r in records], on)
    return LearningStatus(
        officer.id,
        on,
        held.stage,
        held.qsc_areas,
        held.qsc_full,
        held.since,
        held.next_needs,
        records,
    )


def standings(session: Session, officers: Sequence[Officer], on: date) -> dict[int, Standing]:
    """Where each officer stands on `on`: one statement however many officers."""
    records = stage_records_of(session, [officer.id for officer in officers])
    return {officer.id: standing(records[officer.id], on) for officer in officers}


@dataclass(frozen=True)
class Progress:
    """Readiness's view of the programme for one force on a day."""

    by_stage: dict[str, int]
    too_long: list[int]  # the officers at APS or DPS longer than the force's months


def progress(held: dict[int, Standing], on: date, months: int) -> Progress:
    by_stage = Counter(s.stage or "none" for s in held.values())
    counts = {code: by_stage.get(code, 0) for code in (*STAGES, "QSC-F", "none")}
    counts["QSC-F"] = sum(1 for s in held.values() if s.qsc_full)
    too_long = [
        officer_id
        for officer_id, s in held.items()
        if in_stage_too_long(s.stage, s.since, on, months)
    ]
    too_long.sort(key=lambda officer_id: -(days_in(held[officer_id].since, on) or 0))
    return Progress(counts, too_long)


class MonthlyMinimums:
    """The minimum hours of each officer of a force by month: the force's rows by period and
    stage, against the stage each officer holds on the month's first day (a stage reached
    during a month sets the minimum from the next)."""

    def __init__(self, session: Session, force: Force, officer_ids: Sequence[int]) -> None:
        self._rows = minimum_rows(session, force)
        self._default = force.monthly_minimum_hours
        self._records: dict[int, list[StageRecord]] = defaultdict(list)
        if any(row.stage for row in self._rows):
            for officer_id, records in stage_records_of(session, officer_ids).items():
                self._records[officer_id] = records

    def of(self, officer_id: int, month: Month) -> Decimal:
        stage = standing(self._records[officer_id], month.first_day).stage
        return minimum_in_force(self._rows, month.first_day, stage, self._default)


def officer_hours(
    session: Session, principal: Principal, officer_id: int, year: int
) -> list[MonthHours]:
    """API.md's hours by month, each against the minimum in force that month for the officer's
    stage that month."""
    officer = load_officer(session, principal, officer_id)
    minimums = MonthlyMinimums(session, officer.force, [officer.id])
    return duty_queries.officer_hours(
        session, principal, officer_id, year, lambda o, month: minimums.of(o.id, month)
    )


def meeting_stage(
    session: Session, officers: Sequence[Officer], requirement: StageRequirement, on: date
) -> list[Officer]:
    """The officers who meet the stage on `on` (learning_rules.meets_stage: at it, in its area,
    or above, safety training in force, serving), read from the stored stage spans."""
    covered = set(
        session.scalars(
            select(Officer.id).where(
                Officer.id.in_([officer.id for officer in officers]),
                eligibility.stage_met_throughout(requirement, on, on),
            )
        )
    )
    return [officer for officer in officers if officer.id in covered]
