"""`dutyservice import`: one transaction for the whole file set, all of it or none.

Every row is checked (rules.py, the API's own rules) and every refusal kept, so that a force
fixes its files in one pass; if any row is refused, or on a dry run, the transaction is rolled
back. Rows are matched to what is stored by warrant number and their natural keys, so the same
files again add nothing; a changed row is a conflict unless updates were asked for.
"""

from __future__ import annotations

import getpass
import hashlib
import itertools
import os
import socket
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from .. import audit
from ..clock import LONDON, utc_now
from ..db import Database
from ..errors import DomainError
from ..forces.models import Force
from ..forces.queries import force_by_code
from ..ips import spans, stage_spans
from ..ips.learning_models import LearningRecord
from ..ips.learning_rules import StageRecord, missing_before
from ..ips.queries import role_profile
from ..ips.rules import (
    IPS_PROFILE,
    OfficerEvidence,
    ProfileRequirements,
    Span,
    missing_requirements,
    serving_throughout,
    training_span,
)
from ..models import CompetencyRecord, DutyType, IpsGrant, NosUnit, Officer, TrainingRecord
from . import duties as staged_duties
from .report import FileCounts, ImportReport
from .rules import (
    COLUMNS,
    COMPETENCIES,
    DUTIES,
    GRANTS,
    LEARNING,
    OFFICERS,
    TRAINING,
    CompetencyRow,
    GrantRow,
    LearningRow,
    OfficerRow,
    changed_columns,
    read_competency,
    read_grant,
    read_learning,
    read_officer,
    read_training,
)
from .source import Row, SourceFile, row_error

BATCH = 2_000
Progress = Callable[[str, int], None]  # file name, rows read so far


def importer_actor() -> audit.Actor:
    """Audit entries of an import carry the role "import", name who ran it (the account and
    host of the command) and the file set in `changes`."""
    return audit.ServiceActor(role="import", name=f"{_account()} on {socket.gethostname()}")


def _account() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container's arbitrary user)
        return f"uid {os.getuid()}"


class _RollBack(Exception):
    pass


