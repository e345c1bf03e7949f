"""Each officer's spans of eligibility (`rules.serving_spans`: serving and holding IPS against a
role profile), stored with the officer's force beside the records they come from and written in
the same transaction as every write that changes them, joining and leaving included, so that the
planners' question reads an index instead of evaluating the rule over every officer.

The same machinery keeps the spans of the learning programme's stages (`stage_spans.py`): each
table of spans is a `Kept`, the role profiles' (`PROFILES`) by default. `refresh_officers`
keeps any of them at once: one lock of the officers, one read of their records and of the
spans stored for them, and only the spans that changed written (`ips.service` refreshes both
kinds in each write to safety training, one of them in each write to the other records; the
import refreshes both for the officers it wrote). A new role profile version computes its
spans for every officer; `differences` recomputes every span from the records and compares
(`dutyservice db check`), and `repair` writes what the rule says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, partial
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    delete,
    insert,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from ..duties.models import Officer
from ..lookups import lookups
from .learning_models import LearningRecord
from .learning_rules import StageRecord
from .models import EligibilitySpan, RoleProfile
from .queries import (
    OfficerRow,
    evidence_from,
    evidence_selects,
    kind_of,
    officer_ids,
    requirements_of,
)
from .rules import OfficerEvidence, ProfileRequirements, Span, serving_spans

#: Officers read at a time when every officer's spans are computed (a national database).
CHUNK = 2_000
#: Two writers of one officer's records would each compute spans without the other's record;
#: the officer's row is held until commit, so the later one reads both (docs/integrity.md).
#: FOR NO KEY UPDATE, not FOR UPDATE: each writer already holds the row FOR KEY SHARE (its new
#: record's foreign key), which FOR UPDATE would wait on, and two such writers would deadlock.
LOCK_THE_OFFICER = True

#: A stored span as a tuple of its key columns, the officer's id first.
Key = tuple[Any, ...]


@dataclass(frozen=True)
class Records:
    """What the spans of some officers are computed from, read in one statement: their IPS
    evidence and stage records by officer, and every role profile's requirements; and each
    officer's force, which a span of eligibility is stored with."""

    evidence: dict[int, OfficerEvidence]
    stages: dict[int, list[StageRecord]]
    profiles: dict[int, ProfileRequirements]
    forces: dict[int, int]


@dataclass(frozen=True)
class Kept:
    """One table of spans kept beside the records they come from: the rule that computes them
    from the records, and the columns a span is stored in (the officer's id first, the span's
    days last). `slots`: the read's columns that carry the ones between (`_SLOTS`). Each row
    also holds the officer's force (`force_id`), which never changes, so is no part of a span's
    key."""

    name: str
    model: Any
    columns: tuple[str, ...]
    rule: Callable[[Records], set[Key]]
    slots: tuple[str, ...] = field(default=())

    def held(self, ids: Any) -> Select[Any]:
        """The spans stored for the officers `ids`, as rows of the read (`_read_statement`)."""
        table = self.model.__table__
        between = dict(zip(self.slots, self.columns[1:-2], strict=True))
        unit, number, detail = (
            table.c[between[slot]] if slot in between else _NOTHING[slot] for slot in _SLOTS
        )
        return select(
            kind_of(self.name),
            table.c.officer_id,
            unit,
            table.c.starts_on,
            table.c.ends_on,
            number,
            detail,
            table.c.id,
        ).where(table.c.officer_id.in_(ids))

    def key(self, row: Sequence[Any]) -> Key:
        """A row of `held` as the span's key."""
        return (row[1], *(row[_POSITION[slot]] for slot in self.slots), row[3], row[4])


#: A row of the read (`_read_statement`) is (kind, officer, unit, start, end, number, detail,
#: stored span's id): a record's or a span's columns by type, each null where the row has none.
#: A kind of span says which slots carry its columns between the officer and the days.
_SLOTS = ("unit", "number", "detail")
_POSITION = {"unit": 2, "number": 5, "detail": 6}
_NOTHING: dict[str, ColumnElement[Any]] = {
    "unit": cast(null(), String()),
    "number": cast(null(), Integer()),
    "detail": cast(null(), String()),
    "day": cast(null(), Date()),
}


