"""Each officer's spans of eligibility (`rules.eligible_spans`), stored beside the records they
come from and written in the same transaction as every write that changes them, so that the
planners' question reads an index instead of evaluating the rule over every officer.

`ips.service` refreshes an officer's spans in each write to their units, training and grants;
a new role profile version computes its spans for every officer; the import and the bulk
loaders refresh the officers they wrote. `differences` recomputes every span from the records
and compares (`dutyservice db check`), and `repair` writes what the rule says.

The same machinery keeps the spans of the learning programme's stages (`stage_spans.py`): each
function takes the table of spans it works on (`Kept`), the role profiles' by default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ..duties.models import Officer
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
#: A stored span as a tuple of its key columns, the officer's id first.
Key = tuple[Any, ...]


@dataclass(frozen=True)
class Kept:
    """One table of spans kept beside the records they come from: the rule that computes them
    for a set of officers, and the columns a span is stored in (the officer's id first)."""

    name: str
    model: Any
    columns: tuple[str, ...]
    compute: Callable[[Session, Sequence[Officer]], set[Key]]


def _profiles(session: Session, only: int | None = None) -> dict[int, ProfileRequirements]:
    query = select(RoleProfile)
    if only is not None:
        query = query.where(RoleProfile.id == only)
    return {profile.id: requirements_of(profile) for profile in session.scalars(query)}


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


def _every_profile(session: Session, officers: Sequence[Officer]) -> set[Key]:
    return set(computed(session, officers, _profiles(session)))


PROFILES = Kept(
    "eligibility spans",
    EligibilitySpan,
    ("officer_id", "role_profile_id", "starts_on", "ends_on"),
    _every_profile,
)


def stored(
    session: Session, officer_ids: Sequence[int] | None = None, kept: Kept = PROFILES
) -> set[Key]:
    columns = [getattr(kept.model, name) for name in kept.columns]
    query = select(*columns)
    if officer_ids is not None:
        query = query.where(kept.model.officer_id.in_(officer_ids))
    return {tuple(row) for row in session.execute(query)}


def _write(session: Session, spans: set[Key], kept: Kept = PROFILES) -> None:
    if spans:
        session.execute(
            insert(kept.model),
            [dict(zip(kept.columns, key, strict=True)) for key in sorted(spans, key=_by_start)],
        )


def _by_start(key: Key) -> tuple[Any, ...]:
    """Every column but the end: the spans of one requirement never start on the same day."""
    return key[:-1]


def lock_officers(session: Session, officer_ids: Sequence[int]) -> None:
    """Hold the officers' rows until commit, so that of two writers the later reads both."""
    if LOCK_THE_OFFICER:
        session.execute(
            select(Officer.id)
            .where(Officer.id.in_(officer_ids))
            .order_by(Officer.id)
            .with_for_update(of=Officer, key_share=True)
        )


def refresh_officers(session: Session, officer_ids: Sequence[int], kept: Kept = PROFILES) -> None:
    """Rewrite these officers' spans from their records, in the caller's transaction."""
    if not officer_ids:
        return
    session.flush()
    lock_officers(session, officer_ids)
    officers = list(session.scalars(select(Officer).where(Officer.id.in_(officer_ids))))
    fresh = kept.compute(session, officers)
    session.execute(delete(kept.model).where(kept.model.officer_id.in_(officer_ids)))
    _write(session, fresh, kept)


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
        _write(session, set(computed(session, chunk, profiles)))


@dataclass(frozen=True)
class Differences:
    """What the stored spans lack (`missing`) and hold that the rule does not (`extra`)."""

    missing: set[Key]
    extra: set[Key]

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra)

    @property
    def officers(self) -> list[int]:
        return sorted({key[0] for key in self.missing | self.extra})


def differences(session: Session, kept: Kept = PROFILES) -> Differences:
    """Every officer's spans recomputed from their records and compared with those stored."""
    missing: set[Key] = set()
    extra: set[Key] = set()
    for chunk in _officers_in_chunks(session):
        ids = [officer.id for officer in chunk]
        fresh, held = kept.compute(session, chunk), stored(session, ids, kept)
        missing |= fresh - held
        extra |= held - fresh
    return Differences(missing, extra)


def repair(session: Session, kept: Kept = PROFILES) -> Differences:
    """Rewrite the spans of every officer whose stored spans differ from the rule's."""
    found = differences(session, kept)
    for start in range(0, len(found.officers), CHUNK):
        refresh_officers(session, found.officers[start : start + CHUNK], kept)
    return found


def rebuild(session: Session, kept: Kept = PROFILES) -> None:
    """Every span from the records (after a bulk load, or to fill the table)."""
    session.execute(delete(kept.model))
    for chunk in _officers_in_chunks(session):
        _write(session, kept.compute(session, chunk), kept)


def covering(span: Span, first: date, last: date) -> bool:
    """A stored span answers for days first..last when it holds all of them."""
    return span.start <= first and (span.end is None or span.end > last)