def import_records(
    db: Database,
    directory: Path,
    force_code: str,
    *,
    dry_run: bool = False,
    update: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import the file set in `directory` for the force; see API.md and docs/import.md."""
    report = ImportReport(name=directory.resolve().name, dry_run=dry_run)
    try:
        with db.transaction() as session:
            run = _Run(session, db.dialect, report, force_code, update, progress, now)
            run.all_files(directory)
            if report.errors or dry_run:
                raise _RollBack()
            refresh_force_spans(session, force_code)
    except _RollBack:
        pass
    report.errors.sort()
    return report


def refresh_force_spans(session: Session, force_code: str) -> None:
    """The imported records' eligibility and stage spans, in the import's transaction."""
    officer_ids = session.scalars(
        select(Officer.id).join(Officer.force).where(Force.code == force_code)
    ).all()
    for start in range(0, len(officer_ids), spans.CHUNK):
        chunk = officer_ids[start : start + spans.CHUNK]
        spans.refresh_officers(session, chunk, stage_spans.BOTH)


def _one_import_at_a_time(session: Session, dialect: str, force_code: str) -> None:
    """Two imports for one force would each add the officers the other is adding."""
    if dialect == "postgresql":
        name = f"import:{force_code}"
        lock_id = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
    # SQLite: the write transaction began IMMEDIATE, so no other writer runs until it ends.


def store_officer_email(session: Session, emails: Sequence[tuple[int, str]]) -> None:
    """Officers' checked e-mail addresses (officer id, address): personal data, kept on the
    officer for notifications, never in a return or a log."""
    if emails:
        officers = cast(Table, Officer.__table__)
        session.execute(
            officers.update()
            .where(officers.c.id == bindparam("officer"))
            .values(email=bindparam("address")),
            [{"officer": officer_id, "address": email} for officer_id, email in emails],
        )


@dataclass
class _Officer:
    id: int | None
    joined_on: date
    left_on: date | None
    line: int | None = None  # in officers.csv
    refused: bool = False


@dataclass
class _Held:
    """The records of one officer that IPS depends on, by natural key: stored, then imported."""

    units: dict[tuple[str, date], tuple[Span, int | None]] = field(default_factory=dict)
    ost: dict[date, Span] = field(default_factory=dict)


@dataclass(frozen=True)
class _RecordFile:
    """How one file of officers' records is read, matched to what is stored, and kept: its
    rows parsed (`read`), keyed naturally (`key_of`), stored as columns (`values_of`), and
    each row taken held for the later checks (`hold`), after any check of its own."""

    file: str
    model: Any
    read: Callable[[Row], tuple[Any, list[tuple[str, str]]]]
    key_of: Callable[[int, Any], tuple[Any, ...]]
    values_of: Callable[[Any], dict[str, Any]]
    hold: Callable[[int, Any, int], None]
    check: Callable[[_Officer, Any], list[tuple[str, str]]] | None = None


class _Run:
    def __init__(
        self,
        session: Session,
        dialect: str,
        report: ImportReport,
        force_code: str,
        update: bool,
        progress: Progress | None,
        now: datetime | None,
    ) -> None:
        self.session, self.dialect, self.report = session, dialect, report
        self.update, self.progress = update, progress
        self.now = now or utc_now()
        self.today = self.now.astimezone(LONDON).date()
        force = force_by_code(session, force_code)
        _one_import_at_a_time(session, dialect, force_code)
        self.force_id, self.ost_validity_months = force.id, force.ost_validity_months
        self.duty_types = dict(
            session.execute(
                select(DutyType.code, DutyType.id).where(DutyType.force_id == force.id)
            ).all()
        )
        self.units = set(session.scalars(select(NosUnit.code)))
        self.profile: ProfileRequirements = role_profile(session, *IPS_PROFILE)
        self.officers: dict[str, _Officer] = {}
        self.held: dict[int, _Held] = defaultdict(_Held)
        self.added_lines: dict[str, set[int]] = defaultdict(set)

    # The set --------------------------------------------------------------------------------

    def all_files(self, directory: Path) -> None:
        if not directory.is_dir():
            raise DomainError(f"{directory} is not a directory")
        self._load_stored_officers()
        self.officers_file(SourceFile(directory, OFFICERS))
        self.competencies_file(SourceFile(directory, COMPETENCIES))
        self.training_file(SourceFile(directory, TRAINING))
        self.grants_file(SourceFile(directory, GRANTS))
        self.learning_file(SourceFile(directory, LEARNING))
        self.duties_file(SourceFile(directory, DUTIES))

    def refuse(self, file: str, line: int, column: str, reason: str) -> None:
        self.report.errors.append(row_error(file, line, column, reason))

    def refuse_counted(self, file: str, line: int, column: str, reason: str) -> None:
        """A row found wrong after it was counted (with the rows it clashes with)."""
        self.refuse(file, line, column, reason)
        counts = self.counts(file)
        if line in self.added_lines[file]:
            counts.added -= 1
        else:
            counts.unchanged -= 1
        counts.refused += 1

    def conflict(self, file: str, line: int, columns: Iterable[str], stored: Any, new: Any) -> None:
        for column in columns:
            self.report.conflicts.append(
                row_error(
                    file,
                    line,
                    column,
                    f"stored {_shown(_get(stored, column))}, file has {_shown(_get(new, column))}",
                )
            )

    def rows(self, source: SourceFile) -> Iterator[tuple[int, Row]]:
        read = 0
        for read, (line, raw) in enumerate(source.rows(), start=1):
            if self.progress and read % 1000 == 0:
                self.progress(source.name, read)
            yield line, raw
        if self.progress and source.present:
            self.progress(source.name, read)
        self.report.errors.extend(source.errors)

    def counts(self, file: str) -> FileCounts:
        return self.report.counts[file]

    def audit_entries(self, entries: list[dict[str, Any]]) -> None:
        if entries:
            self.session.execute(insert(audit.AuditEntry), entries)

    def entry(
        self,
        action: str,
        resource_type: str,
        resource_id: int | None,
        officer_id: int,
        **changes: Any,
    ) -> dict[str, Any]:
        values = audit.entry_parameters(
            importer_actor(),
            action,
            resource_type,
            force_id=self.force_id,
            changes={"import": self.report.name, **changes},
        )
        return {
            **{name.removeprefix("audit_"): value for name, value in values.items()},
            "resource_id": resource_id,
            "officer_id": officer_id,
        }

    def officer_of(self, file: str, line: int, warrant_number: str) -> _Officer | None:
        officer = self.officers.get(warrant_number)
        if officer is None:
            self.refuse(
                file,
                line,
                "warrant_number",
                f"no officer {warrant_number!r} in this force or in officers.csv",
            )
            return None
        if officer.refused:
            self.refuse(
                file,
                line,
                "warrant_number",
                f"the officer's row is refused ({OFFICERS}:{officer.line})",
            )
            return None
        return officer

    # Officers -------------------------------------------------------------------------------

    def _load_stored_officers(self) -> None:
        self.stored_officers: dict[str, dict[str, Any]] = {}
        columns = [Officer.id, *(Officer.__table__.c[name] for name in _OFFICER_COLUMNS)]
        for row in self.session.execute(select(*columns).where(Officer.force_id == self.force_id)):
            record = row._asdict()
            self.stored_officers[record["warrant_number"]] = record
            self.officers[record["warrant_number"]] = _Officer(
                record["id"], record["joined_on"], record["left_on"]
            )

    def officers_file(self, source: SourceFile) -> None:
        counts, new, emails = self.counts(OFFICERS), [], []
        seen: dict[str, int] = {}
        for line, raw in self.rows(source):
            parsed, errors = read_officer(raw)
            warrant_number = (raw.get("warrant_number") or "").strip()
            if warrant_number in seen:
                errors.append(("warrant_number", f"repeats line {seen[warrant_number]}"))
            seen.setdefault(warrant_number, line)
            if errors or parsed is None:
                counts.refused += 1
                for column, reason in errors:
                    self.refuse(OFFICERS, line, column, reason)
                if warrant_number and warrant_number not in self.stored_officers:
                    self.officers[warrant_number] = _Officer(None, date.min, None, line, True)
                continue
            stored = self.stored_officers.get(parsed.warrant_number)
            if stored is None:
                counts.added += 1
                new.append(parsed)
                self.officers[parsed.warrant_number] = _Officer(
                    None, parsed.joined_on, parsed.left_on, line
                )
                continue
            self.officers[parsed.warrant_number].line = line
            changed = changed_columns(stored, parsed.record())
            if not changed:
                counts.unchanged += 1
            elif self.update:
                counts.updated += 1
                self._update_officer(stored, parsed, changed)
            else:
                counts.conflicts += 1
                self.conflict(OFFICERS, line, changed, stored, parsed.record())
            if parsed.email and (not changed or self.update):
                emails.append((stored["id"], parsed.email))
        self._insert_officers(new)
        for row in new:
            officer_id = self.officers[row.warrant_number].id
            if row.email and officer_id is not None:
                emails.append((officer_id, row.email))
        store_officer_email(self.session, emails)

    def _insert_officers(self, rows: list[OfficerRow]) -> None:
        now = self.now
        for batch in _batches(rows):
            self.session.execute(
                insert(Officer),
                [
                    {
                        **row.record(),
                        "force_id": self.force_id,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for row in batch
                ],
            )
        if not rows:
            return
        ids = dict(
            self.session.execute(
                select(Officer.warrant_number, Officer.id).where(Officer.force_id == self.force_id)
            ).all()
        )
        entries = []
        for row in rows:
            officer = self.officers[row.warrant_number]
            officer.id = ids[row.warrant_number]
            entries.append(
                self.entry(
                    "officer.import",
                    "officer",
                    officer.id,
                    officer.id,
                    file=OFFICERS,
                    line=officer.line,
                )
            )
        self.audit_entries(entries)

    def _update_officer(self, stored: dict[str, Any], row: OfficerRow, changed: list[str]) -> None:
        values = {column: getattr(row, column) for column in changed}
        self.session.execute(
            update(Officer)
            .where(Officer.id == stored["id"])
            .values(**values, version=Officer.version + 1, updated_at=self.now)
        )
        officer = self.officers[row.warrant_number]
        officer.joined_on, officer.left_on = row.joined_on, row.left_on
        self.audit_entries(
            [self.entry("officer.update", "officer", stored["id"], stored["id"], **values)]
        )

    # Competencies, training, IPS grants ------------------------------------------------------

    def _stored(
        self, model: type[CompetencyRecord | TrainingRecord | IpsGrant | LearningRecord]
    ) -> Iterator[dict[str, Any]]:
        """The force's stored rows of an officer's records, as columns by name."""
        table = model.__table__
        query = (
            select(table)
            .join(Officer.__table__, Officer.id == table.c.officer_id)
            .where(Officer.force_id == self.force_id)
        )
        for row in self.session.execute(query):
            yield row._asdict()

    def competencies_file(self, source: SourceFile) -> None:
        stored: dict[tuple[Any, ...], dict[str, Any]] = {}
        for record in self._stored(CompetencyRecord):
            key = (record["officer_id"], record["unit_code"], record["attained_on"])
            stored[key] = record
            self.held[record["officer_id"]].units[record["unit_code"], record["attained_on"]] = (
                Span(record["attained_on"], record["revoked_on"]),
                None,
            )
        self._records_file(
            source,
            _RecordFile(
                COMPETENCIES,
                CompetencyRecord,
                lambda raw: read_competency(raw, self.units, self.today),
                lambda officer_id, row: (officer_id, row.unit, row.attained_on),
                _competency_values,
                self._hold_competency,
            ),
            stored,
        )
        self._one_held_unit_each()

    def _hold_competency(self, officer_id: int, row: CompetencyRow, line: int) -> None:
        self.held[officer_id].units[row.unit, row.attained_on] = (
            Span(row.attained_on, row.revoked_on),
            line,
        )

    def _one_held_unit_each(self) -> None:
        """As through the API: a unit is recorded again only once the last record is revoked."""
        for held in self.held.values():
            unrevoked: dict[str, list[tuple[date, int | None]]] = defaultdict(list)
            for (unit, attained_on), (span, line) in held.units.items():
                if span.end is None:
                    unrevoked[unit].append((attained_on, line))
            for records in unrevoked.values():
                self._refuse_later_live(
                    COMPETENCIES,
                    "unit",
                    records,
                    "already held unrevoked ({where}); revoke it first",
                )

    def _refuse_later_live(
        self, file: str, column: str, live: list[tuple[date, int | None]], reason: str
    ) -> None:
        """Of one officer's live rows of a kind (start day, and the line of a row of this run;
        None for a stored row) all but the first are refused: the store holds one live row."""
        live = sorted(live, key=lambda r: r[0])
        for (_, earlier), (_, line) in itertools.pairwise(live):
            if line is not None:
                where = f"line {earlier}" if earlier else "the stored records"
                self.refuse_counted(file, line, column, reason.format(where=where))

    def training_file(self, source: SourceFile) -> None:
        stored: dict[tuple[Any, ...], dict[str, Any]] = {}
        for record in self._stored(TrainingRecord):
            stored[record["officer_id"], record["kind"], record["completed_on"]] = record
            self.held[record["officer_id"]].ost[record["completed_on"]] = training_span(
                record["completed_on"], record["expires_on"]
            )
        self._records_file(
            source,
            _RecordFile(
                TRAINING,
                TrainingRecord,
                lambda raw: read_training(raw, self.today, self.ost_validity_months),
                lambda officer_id, row: (officer_id, row.kind, row.completed_on),
                _training_values,
                lambda officer_id, row, _line: self.held[officer_id].ost.__setitem__(
                    row.completed_on, training_span(row.completed_on, row.expires_on)
                ),
            ),
            stored,
        )

    def grants_file(self, source: SourceFile) -> None:
        stored: dict[tuple[Any, ...], dict[str, Any]] = {}
        grants: dict[int, dict[date, tuple[date | None, int | None]]] = defaultdict(dict)
        for record in self._stored(IpsGrant):
            stored[record["officer_id"], record["granted_on"]] = record
            grants[record["officer_id"]][record["granted_on"]] = (record["withdrawn_on"], None)

        def hold(officer_id: int, row: GrantRow, line: int) -> None:
            grants[officer_id][row.granted_on] = (row.withdrawn_on, line)

        self._records_file(
            source,
            _RecordFile(
                GRANTS,
                IpsGrant,
                lambda raw: read_grant(raw, self.today),
                lambda officer_id, row: (officer_id, row.granted_on),
                _grant_values,
                hold,
                check=self._grant_is_earned,
            ),
            stored,
        )
        # As through the API: IPS is granted again only once the grant in force is withdrawn.
        for held in grants.values():
            self._refuse_later_live(
                GRANTS,
                "withdrawn_on",
                [(day, line) for day, (end, line) in held.items() if end is None],
                "IPS already held ({where}); withdraw it before granting again",
            )

    def _grant_is_earned(self, officer: _Officer, row: GrantRow) -> list[tuple[str, str]]:
        """As through the API: serving on granted_on, and the role profile met that day."""
        held = self.held.get(officer.id or 0) or _Held()
        units: dict[str, list[Span]] = defaultdict(list)
        for (unit, _), (span, _) in held.units.items():
            units[unit].append(span)
        evidence = OfficerEvidence(
            officer.joined_on, officer.left_on, dict(units), list(held.ost.values())
        )
        if not serving_throughout(evidence, row.granted_on, row.granted_on):
            return [("granted_on", "the officer is not serving on that day")]
        missing = missing_requirements(evidence, self.profile, row.granted_on)
        if missing:
            return [
                (
                    "granted_on",
                    f"the role profile is not met that day: missing {', '.join(missing)}",
                )
            ]
        return []

    def _records_file(
        self, source: SourceFile, kind: _RecordFile, stored: dict[tuple[Any, ...], dict[str, Any]]
    ) -> None:
        """A file of records each naming an officer: check, match by natural key, write."""
        counts, new = self.counts(kind.file), []
        seen: dict[tuple[Any, ...], int] = {}
        added_by_officer: Counter[int] = Counter()
        for line, raw in self.rows(source):
            checked = self._checked_record(kind, line, raw, seen)
            if checked is None:
                continue
            officer_id, parsed, key = checked
            values = kind.values_of(parsed)
            record = stored.get(key)
            if record is not None:
                self._match_record(kind, line, (officer_id, parsed), record, values)
                continue
            counts.added += 1
            self.added_lines[kind.file].add(line)
            added_by_officer[officer_id] += 1
            new.append({**values, "officer_id": officer_id})
            kind.hold(officer_id, parsed, line)
            if len(new) >= BATCH:
                self._insert_records(kind.model, new)
                new = []
        self._insert_records(kind.model, new)
        self.audit_entries(
            [
                self.entry(
                    f"{kind.model.__tablename__}.import",
                    "officer",
                    officer_id,
                    officer_id,
                    file=kind.file,
                    added=n,
                )
                for officer_id, n in added_by_officer.items()
            ]
        )

    def _checked_record(
        self, kind: _RecordFile, line: int, raw: Row, seen: dict[tuple[Any, ...], int]
    ) -> tuple[int, Any, tuple[Any, ...]] | None:
        """The row's officer id, its parsed record and its natural key; or None, the row
        refused (and counted) with every reason found."""
        parsed, errors = kind.read(raw)
        officer = None
        if parsed is not None:
            officer = self.officer_of(kind.file, line, parsed.warrant_number)
            if officer is None:
                self.counts(kind.file).refused += 1
                return None
        key: tuple[Any, ...] = ()
        if officer is not None and officer.id is not None:
            if kind.check is not None:
                errors += kind.check(officer, parsed)
            key = kind.key_of(officer.id, parsed)
            if key in seen:
                errors.append(("-", f"repeats line {seen[key]}"))
            seen.setdefault(key, line)
        if errors or parsed is None or officer is None or officer.id is None:
            self.counts(kind.file).refused += 1
            for column, reason in errors:
                self.refuse(kind.file, line, column, reason)
            return None
        return officer.id, parsed, key

    def _match_record(
        self,
        kind: _RecordFile,
        line: int,
        row: tuple[int, Any],
        record: dict[str, Any],
        values: dict[str, Any],
    ) -> None:
        """A row whose natural key is stored: unchanged, updated (when asked), or a conflict."""
        officer_id, parsed = row
        counts = self.counts(kind.file)
        changed = changed_columns(record, values)
        if not changed:
            counts.unchanged += 1
            kind.hold(officer_id, parsed, line)
        elif self.update:
            counts.updated += 1
            kind.hold(officer_id, parsed, line)
            self._update_record(kind.model, kind.file, record, {c: values[c] for c in changed})
        else:
            counts.conflicts += 1
            self.conflict(kind.file, line, changed, record, values)

    def _insert_records(self, model: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(
                insert(model),
                [{**row, "recorded_at": self.now, "recorded_by_token_id": None} for row in rows],
            )

    def _update_record(
        self, model: Any, file: str, record: dict[str, Any], values: dict[str, Any]
    ) -> None:
        self.session.execute(update(model).where(model.id == record["id"]).values(**values))
        self.audit_entries(
            [
                self.entry(
                    f"{model.__tablename__}.update",
                    "officer",
                    record["officer_id"],
                    record["officer_id"],
                    file=file,
                    record_id=record["id"],
                    **values,
                )
            ]
        )

    # The learning programme ------------------------------------------------------------------

    def learning_file(self, source: SourceFile) -> None:
        stored: dict[tuple[Any, ...], dict[str, Any]] = {}
        # By natural key, so that a stored row that the file repeats is held once.
        held: dict[int, dict[tuple[str, str, date], tuple[StageRecord, int | None]]]
        held = defaultdict(dict)
        for record in self._stored(LearningRecord):
            key = (record["officer_id"], record["stage"], record["area"], record["attained_on"])
            stored[key] = record
            span = Span(record["attained_on"], record["revoked_on"])
            held[record["officer_id"]][key[1:]] = (
                StageRecord(record["stage"], record["area"], span),
                None,
            )

        def hold(officer_id: int, row: LearningRow, line: int) -> None:
            span = Span(row.attained_on, row.revoked_on)
            held[officer_id][row.stage, row.area, row.attained_on] = (
                StageRecord(row.stage, row.area, span),
                line,
            )

        self._records_file(
            source,
            _RecordFile(
                LEARNING,
                LearningRecord,
                lambda raw: read_learning(raw, self.today),
                lambda officer_id, row: (officer_id, row.stage, row.area, row.attained_on),
                _learning_values,
                hold,
                check=lambda officer, row: (
                    _serving_on_attained_on(officer, row)
                    + _one_live_stage(held[officer.id or 0], row)
                ),
            ),
            stored,
        )
        for records in held.values():
            self._stage_rules(list(records.values()))

    def _stage_rules(self, records: list[tuple[StageRecord, int | None]]) -> None:
        """As through the API, for one officer: the stage before is held on the day a stage
        is attained (whatever order the file gives them in)."""
        all_records = [record for record, _ in records]
        for record, line in records:
            others = [other for other in all_records if other is not record]
            needed = missing_before(others, record.stage, record.span.start)
            if line is not None and needed is not None:
                self.refuse_counted(
                    LEARNING, line, "attained_on", f"{needed} is not held on that day"
                )

    # Duties -----------------------------------------------------------------------------------

    def duties_file(self, source: SourceFile) -> None:
        staged_duties.import_duties(self, source)


# What the import stores of an officers.csv row; the e-mail address goes through contact_columns.
_OFFICER_COLUMNS = tuple(name for name in COLUMNS[OFFICERS] if name != "email")


# The fields of a file's row named otherwise than the columns they are stored in.
_FIELD_OF_COLUMN = {"unit_code": "unit", "withdraw_reason": "withdrawal_reason"}


def _stored_values(*columns: str) -> Callable[[Any], dict[str, Any]]:
    """What the import stores of a file's row: these columns, each from the row's field."""

    def values(row: Any) -> dict[str, Any]:
        return {column: getattr(row, _FIELD_OF_COLUMN.get(column, column)) for column in columns}

    return values


_competency_values = _stored_values(
    "unit_code", "attained_on", "assessed_by", "evidence_ref", "revoked_on"
)
_training_values = _stored_values("kind", "completed_on", "expires_on")
_learning_values = _stored_values(
    "stage", "area", "attained_on", "assessed_by", "evidence_ref", "revoked_on"
)


def _one_live_stage(
    held: dict[tuple[str, str, date], tuple[StageRecord, int | None]], row: LearningRow
) -> list[tuple[str, str]]:
    """As through the API: a stage (and area) is recorded again only once the last is revoked;
    checked as each row is read, before it is written, as the store holds one live record."""
    if row.revoked_on is not None:
        return []
    for key, (record, line) in held.items():
        same = (record.stage, record.area) == (row.stage, row.area)
        if same and record.span.end is None and key != (row.stage, row.area, row.attained_on):
            where = f"line {line}" if line else "the stored records"
            return [("stage", f"already held unrevoked ({where}); revoke it first")]
    return []


def _serving_on_attained_on(officer: _Officer, row: LearningRow) -> list[tuple[str, str]]:
    evidence = OfficerEvidence(officer.joined_on, officer.left_on)
    if serving_throughout(evidence, row.attained_on, row.attained_on):
        return []
    return [("attained_on", "the officer is not serving on that day")]


_grant_values = _stored_values(
    "granted_on",
    "authorised_by_name",
    "authorised_by_rank",
    "authorised_by_position",
    "withdrawn_on",
    "withdraw_reason",
)


def _get(values: Any, column: str) -> Any:
    return values.get(column) if isinstance(values, dict) else getattr(values, column, None)


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)


def _batches(rows: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]
