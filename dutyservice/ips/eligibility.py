"""FEED.md's membership rule as one SQL condition, for sets of officers (deployable, returns),
and the learning programme's rule beside it (deployable by stage).

`rules.py` and `learning_rules.py` are the same rules for one officer in Python; property tests
hold them together.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.visitors import replacement_traverse

from ..db import later_unestimated, next_day
from ..duties.models import AvailabilityWindow, Duty, Officer
from ..duties.rules import LONGEST_DUTY, DutyStatus
from .learning_models import LearningRecord, StageSpan
from .learning_rules import QSC, StageRequirement, stages_from
from .models import CompetencyRecord, EligibilitySpan, IpsGrant, TrainingRecord
from .rules import OST, ProfileRequirements

Requirement = ProfileRequirements | StageRequirement

Bounds = Callable[[Any], tuple[ColumnElement[Any], ColumnElement[Any]]]
Scope = Callable[[Any], ColumnElement[bool]]


def covered(
    model: type[Any], bounds: Bounds, scope: Scope, start: Any, end: Any
) -> ColumnElement[bool]:
    """The rows of `model` in `scope` cover all of [start, end) between them (see rules.covers).

    Covered means: some span holds at `start`, and no span ending inside (start, end) is
    followed by a gap, that is, its end is not held by another span.
    """
    first, ending, following = aliased(model), aliased(model), aliased(model)
    first_start, first_end = bounds(first)
    _end_start, end_end = bounds(ending)
    next_start, next_end = bounds(following)
    # Each EXISTS reads only its own alias; everything else (the officer, the outer spans) is
    # correlated, which SQLAlchemy does not do on its own beyond the enclosing level.
    holds_at_start = (
        exists()
        .where(scope(first), first_start <= start, or_(first_end.is_(None), first_end > start))
        .correlate_except(first)
    )
    followed = (
        exists()
        .where(
            scope(following),
            next_start <= end_end,
            or_(next_end.is_(None), next_end > end_end),
        )
        .correlate_except(following)
    )
    gap = (
        exists()
        .where(scope(ending), end_end > start, end_end < end, ~followed)
        .correlate_except(ending)
    )
    return and_(holds_at_start, ~gap)


def unit_held(unit: str, first: Any, after_last: Any) -> ColumnElement[bool]:
    return covered(
        CompetencyRecord,
        lambda r: (r.attained_on, r.revoked_on),
        lambda r: and_(the_officers(r), r.unit_code == unit),
        first,
        after_last,
    )


def ost_current(first: Any, after_last: Any) -> ColumnElement[bool]:
    return covered(
        TrainingRecord,
        lambda r: (r.completed_on, next_day(r.expires_on)),
        lambda r: and_(the_officers(r), r.kind == OST),
        first,
        after_last,
    )


def the_officers(record: Any) -> ColumnElement[bool]:
    """A scope: the outer `Officer`'s rows."""
    return record.officer_id == Officer.id  # type: ignore[no-any-return]


def ips_granted(first: Any, after_last: Any) -> ColumnElement[bool]:
    return covered(
        IpsGrant, lambda g: (g.granted_on, g.withdrawn_on), the_officers, first, after_last
    )


def serving(first: Any, last: Any) -> ColumnElement[bool]:
    return and_(Officer.joined_on <= first, or_(Officer.left_on.is_(None), Officer.left_on > last))


def of_officer(
    officer_id: ColumnElement[int], condition: ColumnElement[bool]
) -> ColumnElement[bool]:
    """`condition`, written of the outer `Officer`, of the officer whose id is `officer_id`
    (a column of some other rows, such as the spans covering a window)."""
    officers = Officer.__table__

    def replaced(element: Any, **kw: Any) -> Any:
        is_id = isinstance(element, Column) and element.table is officers and element.name == "id"
        return officer_id if is_id else None

    return replacement_traverse(condition, {}, replaced)


def meets_profile(
    profile: ProfileRequirements, first: Any, last: Any, after_last: Any = None
) -> ColumnElement[bool]:
    """For the outer `Officer`: FEED.md's rule holds on every day first..last.

    The days may be dates or bind parameters (a statement built once, run for any window).
    """
    if after_last is None:
        after_last = last + timedelta(days=1)
    conditions = [serving(first, last), ips_granted(first, after_last)]
    conditions += [unit_held(unit, first, after_last) for unit in profile.required_units]
    if profile.requires_current_ost:
        conditions.append(ost_current(first, after_last))
    return and_(*conditions)


def span_covers(span: Any, first: Any, last: Any) -> ColumnElement[bool]:
    """A stored eligibility span holds every day first..last (`spans.covering` in Python)."""
    return and_(span.starts_on <= first, or_(span.ends_on.is_(None), span.ends_on > last))


def covering(
    model: type[EligibilitySpan] | type[StageSpan],
    asked: ColumnElement[bool],
    first: Any,
    last: Any,
    force_id: Any = None,
) -> CompoundSelect[Any]:
    """The officers (and their forces) with a stored span of `model` of the requirement `asked`
    covering first..last (`span_covers`): since a span holds only days of service, those
    serving and meeting it on every day. Two ranges of an index on (requirement, end, start,
    force, officer), or in one force on (requirement, force, end, start, officer): the spans
    still open and those ending after `last`, read from the index alone. An index on the start
    read every span begun before the window, however long ago it ended: the more history, the
    more it read."""

    def started(ending: ColumnElement[bool]) -> Select[int, int]:
        where = [asked, ending, model.starts_on <= first]
        if force_id is not None:
            where.append(model.force_id == force_id)
        return select(model.officer_id, model.force_id).where(*where)

    return union_all(started(model.ends_on.is_(None)), started(model.ends_on > last))


