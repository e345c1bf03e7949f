"""Making a return: files written atomically and once, a row per revision, one maker at a time."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..clock import Quarter, london_today, utc_now
from ..db import Database
from ..errors import Invalid, Unavailable
from ..forces.models import Force
from ..forces.queries import force_by_code, list_forces
from ..ips.models import ProfileAuthorisation, RoleProfile
from ..ips.queries import list_role_profiles, role_profile_row
from ..ips.rules import Signatory
from .feed import (
    CsvFacts,
    HashingWriter,
    OfficerLine,
    Profile,
    ReturnKey,
    csv_lines,
    manifest_bytes,
    total_hours,
)
from .membership import officer_lines
from .models import NpoccReturn

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
# API.md: without a feed the files in the export directory are the return; nothing waits.
FILED = "filed"
# Forces made at once on PostgreSQL: up to three, leaving one of the machine's cores to the
# service's requests. On two cores three kept both busy, and the planners' questions asked
# meanwhile took three to five times as long as alone; one at a time, a national export of
# 25,000 officers took 1.2 s against 1.0 to 1.1 s.
EXPORT_WORKERS = max(1, min(3, (os.cpu_count() or 1) - 1))


@dataclass(frozen=True)
class Generated:
    record: NpoccReturn
    created: bool  # False: the data had not changed, the latest revision stands


def check_quarter_ended(quarter: Quarter) -> None:
    if quarter.last_day >= london_today():
        raise Invalid(
            "the quarter has not ended",
            errors={"quarter": [f"{quarter} ends on {quarter.last_day}"]},
        )


def _lock(session: Session, key: ReturnKey) -> None:
    """One maker at a time for a (force, profile version, quarter)."""
    if session.get_bind().dialect.name == "postgresql":
        name = f"npocc:{key.force_code}:{key.mercury_ref}v{key.version}:{key.quarter}"
        lock_id = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
    else:
        # SQLite: the write transaction begins IMMEDIATE, excluding every other writer, when it
        # takes its connection; until then nothing is held, so take it now.
        session.connection()


def _profile(record: RoleProfile) -> Profile:
    return Profile(
        mercury_ref=record.mercury_ref,
        version=record.version,
        required_units=tuple(record.required_units),
        requires_current_ost=record.requires_current_ost,
        specialism=record.specialism,
    )


def _authorisations(
    session: Session, force_id: int, profile_id: int
) -> tuple[Signatory | None, Signatory | None]:
    row = session.scalar(
        select(ProfileAuthorisation).where(
            ProfileAuthorisation.force_id == force_id,
            ProfileAuthorisation.role_profile_id == profile_id,
        )
    )
    if row is None:
        return None, None
    host = (
        Signatory(
            row.host_name, row.host_rank or "", row.host_position or "", row.host_date_authorised
        )
        if row.host_name and row.host_date_authorised
        else None
    )
    npocc = (
        Signatory(
            row.npocc_name,
            row.npocc_rank or "",
            row.npocc_position or "",
            row.npocc_date_authorised,
        )
        if row.npocc_name and row.npocc_date_authorised
        else None
    )
    return host, npocc


@dataclass(frozen=True)
class _Subject:
    """The force and profile version a return is of, read once for all of a quarter's returns.

    The rows are detached: each return's own session takes a copy (`Session.merge` without a
    query), so one subject serves returns made at once in different threads.
    """

    force: Force
    profile_row: RoleProfile
    profile: Profile

    @classmethod
    def of(cls, force: Force, profile_row: RoleProfile) -> _Subject:
        return cls(force, profile_row, _profile(profile_row))


@dataclass(frozen=True)
class _Latest:
    """The newest revision made so far, as much of it as deciding the next one needs."""

    id: int
    revision: int
    sha256: str
    return_id: str


def _latest(session: Session, subject: _Subject, quarter: Quarter) -> _Latest | None:
    row = session.execute(
        select(NpoccReturn.id, NpoccReturn.revision, NpoccReturn.sha256, NpoccReturn.return_id)
        .where(
            NpoccReturn.force_id == subject.force.id,
            NpoccReturn.role_profile_id == subject.profile_row.id,
            NpoccReturn.quarter == str(quarter),
        )
        .order_by(NpoccReturn.revision.desc())
        .limit(1)
    ).one_or_none()
    return _Latest(*row) if row else None


def _read_lines(session: Session, subject: _Subject, quarter: Quarter) -> list[OfficerLine]:
    """The return's officers, read once: a few thousand at most, written once or compared."""
    return list(officer_lines(session, subject.force.id, subject.profile_row.id, quarter))