def _profiles(session: Session, ids: Iterable[int]) -> dict[int, ProfileRequirements]:
    """Each role profile's requirements by id. A version never changes once written (a change
    is a new version), so its requirements are read once a process; the ids are read each
    time, for the versions added since."""
    remembered = lookups(session)
    return {
        profile_id: remembered.get(
            ("role_profile_requirements", profile_id), partial(_requirements, session, profile_id)
        )
        for profile_id in ids
    }


def _requirements(session: Session, profile_id: int) -> ProfileRequirements:
    return requirements_of(session.get_one(RoleProfile, profile_id))


def _every_profile(records: Records) -> set[Key]:
    """The spans the rule gives for these officers and every role profile."""
    return {
        (officer_id, profile_id, span.start, span.end)
        for officer_id, evidence in records.evidence.items()
        for profile_id, profile in records.profiles.items()
        for span in serving_spans(evidence, profile)
    }


PROFILES = Kept(
    "eligibility spans",
    EligibilitySpan,
    ("officer_id", "role_profile_id", "starts_on", "ends_on"),
    _every_profile,
    slots=("number",),
)


@cache
def _read_statement(kinds: tuple[Kept, ...]) -> CompoundSelect[Any]:
    """Officers' records, every role profile's id and the spans of `kinds` stored for them, as
    rows of (kind, officer, unit or stage, start, end, number, detail, stored span's id): the
    first five those of `evidence_selects`."""
    ids = officer_ids()
    number, detail, day = _NOTHING["number"], _NOTHING["detail"], _NOTHING["day"]
    learning = LearningRecord
    stages = select(
        kind_of("stage"),
        learning.officer_id,
        learning.stage,
        learning.attained_on,
        learning.revoked_on,
        number,
        learning.area,
        number,
    ).where(learning.officer_id.in_(ids))
    versions = select(
        kind_of("profile"), number, _NOTHING["unit"], day, day, RoleProfile.id, detail, number
    )
    return union_all(
        *(chosen.add_columns(number, detail, number) for chosen in evidence_selects(ids)),
        stages,
        versions,
        *(kept.held(ids) for kept in kinds),
    )


@dataclass
class Read:
    """What one read gave: the officers' records, and the spans stored for them by table, each
    as its key and its row's id."""

    records: Records
    held: dict[str, list[tuple[Key, int]]]


def read(session: Session, officers: Sequence[OfficerRow], kinds: tuple[Kept, ...]) -> Read:
    """The officers' records and their spans of `kinds` stored: one statement."""
    ids = [officer.id for officer in officers]
    rows: list[Any] = list(session.connection().execute(_read_statement(kinds), {"ids": ids}))
    stages: dict[int, list[StageRecord]] = defaultdict(list)
    held: dict[str, list[tuple[Key, int]]] = {kept.name: [] for kept in kinds}
    by_name = {kept.name: kept for kept in kinds}
    evidence, versions = [], []
    for row in rows:
        kind, officer_id, unit, start, end, number, detail, span_id = row
        if kind == "stage":
            stages[officer_id].append(StageRecord(unit, detail, Span(start, end)))
        elif kind == "profile":
            versions.append(number)
        elif kind in by_name:
            held[kind].append((by_name[kind].key(row), span_id))
        else:
            evidence.append(row)
    forces = {officer.id: officer.force_id for officer in officers}
    records = Records(
        evidence_from(officers, evidence), stages, _profiles(session, versions), forces
    )
    return Read(records, held)


def stored(
    session: Session, officer_ids: Sequence[int] | None = None, kept: Kept = PROFILES
) -> set[Key]:
    columns = [getattr(kept.model, name) for name in kept.columns]
    query = select(*columns)
    if officer_ids is not None:
        query = query.where(kept.model.officer_id.in_(officer_ids))
    return {tuple(row) for row in session.execute(query)}


def _write(
    session: Session, spans: Iterable[Key], forces: dict[int, int], kept: Kept = PROFILES
) -> None:
    """Insert `spans`, each with its officer's force (`forces`)."""
    rows = [dict(zip(kept.columns, key, strict=True)) for key in sorted(spans, key=_by_start)]
    for row in rows:
        row["force_id"] = forces[row["officer_id"]]
    if rows:
        session.execute(insert(kept.model.__table__), rows)