def covering_spans(
    role_profile_id: Any, first: Any, last: Any, force_id: Any = None
) -> CompoundSelect[Any]:
    """The officers meeting the role profile on every day first..last (`covering`)."""
    asked = EligibilitySpan.role_profile_id == role_profile_id
    return covering(EligibilitySpan, asked, first, last, force_id)


def covering_stage_spans(
    requirement: StageRequirement, first: Any, last: Any, force_id: Any = None
) -> CompoundSelect[Any]:
    """The officers at the stage (in the area) on every day first..last (`covering`)."""
    asked = and_(StageSpan.stage == requirement.stage, StageSpan.area == (requirement.area or ""))
    return covering(StageSpan, asked, first, last, force_id)


def at_stage(stage: str, area: str | None, first: Any, after_last: Any) -> ColumnElement[bool]:
    """The outer `Officer` is at `stage` or above (a QSC: in `area`, if named) on every day."""

    def scope(record: Any) -> ColumnElement[bool]:
        held = and_(the_officers(record), record.stage.in_(stages_from(stage)))
        return and_(held, record.area == area) if stage == QSC and area else held

    return covered(
        LearningRecord, lambda r: (r.attained_on, r.revoked_on), scope, first, after_last
    )


def meets_stage(
    requirement: StageRequirement, first: Any, last: Any, after_last: Any = None
) -> ColumnElement[bool]:
    """For the outer `Officer`: serving, at the stage and safety training in force, every day
    first..last (learning_rules.meets_stage). No IPS grant is asked for."""
    if after_last is None:
        after_last = last + timedelta(days=1)
    return and_(
        serving(first, last),
        at_stage(requirement.stage, requirement.area, first, after_last),
        ost_current(first, after_last),
    )


def stage_met_throughout(
    requirement: StageRequirement, first: Any, last: Any
) -> ColumnElement[bool]:
    """`meets_stage` read from the stored stage spans (`stage_spans.py`): serving, and one span
    of the stage (in the area, or '' for any) covering every day first..last."""
    kept = aliased(StageSpan)
    area = requirement.area or ""
    covering_span = (
        exists()
        .where(
            kept.officer_id == Officer.id,
            kept.stage == requirement.stage,
            kept.area == area,
            span_covers(kept, first, last),
        )
        .correlate_except(kept)
    )
    return and_(serving(first, last), covering_span)


def meets(
    requirement: Requirement | None, first: Any, last: Any, after_last: Any = None
) -> ColumnElement[bool]:
    """A role profile's rule, a stage's (read from its stored spans), or (neither) serving on
    every day first..last."""
    if isinstance(requirement, StageRequirement):
        return stage_met_throughout(requirement, first, last)
    if requirement is not None:
        return meets_profile(requirement, first, last, after_last)
    return serving(first, last)


def available_throughout(starts_at: Any, ends_at: Any) -> ColumnElement[bool]:
    """The officer's declared availability windows cover all of [starts_at, ends_at)."""
    return covered(
        AvailabilityWindow, lambda w: (w.starts_at, w.ends_at), the_officers, starts_at, ends_at
    )


def grant_in_force(officer_id: Any, on: Any) -> Select[Any]:
    """FEED.md column 11: the officer's latest grant on or before `on` not withdrawn by `on`.

    `officer_id` may be a value or the outer `Officer.id` (a correlated subquery).
    """
    return (
        select(IpsGrant)
        .where(
            IpsGrant.officer_id == officer_id,
            IpsGrant.granted_on <= on,
            or_(IpsGrant.withdrawn_on.is_(None), IpsGrant.withdrawn_on > on),
        )
        .order_by(IpsGrant.granted_on.desc(), IpsGrant.id.desc())
        .limit(1)
    )


def ost_expiry(officer_id: Any, on: Any) -> Select[Any]:
    """FEED.md column 14: when the officer's safety training current on `on` expires (the
    latest expiry, where records overlap); none current, NULL."""
    return select(func.max(TrainingRecord.expires_on)).where(
        TrainingRecord.officer_id == officer_id,
        TrainingRecord.kind == OST,
        TrainingRecord.completed_on <= on,
        TrainingRecord.expires_on >= on,
    )


def free_for(starts_at: Any, ends_at: Any, earliest: Any = None) -> ColumnElement[bool]:
    """The outer `Officer` has no booked or completed duty overlapping [starts_at, ends_at)."""
    if earliest is None:
        earliest = starts_at - LONGEST_DUTY
    # Every status but cancelled (the table's check allows no other), written as the partial
    # index's own literal so that even a generic plan reads the window's live duties from it
    # once, nationally, instead of probing each officer's.
    live = Duty.status != literal_column(f"'{DutyStatus.CANCELLED}'")
    # `Duty.overlapping`, the end's condition out of PostgreSQL's guess (`later_unestimated`):
    # with 30 years of history it guessed a handful of the window's duties and compared every
    # officer with each of them, 7 ms of an 11 ms statement, where it now hashes them once.
    overlapping = (Duty.starts_at < ends_at, later_unestimated(Duty.ends_at, starts_at))
    return ~exists().where(
        Duty.officer_id == Officer.id, live, *overlapping, Duty.starts_at > earliest
    )


def deployable(
    profile: Requirement | None, first: Any, last: Any, starts_at: Any, ends_at: Any
) -> ColumnElement[bool]:
    """API.md "Deployable resource" for the outer `Officer`: meets the profile or stage on every
    day first..last (or, without either, serves on every day), and is free for the window."""
    return and_(meets(profile, first, last), free_for(starts_at, ends_at))
