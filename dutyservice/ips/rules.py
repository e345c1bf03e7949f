"""Independent Patrol Status against a role profile (FEED.md "Who is in a return"), in plain Python.

Every record is a span of days held: a unit from attained_on until the day before revoked_on, a
grant from granted_on until the day before withdrawn_on, officer safety training from
completed_on to expires_on inclusive. A requirement is met over days first..last when the union
of its spans covers every one of those days. The SQL in `eligibility.py` states the same rule.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

OST = "ost"
IPS_PROFILE = (135, 1)  # the profile an IPS grant is checked against: Mercury Ref 135, version 1


class _Ordered(Protocol):
    # Any, not object: date compares only with dates, and is still ordered.
    def __lt__(self, other: Any, /) -> bool: ...
    def __le__(self, other: Any, /) -> bool: ...


P = TypeVar("P", bound=_Ordered)


@dataclass(frozen=True)
class Span:
    """Held from `start` up to, not including, `end` (None: still held)."""

    start: date
    end: date | None = None


def covers(spans: Iterable[tuple[P, P | None]], start: P, end: P) -> bool:
    """Whether the union of half-open spans covers all of [start, end)."""
    reached = start
    for span_start, span_end in sorted(spans, key=lambda s: s[0]):
        if span_start > reached:
            break
        if span_end is None:
            return True
        if span_end > reached:
            reached = span_end
        if not reached < end:
            return True
    return not reached < end


def held_on_every_day(spans: Iterable[Span], first: date, last: date) -> bool:
    return covers(((s.start, s.end) for s in spans), first, last + timedelta(days=1))


def not_yet_happened(day: date, today: date) -> bool:
    """Records state what has happened: none is dated after today (Europe/London)."""
    return day > today


def ends_before_it_starts(start: date, end: date | None) -> bool:
    """A record cannot end (be revoked, withdrawn, expire) before the day it starts."""
    return end is not None and end < start


def training_span(completed_on: date, expires_on: date) -> Span:
    return Span(completed_on, expires_on + timedelta(days=1))


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_ost_expiry(completed_on: date, validity_months: int) -> date:
    """The force's policy: valid for `validity_months` after completion, less a day."""
    return add_months(completed_on, validity_months) - timedelta(days=1)


@dataclass(frozen=True)
class ProfileRequirements:
    mercury_ref: int
    version: int
    required_units: tuple[str, ...]
    requires_current_ost: bool


@dataclass(frozen=True)
class Signatory:
    """An officer who authorised a role profile for a force: the host force's or the NPoCC's."""

    name: str
    rank: str
    position: str
    date_authorised: date

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "rank": self.rank,
            "position": self.position,
            "date_authorised": self.date_authorised.isoformat(),
        }


@dataclass(frozen=True)
class OfficerEvidence:
    """What the service holds about one officer that IPS depends on."""

    joined_on: date
    left_on: date | None = None
    units: Mapping[str, list[Span]] = field(default_factory=dict)
    ost: list[Span] = field(default_factory=list)
    grants: list[Span] = field(default_factory=list)


def serving_throughout(evidence: OfficerEvidence, first: date, last: date) -> bool:
    return evidence.joined_on <= first and (evidence.left_on is None or evidence.left_on > last)


def missing_requirements(
    evidence: OfficerEvidence, profile: ProfileRequirements, first: date, last: date | None = None
) -> list[str]:
    """Each requirement of the profile not met on every day first..last, in the profile's order."""
    last = first if last is None else last
    missing = [
        unit
        for unit in profile.required_units
        if not held_on_every_day(evidence.units.get(unit, []), first, last)
    ]
    if profile.requires_current_ost and not held_on_every_day(evidence.ost, first, last):
        missing.append(OST)
    return missing


def ips_granted_throughout(evidence: OfficerEvidence, first: date, last: date) -> bool:
    return held_on_every_day(evidence.grants, first, last)


def meets_profile(
    evidence: OfficerEvidence, profile: ProfileRequirements, first: date, last: date | None = None
) -> bool:
    """FEED.md's rule over every day first..last: serving, IPS granted, every requirement held."""
    last = first if last is None else last
    return (
        serving_throughout(evidence, first, last)
        and ips_granted_throughout(evidence, first, last)
        and not missing_requirements(evidence, profile, first, last)
    )


def merged(spans: Iterable[Span]) -> list[Span]:
    """The union of spans as the fewest disjoint spans, in order; touching spans join."""
    union: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if span.end is not None and span.end <= span.start:
            continue  # revoked or withdrawn on the day it began: never held
        if union and (union[-1].end is None or span.start <= union[-1].end):
            last = union[-1]
            end = None if last.end is None or span.end is None else max(last.end, span.end)
            union[-1] = Span(last.start, end)
        else:
            union.append(span)
    return union


def intersected(first: list[Span], second: list[Span]) -> list[Span]:
    """The days held in both unions (each merged), as merged spans."""
    both = []
    for a in first:
        for b in second:
            start = max(a.start, b.start)
            ends = [e for e in (a.end, b.end) if e is not None]
            end = min(ends) if ends else None
            if end is None or start < end:
                both.append(Span(start, end))
    return merged(both)


def eligible_spans(evidence: OfficerEvidence, profile: ProfileRequirements) -> list[Span]:
    """The days on which the officer holds IPS against the profile, serving or not: the grant,
    every unit the profile requires and (where it asks) current safety training, as maximal
    spans. Over days first..last `meets_profile` holds exactly when the officer serves then and
    one of these spans covers them (a property test holds the two together)."""
    held = merged(evidence.grants)
    for unit in profile.required_units:
        held = intersected(held, merged(evidence.units.get(unit, [])))
    if profile.requires_current_ost:
        held = intersected(held, merged(evidence.ost))
    return held


def serving_spans(evidence: OfficerEvidence, profile: ProfileRequirements) -> list[Span]:
    """The days on which the officer serves and holds IPS against the profile: `eligible_spans`
    within the days from joining to leaving. What is stored for the planners' question, so that
    a span covering a window answers it without reading the officer's row."""
    return within_service(eligible_spans(evidence, profile), evidence)


def within_service(spans: list[Span], evidence: OfficerEvidence) -> list[Span]:
    """The days of `spans` (merged) on which the officer serves: from joining to leaving."""
    return intersected(spans, [Span(evidence.joined_on, evidence.left_on)])


class _Grant(Protocol):
    @property
    def granted_on(self) -> date: ...
    @property
    def withdrawn_on(self) -> date | None: ...


class _Training(Protocol):
    @property
    def completed_on(self) -> date: ...
    @property
    def expires_on(self) -> date: ...


GrantT = TypeVar("GrantT", bound=_Grant)


def grant_in_force(grants: Iterable[GrantT], on: date) -> GrantT | None:
    """FEED.md column 11: the latest grant on or before `on` not withdrawn by then."""
    live = [
        g for g in grants if g.granted_on <= on and (g.withdrawn_on is None or g.withdrawn_on > on)
    ]
    return max(live, key=lambda g: g.granted_on, default=None)


def latest_ost_expiry(trainings: Iterable[_Training], on: date) -> date | None:
    """FEED.md column 14: the latest expiry among the training records current on `on`."""
    current = (t.expires_on for t in trainings if t.completed_on <= on <= t.expires_on)
    return max(current, default=None)