def _write_partial(path: Path, chunks: Iterable[bytes]) -> HashingWriter:
    try:
        with open(path, "wb") as raw:
            writer = HashingWriter(raw)
            for chunk in chunks:
                writer.write(chunk)
            raw.flush()
            os.fsync(raw.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise Unavailable(
            f"the export directory could not be written: {exc.strerror}; nothing was made"
        ) from exc
    return writer


def _publish(partial: Path, final: Path) -> None:
    os.replace(partial, final)  # atomic on one file system: readers see all of it or nothing
    directory = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _leftovers(export_dir: Path) -> list[Path]:
    """Partial files in the export directory, listed once for a run rather than per return
    (the directory holds every return's files). One left after this listing by a maker that
    died is removed by a later run."""
    return list(export_dir.glob(".*.partial"))


def _remove_partials(leftovers: list[Path], key: ReturnKey) -> None:
    """Leftovers of a maker that died mid-way: never published, safe to remove under the lock."""
    prefix = f".{key.return_id(0)[:-2]}"
    for leftover in leftovers:
        if leftover.name.startswith(prefix):
            leftover.unlink(missing_ok=True)


def _prepare(export_dir: Path, quarter: Quarter) -> list[Path]:
    """The export directory made if need be, and what makers that died left in it."""
    check_quarter_ended(quarter)
    try:
        export_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Unavailable(f"the export directory cannot be made: {exc.strerror}") from exc
    return _leftovers(export_dir)


def generate_return(
    db: Database,
    export_dir: Path,
    force_code: str,
    quarter: Quarter,
    mercury_ref: int,
    version: int,
    *,
    now: datetime | None = None,
) -> Generated:
    """FEED.md "Revisions": unchanged data makes nothing new; changed data makes revision n+1."""
    leftovers = _prepare(export_dir, quarter)
    with db.reading() as session:
        force = force_by_code(session, force_code)
        profile_row = role_profile_row(session, mercury_ref, version)
        subject = _Subject.of(force, profile_row)
    return _make(db, export_dir, subject, quarter, now, leftovers)


@dataclass(frozen=True)
class _Csv:
    """A return's CSV written to its partial file, not yet published."""

    partial: Path
    revision: int
    facts: CsvFacts


def _write_csv(
    export_dir: Path, subject: _Subject, key: ReturnKey, revision: int, lines: list[OfficerLine]
) -> _Csv:
    partial = export_dir / f".{key.return_id(revision)}.csv.{os.getpid()}.partial"
    written = _write_partial(partial, csv_lines(key, revision, subject.profile, lines))
    filename = f"{key.return_id(revision)}.csv"
    seconds = sum(line.duty_seconds_in_period for line in lines)
    facts = CsvFacts(filename, written.size, written.sha256, len(lines), seconds)
    return _Csv(partial, revision, facts)


def _same_as(latest: _Latest, subject: _Subject, key: ReturnKey, lines: list[OfficerLine]) -> bool:
    """Whether the rows are the latest revision's: its CSV made again, hashed, never written."""
    digest = hashlib.sha256()
    for chunk in csv_lines(key, latest.revision, subject.profile, lines):
        digest.update(chunk)
    return digest.hexdigest() == latest.sha256


def _changed_csv(
    session: Session, export_dir: Path, subject: _Subject, key: ReturnKey, latest: _Latest | None
) -> _Csv | None:
    """The next revision's CSV, or None when its rows are those of the latest revision (the
    revision number is part of every row: compared under the latest one's number)."""
    lines = _read_lines(session, subject, key.quarter)
    if latest is not None and _same_as(latest, subject, key, lines):
        return None
    return _write_csv(export_dir, subject, key, latest.revision + 1 if latest else 1, lines)


def _write_manifest(
    session: Session,
    export_dir: Path,
    subject: _Subject,
    key: ReturnKey,
    csv: _Csv,
    latest: _Latest | None,
    generated_at: datetime,
) -> tuple[Path, bytes]:
    host, npocc = _authorisations(session, subject.force.id, subject.profile_row.id)
    manifest = manifest_bytes(
        key=key,
        revision=csv.revision,
        supersedes=latest.return_id if latest else None,
        force_name=subject.force.name,
        profile=subject.profile,
        host=host,
        npocc=npocc,
        generated_at=generated_at,
        facts=csv.facts,
    )
    return_id = key.return_id(csv.revision)
    partial = export_dir / f".{return_id}.manifest.json.{os.getpid()}.partial"
    _write_partial(partial, [manifest])
    return partial, manifest


def _make(
    db: Database,
    export_dir: Path,
    subject: _Subject,
    quarter: Quarter,
    now: datetime | None,
    leftovers: list[Path],
    status: str = PENDING,
) -> Generated:
    """One return in its own transaction, under the lock for its force, profile and quarter."""
    profile = subject.profile
    key = ReturnKey(subject.force.code, profile.mercury_ref, profile.version, quarter)
    with db.transaction() as session:
        force = session.merge(subject.force, load=False)
        profile_row = session.merge(subject.profile_row, load=False)
        _lock(session, key)
        _remove_partials(leftovers, key)
        latest = _latest(session, subject, quarter)
        csv = _changed_csv(session, export_dir, subject, key, latest)
        if csv is None:
            assert latest is not None
            return Generated(session.get_one(NpoccReturn, latest.id), created=False)
        generated_at = (now or utc_now()).replace(microsecond=0)
        manifest_partial, manifest = _write_manifest(
            session, export_dir, subject, key, csv, latest, generated_at
        )
        record = NpoccReturn(
            force=force,
            role_profile=profile_row,
            quarter=str(quarter),
            supersedes_id=latest.id if latest else None,
            **_made(key, csv, manifest, generated_at, status),
        )
        session.add(record)
        session.flush()
        # Published last: a maker that dies before this leaves only partial files, which the next
        # maker removes; one that dies after leaves files the rerun rewrites with the same bytes.
        _publish(csv.partial, export_dir / csv.facts.filename)
        _publish(manifest_partial, export_dir / record.manifest_filename)
        return Generated(record, created=True)


def _made(
    key: ReturnKey, csv: _Csv, manifest: bytes, generated_at: datetime, status: str
) -> dict[str, Any]:
    """A new revision's columns that its files and its making give."""
    return_id = key.return_id(csv.revision)
    return {
        "return_id": return_id,
        "revision": csv.revision,
        "record_count": csv.facts.record_count,
        "total_duty_hours": total_hours(csv.facts.total_duty_seconds),
        "csv_filename": csv.facts.filename,
        "csv_bytes": csv.facts.size,
        "sha256": csv.facts.sha256,
        "manifest_filename": f"{return_id}.manifest.json",
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "generated_at": generated_at,
        "status": status,
        "delivery_attempts": 0,
        "next_attempt_at": generated_at if status == PENDING else None,
    }


def returning_forces(forces: list[Force], force_code: str | None) -> list[Force]:
    """The forces whose returns are made: FEED.md's are the territorial forces'; another
    force's only where it is set to (`makes_returns`). One named force must be one of them."""
    if force_code is not None:
        forces = [force for force in forces if force.code == force_code]
        if not forces:
            raise Invalid("unknown force", errors={"force": [f"no force {force_code!r}"]})
    forces = [force for force in forces if force.makes_returns]
    if force_code is not None and not forces:
        raise Invalid(
            "the force makes no NPoCC returns",
            errors={"force": [f"{force_code!r} is not set to make returns"]},
        )
    return forces


def generate_quarter(
    db: Database,
    export_dir: Path,
    quarter: Quarter,
    force_code: str | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    workers: int = EXPORT_WORKERS,
    served: tuple[str, ...] = (),
    status: str = PENDING,
) -> list[Generated]:
    """Every served force's (or one force's) return for every role profile version, made with
    `status` (pending delivery, or filed); on PostgreSQL, `workers` forces at once (the files
    are the same bytes whatever the number)."""
    leftovers = _prepare(export_dir, quarter)
    with db.reading() as session:
        forces = [force for force in list_forces(session) if not served or force.code in served]
        profile_rows = list_role_profiles(session)
    forces = returning_forces(forces, force_code)
    subjects = {
        force.code: [_Subject.of(force, profile_row) for profile_row in profile_rows]
        for force in forces
    }

    def force_returns(code: str) -> list[Generated]:
        return [_make(db, export_dir, s, quarter, None, leftovers, status) for s in subjects[code]]

    # Each return is its own transaction and files: on PostgreSQL several forces at a time keep
    # both the database and this process busy. SQLite takes one writer at a time. The first
    # force is made alone, so that its statements are composed and compiled once rather than by
    # every worker at the same moment (a tenth of a new process's run on the small data sets).
    workers = workers if db.dialect == "postgresql" else 1
    codes = list(subjects)
    made: list[Generated] = []
    for code in codes[:1]:
        made += force_returns(code)
        if progress:
            progress(code)
    with ThreadPoolExecutor(workers) as pool:
        try:
            for code, generated in zip(codes[1:], pool.map(force_returns, codes[1:]), strict=True):
                made += generated
                if progress:
                    progress(code)
        except BaseException:
            pool.shutdown(cancel_futures=True)  # forces not yet begun are not begun
            raise
    return made
