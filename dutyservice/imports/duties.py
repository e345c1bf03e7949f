"""duties.csv: the one file as long as a force's history, so it is staged, not held.

Each row is checked on its own as it is read (rules.read_duty, and the officer serving on the
day it starts), then written to a temporary table, in batches (COPY on PostgreSQL). What needs
every row at once is asked of the database: which rows are stored already (matched by officer
and start), which overlap another row or a stored duty (the API's overlap rule: half-open
spans, cancelled duties aside), and the insert of the new ones in one statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    Column,
    ColumnElement,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from ..clock import london_day_of
from ..db import UTCDateTime, violated_constraint
from ..duties.models import Duty, Officer
from ..duties.rules import LONGEST_DUTY, DutyStatus, serving_on
from .rules import DUTIES, read_duty
from .source import SourceFile

if TYPE_CHECKING:
    from .service import _Run

BATCH = 5_000
NEW, SAME, CHANGED, REFUSED = "new", "same", "changed", "refused"
_COMPARED = (
    "ends_at",
    "duty_type_id",
    "location",
    "status",
    "actual_starts_at",
    "actual_ends_at",
)

staged = Table(
    "import_duty_rows",
    MetaData(),
    Column("line", Integer, primary_key=True),
    Column("officer_id", Integer, nullable=False),
    Column("duty_type_id", Integer, nullable=False),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=False),
    # starts_at less the longest duty: what could overlap it starts after this.
    Column("earliest_start", UTCDateTime(), nullable=False),
    Column("location", String(200), nullable=False),
    Column("status", String(12), nullable=False),
    Column("actual_starts_at", UTCDateTime()),
    Column("actual_ends_at", UTCDateTime()),
    Column("stored_id", Integer),
    Column("outcome", String(10), nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
# Created with the table (an index on a temporary table is temporary too).
Index("ix_import_duty_rows_officer_start", staged.c.officer_id, staged.c.starts_at)
Index("ix_import_duty_rows_stored_id", staged.c.stored_id)
_COLUMNS = [c.name for c in staged.columns]
_duties = cast(Table, Duty.__table__)


def import_duties(run: _Run, source: SourceFile) -> None:
    connection = run.session.connection()
    if run.dialect == "sqlite":
        connection.exec_driver_sql("DROP TABLE IF EXISTS temp.import_duty_rows")
    staged.create(connection)
    counts = run.counts(DUTIES)
    batch: list[dict[str, Any]] = []
    for line, raw in run.rows(source):
        row = _checked(run, line, raw)
        if row is None:
            counts.refused += 1
            continue
        batch.append(row)
        if len(batch) >= BATCH:
            _stage(run, batch)
            batch = []
    _stage(run, batch)
    _refuse_repeats(run)
    stored_duties = _force_has_duties(run)
    if stored_duties:
        _match_stored(run)
        _changed(run)
    _refuse_overlaps(run, stored_duties)
    outcomes = run.session.execute(
        select(staged.c.outcome, func.count()).group_by(staged.c.outcome)
    )
    for outcome, number in cast("Iterable[tuple[str, int]]", outcomes):
        if outcome == NEW:
            counts.added += number
        elif outcome == SAME:
            counts.unchanged += number
        elif outcome == CHANGED:
            if run.update:
                counts.updated += number
            else:
                counts.conflicts += number
        else:
            counts.refused += number
    if not run.report.errors and not run.report.dry_run:
        _write(run)
    if run.dialect == "sqlite":
        connection.exec_driver_sql("DROP TABLE temp.import_duty_rows")


def _checked(run: _Run, line: int, raw: dict[str, str | None]) -> dict[str, Any] | None:
    parsed, errors = read_duty(raw, run.duty_types, run.now)
    officer = run.officer_of(DUTIES, line, parsed.warrant_number) if parsed else None
    if parsed is not None and officer is not None:
        day = london_day_of(parsed.starts_at)
        if not serving_on(day, officer.joined_on, officer.left_on):
            if officer.left_on is not None and day >= officer.left_on:
                reason = f"is after the officer left on {officer.left_on.isoformat()}"
            else:
                reason = f"is before the officer joined on {officer.joined_on.isoformat()}"
            errors.append(("starts_at", reason))
    for column, reason in errors:
        run.refuse(DUTIES, line, column, reason)
    if errors or parsed is None or officer is None or officer.id is None:
        return None
    return {
        "line": line,
        "officer_id": officer.id,
        "duty_type_id": run.duty_types[parsed.duty_type],
        "starts_at": parsed.starts_at,
        "ends_at": parsed.ends_at,
        "earliest_start": parsed.starts_at - LONGEST_DUTY,
        "location": parsed.location,
        "status": parsed.status,
        "actual_starts_at": parsed.actual_starts_at,
        "actual_ends_at": parsed.actual_ends_at,
        "stored_id": None,
        "outcome": NEW,
    }


def _stage(run: _Run, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if run.dialect != "postgresql":
        run.session.execute(insert(staged), rows)
        return
    cursor = run.session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY import_duty_rows ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in _COLUMNS])


def _refuse_lines(run: _Run, refusals: Iterable[tuple[int, str, str]]) -> None:
    lines = []
    for line, column, reason in refusals:
        run.refuse(DUTIES, line, column, reason)
        lines.append(line)
    for start in range(0, len(lines), 1000):
        run.session.execute(
            update(staged)
            .where(staged.c.line.in_(lines[start : start + 1000]))
            .values(outcome=REFUSED)
        )


def _refuse_repeats(run: _Run) -> None:
    """Two rows for one officer and start are the same duty twice."""
    earlier = staged.alias("earlier")
    query = (
        select(staged.c.line, func.min(earlier.c.line))
        .join(
            earlier,
            and_(
                earlier.c.officer_id == staged.c.officer_id,
                earlier.c.starts_at == staged.c.starts_at,
                earlier.c.line < staged.c.line,
            ),
        )
        .group_by(staged.c.line)
    )
    _refuse_lines(
        run,
        [
            (line, "starts_at", f"repeats line {first}")
            for line, first in cast("Iterable[tuple[int, int]]", run.session.execute(query))
        ],
    )


def _force_has_duties(run: _Run) -> bool:
    """Whether any officer stored before this import has a duty (if not, nothing to match)."""
    if not run.stored_officers:
        return False
    # Officer by officer through the duties' (officer_id, starts_at) index: the force's officers
    # are few, the duties of every force many.
    has_duty = exists().where(Duty.officer_id == Officer.id)
    return bool(
        run.session.scalar(select(exists().where(Officer.force_id == run.force_id, has_duty)))
    )


def _match_stored(run: _Run) -> None:
    duties = _duties
    stored_id = (
        select(duties.c.id)
        .where(
            duties.c.officer_id == staged.c.officer_id,
            duties.c.starts_at == staged.c.starts_at,
        )
        .order_by(duties.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    run.session.execute(update(staged).where(staged.c.outcome == NEW).values(stored_id=stored_id))
    same = exists().where(
        duties.c.id == staged.c.stored_id,
        *(_same_value(duties.c[name], staged.c[name]) for name in _COMPARED),
    )
    run.session.execute(
        update(staged).where(staged.c.stored_id.is_not(None), same).values(outcome=SAME)
    )
    run.session.execute(
        update(staged)
        .where(staged.c.stored_id.is_not(None), staged.c.outcome == NEW)
        .values(outcome=CHANGED)
    )


def _same_value(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[bool]:
    """Equal, or both NULL (IS NOT DISTINCT FROM on PostgreSQL, IS on SQLite)."""
    return a.is_not_distinct_from(b)


def _changed(run: _Run) -> None:
    """Rows that differ from the stored duty: conflicts, or with --update the new values."""
    duties = _duties
    query = (
        select(staged, *(duties.c[name].label(f"stored_{name}") for name in _COMPARED))
        .join(duties, duties.c.id == staged.c.stored_id)
        .where(staged.c.outcome == CHANGED)
        .order_by(staged.c.line)
    )
    codes = {type_id: code for code, type_id in run.duty_types.items()}
    for row in run.session.execute(query).mappings():
        incoming = {name: row[name] for name in _COMPARED}
        stored = {name: row[f"stored_{name}"] for name in _COMPARED}
        columns = [name for name in _COMPARED if incoming[name] != stored[name]]
        if run.update:
            continue
        shown_in, shown_stored = dict(incoming), dict(stored)
        for values in (shown_in, shown_stored):
            values["duty_type"] = codes.get(values.pop("duty_type_id"))
        run.conflict(
            DUTIES,
            row["line"],
            ["duty_type" if c == "duty_type_id" else c for c in columns],
            shown_stored,
            shown_in,
        )


def _overlapping(table: Any) -> Any:
    """A non-cancelled duty of `table` overlapping the staged row (touching ends are fine)."""
    return and_(
        table.c.officer_id == staged.c.officer_id,
        table.c.starts_at > staged.c.earliest_start,
        table.c.starts_at < staged.c.ends_at,
        table.c.ends_at > staged.c.starts_at,
        table.c.status != DutyStatus.CANCELLED.value,
    )


def _refuse_overlaps(run: _Run, stored_duties: bool) -> None:
    """API.md: no two non-cancelled duties of an officer overlap (touching ends are fine)."""
    applied = [NEW, CHANGED] if run.update else [NEW]
    other = staged.alias("other")

    mine = and_(staged.c.outcome.in_(applied), staged.c.status != DutyStatus.CANCELLED.value)
    within = (
        select(staged.c.line, func.min(other.c.line))
        .join(
            other,
            and_(_overlapping(other), other.c.line < staged.c.line, other.c.outcome.in_(applied)),
        )
        .where(mine)
        .group_by(staged.c.line)
    )
    refusals = [
        (line, "starts_at", f"overlaps the duty on line {first}")
        for line, first in cast("Iterable[tuple[int, int]]", run.session.execute(within))
    ]
    if stored_duties:
        already = {line for line, _, _ in refusals}
        refusals += [r for r in _overlapping_stored(run, mine) if r[0] not in already]
    _refuse_lines(run, sorted(refusals))


def _overlapping_stored(run: _Run, mine: Any) -> list[tuple[int, str, str]]:
    """The staged rows that overlap a stored duty this import does not replace."""
    duties = _duties
    replaced = staged.alias("replaced")
    conditions = [
        _overlapping(duties),
        or_(staged.c.stored_id.is_(None), duties.c.id != staged.c.stored_id),
    ]
    not_replaced = [
        ~exists()
        .where(replaced.c.stored_id == duties.c.id, replaced.c.outcome == CHANGED)
        .correlate(duties)
    ]
    against_stored = (
        select(staged.c.line, func.min(duties.c.starts_at))
        .select_from(staged)
        .join(duties, and_(*conditions))
        .where(mine, *(not_replaced if run.update else []))
        .group_by(staged.c.line)
    )
    return [
        (line, "starts_at", f"overlaps a stored duty starting {_utc(starts_at)}")
        for line, starts_at in cast(
            "Iterable[tuple[int, Any]]", run.session.execute(against_stored)
        )
    ]


def _utc(value: Any) -> str:
    return (
        str(value.isoformat().replace("+00:00", "Z")) if hasattr(value, "isoformat") else str(value)
    )


#: The columns of a new duty, in the order `_new_rows` selects them.
_NEW_COLUMNS = (
    "officer_id",
    "duty_type_id",
    "starts_at",
    "ends_at",
    "status",
    "location",
    "notes",
    "actual_starts_at",
    "actual_ends_at",
    "version",
    "created_at",
    "updated_at",
)


def _new_rows(run: _Run) -> Any:
    """The staged rows that are new duties, as the columns of `_NEW_COLUMNS`."""
    now = literal(run.now, UTCDateTime())
    return select(
        staged.c.officer_id,
        staged.c.duty_type_id,
        staged.c.starts_at,
        staged.c.ends_at,
        staged.c.status,
        staged.c.location,
        literal(""),
        staged.c.actual_starts_at,
        staged.c.actual_ends_at,
        literal(1),
        now,
        now,
    ).where(staged.c.outcome == NEW)


def _write(run: _Run) -> None:
    duties = _duties
    if run.update:  # first, so that a new row may take the time a changed duty gives up
        _write_updates(run)
    try:
        run.session.execute(insert(duties).from_select(list(_NEW_COLUMNS), _new_rows(run)))
    except IntegrityError as exc:
        if violated_constraint(exc) == "ex_duties_no_overlap":
            # A duty booked through the API while the files were read overlaps one of them.
            run.refuse(
                DUTIES, 0, "starts_at", "overlaps a duty booked while importing; run it again"
            )
            return
        raise
    added = run.session.execute(
        select(staged.c.officer_id, func.count())
        .where(staged.c.outcome == NEW)
        .group_by(staged.c.officer_id)
    )
    run.audit_entries(
        [
            run.entry("duties.import", "officer", officer_id, officer_id, file=DUTIES, added=number)
            for officer_id, number in cast("Iterable[tuple[int, int]]", added)
        ]
    )


def _write_updates(run: _Run) -> None:
    duties = _duties
    rows = run.session.execute(
        select(staged.c.stored_id, staged.c.officer_id, *(staged.c[n] for n in _COMPARED)).where(
            staged.c.outcome == CHANGED
        )
    ).mappings()
    entries = []
    for row in rows:
        values = {name: row[name] for name in _COMPARED}
        run.session.execute(
            update(duties)
            .where(duties.c.id == row["stored_id"])
            .values(**values, version=duties.c.version + 1, updated_at=run.now)
        )
        entries.append(
            run.entry(
                "duty.update", "duty", row["stored_id"], row["officer_id"], file=DUTIES, **values
            )
        )
    run.audit_entries(entries)
