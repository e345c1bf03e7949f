"""Each officer's spans of eligibility (`rules.eligible_spans`), stored beside the records they
come from and written in the same transaction as every write that changes them, so that the
planners' question reads an index instead of evaluating the rule over every officer.

`ips.service` refreshes an officer's spans in each write to their units, training and grants;
a new role profile version computes its spans for every officer; the import and the bulk
loaders refresh the officers they wrote. `differences` recomputes every span from the records
and compares (`dutyservice db check`), and `repair` writes what the rule says.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ..duties.models import Officer
from ..lookups import lookups
from .models import EligibilitySpan, RoleProfile
from .queries import evidence_of, requirements_of
from .rules import ProfileRequirements, Span, eligible_spans

#: Officers read at a time when every officer's spans are computed (a national database).
CHUNK = 2_000
#: Two writers of one officer's records would each compute spans without the other's record;
#: the officer's row is held until commit, so the later one reads both (docs/integrity.md).
#: FOR NO KEY UPDATE, not FOR UPDATE: each writer already holds the row FOR KEY SHARE (its new
#: record's foreign key), which FOR UPDATE would wait on, and two such writers would deadlock.
LOCK_THE_OFFICER = True

SpanKey = tuple[int, int, date, date | None]  # officer, role profile, starts_on, ends_on


def _profiles(session: Session, only: int | None = None) -> dict[int, ProfileRequirements]:
    """Each role profile's requirements by id. A version never changes once written (a change
    is a new version), so its requirements are read once a process; the ids are read each
    time, for the versions added since."""
    query = select(RoleProfile.id)
    if only is not None:
        query = query.where(RoleProfile.id == only)
    remembered = lookups(session)
    return {
        profile_id: remembered.get(
            ("role_profile_requirements", profile_id), partial(_requirements, session, profile_id)
        )
        for profile_id in session.scalars(query)
    }


def _requirements(session: Session, profile_id: int) -> ProfileRequirements:
    return requirements_of(session.get_one(RoleProfile, profile_id))


def computed(
    session: Session, officers: Sequence[Officer], profiles: dict[int, ProfileRequirements]
) -> set[SpanKey]:
    """The spans the rule gives for these officers and profiles."""
    spans: set[SpanKey] = set()
    for officer_id, evidence in evidence_of(session, officers).items():
        for profile_id, profile in profiles.items():
            spans |= {
                (officer_id, profile_id, span.start, span.end)
                for span in eligible_spans(evidence, profile)
            }
    return spans


def stored(session: Session, officer_ids: Sequence[int] | None = None) -> set[SpanKey]:
    table = EligibilitySpan
    query = select(table.officer_id, table.role_profile_id, table.starts_on, table.ends_on)
    if officer_ids is not None:
        query = query.where(table.officer_id.in_(officer_ids))
    return {(o, p, s, e) for o, p, s, e in session.execute(query)}


def _write(session: Session, spans: set[SpanKey]) -> None:
    if spans:
        session.execute(
            insert(EligibilitySpan),
            [
                {"officer_id": o, "role_profile_id": p, "starts_on": s, "ends_on": e}
                for o, p, s, e in sorted(spans, key=lambda k: (k[0], k[1], k[2]))
            ],
        )


def refresh_officers(session: Session, officer_ids: Sequence[int]) -> None:
    """Rewrite these officers' spans from their records, in the caller's transaction."""
    if not officer_ids:
        return
    session.flush()
    query = select(Officer).where(Officer.id.in_(officer_ids)).order_by(Officer.id)
    if LOCK_THE_OFFICER:
        query = query.with_for_update(of=Officer, key_share=True)
    officers = list(session.scalars(query))
    fresh = computed(session, officers, _profiles(session))
    session.execute(delete(EligibilitySpan).where(EligibilitySpan.officer_id.in_(officer_ids)))
    _write(session, fresh)


def _officers_in_chunks(session: Session) -> Iterator[list[Officer]]:
    last_id = 0
    while True:
        chunk = list(
            session.scalars(
                select(Officer).where(Officer.id > last_id).order_by(Officer.id).limit(CHUNK)
            )
        )
        if not chunk:
            return
        yield chunk
        last_id = chunk[-1].id


def add_profile(session: Session, profile_id: int) -> None:
    """A new role profile version: every officer's spans against it."""
    profiles = _profiles(session, only=profile_id)
    for chunk in _officers_in_chunks(session):
        _write(session, computed(session, chunk, profiles))


@dataclass(frozen=True)
class Differences:
    """What the stored spans lack (`missing`) and hold that the rule does not (`extra`)."""

    missing: set[SpanKey]
    extra: set[SpanKey]

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra)

    @property
    def officers(self) -> list[int]:
        return sorted({key[0] for key in self.missing | self.extra})


def differences(session: Session) -> Differences:
    """Every officer's spans recomputed from their records and compared with those stored."""
    profiles = _profiles(session)
    missing: set[SpanKey] = set()
    extra: set[SpanKey] = set()
    for chunk in _officers_in_chunks(session):
        ids = [officer.id for officer in chunk]
        fresh, kept = computed(session, chunk, profiles), stored(session, ids)
        missing |= fresh - kept
        extra |= kept - fresh
    return Differences(missing, extra)


def repair(session: Session) -> Differences:
    """Rewrite the spans of every officer whose stored spans differ from the rule's."""
    found = differences(session)
    for start in range(0, len(found.officers), CHUNK):
        refresh_officers(session, found.officers[start : start + CHUNK])
    return found


def rebuild(session: Session) -> None:
    """Every span from the records (after a bulk load, or to fill the table)."""
    session.execute(delete(EligibilitySpan))
    profiles = _profiles(session)
    for chunk in _officers_in_chunks(session):
        _write(session, computed(session, chunk, profiles))


def covering(span: Span, first: date, last: date) -> bool:
    """A stored span answers for days first..last when it holds all of them."""
    return span.start <= first and (span.end is None or span.end > last)