def _by_start(key: Key) -> tuple[Any, ...]:
    """Every column but the end: the spans of one requirement never start on the same day."""
    return key[:-1]


def refresh_officers(
    session: Session, officer_ids: Sequence[int], kinds: tuple[Kept, ...] = (PROFILES,)
) -> None:
    """Bring these officers' stored spans of `kinds` to what their records give, in the
    caller's transaction, writing only what changed (`changes`): no row when nothing did. The
    officers' rows are locked first and held until commit, so that of two writers the later
    reads the records of both."""
    if not officer_ids or not kinds:
        return
    session.flush()
    officers = _locked(session, officer_ids)
    found = read(session, officers, kinds)
    for kept in kinds:
        fresh = changes(kept.rule(found.records), found.held[kept.name])
        _bring_up_to_date(session, kept, fresh, found.records.forces)


def _locked(session: Session, officer_ids: Sequence[int]) -> list[OfficerRow]:
    """The officers' rows, locked (`LOCK_THE_OFFICER`): what the rules read of them."""
    table = Officer.__table__
    query = (
        select(table.c.id, table.c.joined_on, table.c.left_on, table.c.force_id)
        .where(table.c.id.in_(officer_ids))
        .order_by(table.c.id)
    )
    if LOCK_THE_OFFICER:
        query = query.with_for_update(of=table, key_share=True)
    return list(session.connection().execute(query))


@dataclass
class Changes:
    """How the stored spans of one kind become the rule's: rows deleted (`went`, by id), rows
    whose span now ends on another day (`moved`: id and the new end), spans inserted (`came`)."""

    went: list[int] = field(default_factory=list)
    moved: list[tuple[int, date | None]] = field(default_factory=list)
    came: set[Key] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.went or self.moved or self.came)


def changes(fresh: set[Key], held: Iterable[tuple[Key, int]]) -> Changes:
    """What turns the stored spans `held` (key and row id) into `fresh`: a span stored twice
    goes; a stored span that now ends on another day, with the same start, is moved."""
    kept_already: set[Key] = set()
    gone: list[tuple[Key, int]] = []
    for key, span_id in held:
        if key in fresh and key not in kept_already:
            kept_already.add(key)
        else:
            gone.append((key, span_id))
    came = {key[:-1]: key for key in fresh - kept_already}
    found = Changes()
    for key, span_id in gone:
        if key[:-1] in came:
            found.moved.append((span_id, came.pop(key[:-1])[-1]))
        else:
            found.went.append(span_id)
    found.came = set(came.values())
    return found


def _bring_up_to_date(session: Session, kept: Kept, found: Changes, forces: dict[int, int]) -> None:
    """Write the changes: nothing when there are none."""
    table = kept.model.__table__
    if found.moved:
        session.execute(
            update(table).where(table.c.id == bindparam("span_id")),
            [{"span_id": span_id, "ends_on": ends_on} for span_id, ends_on in found.moved],
        )
    if found.went:
        session.execute(delete(table).where(table.c.id.in_(found.went)))
    _write(session, found.came, forces, kept)


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
    only = _profiles(session, [profile_id])
    for chunk in _officers_in_chunks(session):
        records = replace(read(session, chunk, ()).records, profiles=only)
        _write(session, _every_profile(records), records.forces)


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
        found = read(session, chunk, (kept,))
        fresh, held = kept.rule(found.records), {key for key, _ in found.held[kept.name]}
        missing |= fresh - held
        extra |= held - fresh
    return Differences(missing, extra)


def repair(session: Session, kept: Kept = PROFILES) -> Differences:
    """Rewrite the spans of every officer whose stored spans differ from the rule's."""
    found = differences(session, kept)
    for start in range(0, len(found.officers), CHUNK):
        refresh_officers(session, found.officers[start : start + CHUNK], (kept,))
    return found


def rebuild(session: Session, kept: Kept = PROFILES) -> None:
    """Every span from the records (after a bulk load, or to fill the table)."""
    session.execute(delete(kept.model))
    for chunk in _officers_in_chunks(session):
        records = read(session, chunk, ()).records
        _write(session, kept.rule(records), records.forces, kept)


def covering(span: Span, first: date, last: date) -> bool:
    """A stored span answers for days first..last when it holds all of them."""
    return span.start <= first and (span.end is None or span.end > last)
