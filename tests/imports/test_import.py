"""`dutyservice import`: a force's history from its old system's files, on both databases."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dutyservice.audit import AuditEntry
from dutyservice.clock import Quarter
from dutyservice.db import Database
from dutyservice.duties.models import Duty, Officer
from dutyservice.imports.report import ImportReport
from dutyservice.imports.service import import_records
from dutyservice.ips.models import CompetencyRecord, IpsGrant, TrainingRecord
from dutyservice.npocc.generation import generate_return
from tests.support import databases
from tests.support.builders import Builder

from .api_entry import enter_through_api

SAMPLE = Path(__file__).parents[2] / "fixtures" / "import" / "cambridgeshire-2025"
FORCE = "cambridgeshire"
TABLES = (Officer, Duty, CompetencyRecord, TrainingRecord, IpsGrant, AuditEntry)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A copy of the sample set, free to be edited by the test."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "cambridgeshire-2025"))


def append(directory: Path, name: str, *lines: str) -> None:
    with (directory / name).open("a", encoding="utf-8", newline="") as stream:
        stream.writelines(f"{line}\n" for line in lines)


def replace(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def stored(db: Database) -> dict[str, int]:
    with db.reading() as session:
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in TABLES
        }


def returns(db: Database, directory: Path) -> dict[str, bytes]:
    made = {}
    for quarter in ("2025-Q1", "2025-Q4"):
        generated = generate_return(db, directory, FORCE, Quarter.parse(quarter), 135, 1)
        path = next(directory.rglob(f"{generated.record.return_id}.csv"))
        made[quarter] = path.read_bytes()
    return made


def run(
    db: Database, directory: Path, *, dry_run: bool = False, update: bool = False
) -> ImportReport:
    return import_records(db, directory, FORCE, dry_run=dry_run, update=update)


def test_imported_history_gives_the_same_returns_as_the_history_entered_through_the_api(
    db: Database, client: FlaskClient, build: Builder, files: Path, tmp_path: Path
) -> None:
    report = run(db, files)
    assert report.errors == []
    assert report.written
    imported = returns(db, tmp_path / "imported")
    databases.empty_tables(db)
    enter_through_api(client, build.headers("authoriser"), files, FORCE)
    entered = returns(db, tmp_path / "entered")
    assert imported == entered
    # Both clock changes of 2025 are in it: the October night 22:00 BST to 06:00 GMT is 9 hours.
    assert b"cambridgeshire-C1001,SSGT,Parkside" in imported["2025-Q4"]
    assert b",2,16.50\r\n" in imported["2025-Q4"]
    assert b",2,12.00\r\n" in imported["2025-Q1"]


def test_importing_the_same_files_again_adds_nothing_and_says_so(db: Database, files: Path) -> None:
    first = run(db, files)
    after_first = stored(db)
    again = run(db, files)
    assert stored(db) == after_first
    assert first.counts["duties.csv"].added == 16
    assert all(c.added == 0 and c.refused == 0 for c in again.counts.values())
    assert again.counts["duties.csv"].unchanged == 16
    assert "nothing new" in again.summary()


def test_a_later_export_adds_its_new_rows_and_reports_changed_ones_as_conflicts(
    db: Database, files: Path
) -> None:
    run(db, files)
    replace(
        files,
        "duties.csv",
        "C1004,2025-11-01 08:00,2025-11-01 14:00,admin,March",
        "C1004,2025-11-01 08:00,2025-11-01 15:00,admin,March",
    )
    append(
        files, "duties.csv", "C1003,2025-12-20 09:00,2025-12-20 15:00,patrol,Huntingdon,completed,,"
    )
    report = run(db, files)
    assert report.errors == []
    assert report.counts["duties.csv"].added == 1
    assert report.counts["duties.csv"].conflicts == 1
    # Completed without actual times: they are the booked ones, and change with them.
    assert [str(c) for c in report.conflicts] == [
        "duties.csv:14: ends_at: stored 2025-11-01T14:00:00Z, file has 2025-11-01T15:00:00Z",
        "duties.csv:14: actual_ends_at: stored 2025-11-01T14:00:00Z, file has 2025-11-01T15:00:00Z",
    ]
    with db.reading() as session:
        ends = session.scalars(select(Duty.ends_at).where(Duty.location == "March")).all()
    assert ends == [datetime(2025, 11, 1, 14, 0, tzinfo=UTC)]


def test_with_update_changed_rows_are_applied_and_audited_as_the_import(
    db: Database, files: Path
) -> None:
    run(db, files)
    replace(
        files,
        "duties.csv",
        "C1004,2025-11-01 08:00,2025-11-01 14:00,admin,March",
        "C1004,2025-11-01 08:00,2025-11-01 15:00,admin,March",
    )
    replace(files, "officers.csv", "C1006,Fenwick,Tom,SC,Ely", "C1006,Fenwick,Tom,SSGT,Ely")
    report = run(db, files, update=True)
    assert report.errors == []
    assert report.conflicts == []
    assert report.counts["duties.csv"].updated == 1
    assert report.counts["officers.csv"].updated == 1
    with db.reading() as session:
        ends = session.scalars(select(Duty.ends_at).where(Duty.location == "March")).all()
        rank = session.scalar(select(Officer.rank).where(Officer.warrant_number == "C1006"))
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(["duty.update", "officer.update"]))
        ).all()
    assert ends == [datetime(2025, 11, 1, 15, 0, tzinfo=UTC)]
    assert rank == "SSGT"
    assert {e.role for e in entries} == {"import"}
    assert {e.changes["import"] for e in entries} == {"cambridgeshire-2025"}
    assert {e.action for e in entries} == {"duty.update", "officer.update"}


def test_every_added_record_is_in_an_audit_entry_naming_the_import(
    db: Database, files: Path
) -> None:
    run(db, files)
    with db.reading() as session:
        entries = session.scalars(select(AuditEntry)).all()
    assert entries
    assert {e.role for e in entries} == {"import"}
    assert {e.changes["import"] for e in entries} == {"cambridgeshire-2025"}
    # who ran it: the account and host of the command
    import getpass
    import socket

    assert {e.subject_name for e in entries} == {f"{getpass.getuser()} on {socket.gethostname()}"}
    added = {(e.action, e.officer_id): e.changes.get("added", 1) for e in entries}
    assert sum(n for (action, _), n in added.items() if action == "duties.import") == 16
    assert sum(1 for (action, _) in added if action == "officer.import") == 6


def test_a_dry_run_checks_everything_and_writes_nothing(db: Database, files: Path) -> None:
    before = stored(db)
    report = run(db, files, dry_run=True)
    assert report.errors == []
    assert not report.written
    assert report.counts["duties.csv"].added == 16
    assert stored(db) == before
    assert report.summary().startswith("cambridgeshire-2025: dry run, nothing written")
    append(files, "officers.csv", "C1007,Green,Ola,SC,Ely,2024-13-01,,")
    assert [str(e) for e in run(db, files, dry_run=True).errors] == [
        "officers.csv:8: joined_on: '2024-13-01' is not a date (YYYY-MM-DD)"
    ]


# One broken row, added to the sample set: the whole set is refused, that error is listed.
BROKEN = {
    "bad date": (
        "training.csv",
        "C1006,ost,2025-02-30,",
        "training.csv:8: completed_on: '2025-02-30' is not a date (YYYY-MM-DD)",
    ),
    "unknown unit": (
        "competencies.csv",
        "C1006,CD99,2025-03-01,Sgt Dev Patel,PDP,",
        "competencies.csv:31: unit: unknown unit 'CD99'",
    ),
    "unknown rank": (
        "officers.csv",
        "C1007,Green,Ola,PC,Ely,2024-01-01,,",
        "officers.csv:8: rank: unknown rank 'PC'",
    ),
    "overlap with another row": (
        "duties.csv",
        "C1001,2025-01-19 01:00,2025-01-19 05:00,patrol,Parkside,completed,,",
        "duties.csv:18: starts_at: overlaps the duty on line 2",
    ),
    "a leaver's duty after leaving": (
        "duties.csv",
        "C1005,2025-09-06 18:00,2025-09-06 23:00,patrol,Peterborough,completed,,",
        "duties.csv:18: starts_at: is after the officer left on 2025-08-31",
    ),
    "formula text": (
        "officers.csv",
        'C1007,Green,Ola,SC,=HYPERLINK("x"),2024-01-01,,',
        "officers.csv:8: base_location: must not begin with =, +, - or @",
    ),
    "control character": (
        "ips_grants.csv",
        "C1003,2025-06-01,Chris\tMorgan,SCO,Head of the Special Constabulary,,",
        "ips_grants.csv:6: authorised_by_name: must not contain control characters",
    ),
    "a time the clocks skip": (
        "duties.csv",
        "C1006,2025-03-30 01:30,2025-03-30 05:00,patrol,Ely,completed,,",
        "duties.csv:18: starts_at: 2025-03-30 01:30: the clocks go forward past this time",
    ),
    "a time the clocks repeat": (
        "duties.csv",
        "C1006,2025-10-25 20:00,2025-10-26 01:30,patrol,Ely,completed,,",
        "duties.csv:18: ends_at: 2025-10-26 01:30: this time happens twice that day",
    ),
    "a duty over 24 hours": (
        "duties.csv",
        "C1006,2025-05-01 08:00,2025-05-02 09:00,patrol,Ely,completed,,",
        "duties.csv:18: ends_at: a duty lasts at most 24 hours",
    ),
    "an unknown officer": (
        "training.csv",
        "C9999,ost,2025-02-01,",
        "training.csv:8: warrant_number: no officer 'C9999'",
    ),
    "IPS without the units": (
        "ips_grants.csv",
        "C1003,2025-06-01,Chris Morgan,SCO,Head of the Special Constabulary,,",
        "ips_grants.csv:6: granted_on: the role profile is not met that day: missing CI101",
    ),
    "a bad e-mail address": (
        "officers.csv",
        "C1007,Green,Ola,SC,Ely,2024-01-01,,ola at example",
        "officers.csv:8: email: 'ola at example' is not an e-mail address",
    ),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_set_with_a_broken_row_is_refused_whole_with_the_error_listed(
    db: Database, files: Path, kind: str
) -> None:
    name, line, expected = BROKEN[kind]
    append(files, name, line)
    before = stored(db)
    report = run(db, files)
    assert [str(e)[: len(expected)] for e in report.errors] == [expected]
    assert report.counts[name].refused == 1
    assert stored(db) == before
    assert "refused, nothing written (1 errors)" in report.summary()


def test_every_error_of_a_set_is_listed_at_once_in_file_and_line_order(
    db: Database, files: Path
) -> None:
    for name, line, _ in BROKEN.values():
        append(files, name, line)
    report = run(db, files)
    assert len(report.errors) >= len(BROKEN)
    assert report.errors == sorted(report.errors)
    assert stored(db)["officers"] == 0


def test_a_duty_overlapping_a_stored_duty_is_refused(
    db: Database, build: Builder, files: Path
) -> None:
    run(db, files)
    with db.reading() as session:
        officer = session.scalars(select(Officer).where(Officer.warrant_number == "C1006")).one()
    build.duty(officer, datetime(2025, 5, 1, 8, 0, tzinfo=UTC), hours=4)
    append(files, "duties.csv", "C1006,2025-05-01 10:00,2025-05-01 16:00,patrol,Ely,completed,,")
    before = stored(db)
    report = run(db, files)
    assert [str(e) for e in report.errors] == [
        "duties.csv:18: starts_at: overlaps a stored duty starting 2025-05-01T08:00:00Z"
    ]
    assert stored(db) == before


def test_times_with_an_offset_are_taken_as_given_on_clock_change_days(
    db: Database, files: Path
) -> None:
    append(
        files,
        "duties.csv",
        "C1006,2025-10-26T01:30:00+01:00,2025-10-26T01:30:00+00:00,admin,Ely,completed,,",
    )
    assert run(db, files).errors == []
    with db.reading() as session:
        duty = session.scalars(
            select(Duty).where(Duty.location == "Ely", Duty.duty_type.has(code="admin"))
        ).one()
    assert (duty.starts_at, duty.ends_at) == (
        datetime(2025, 10, 26, 0, 30, tzinfo=UTC),
        datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
    )


def test_a_file_whose_header_lacks_a_column_is_refused_before_its_rows_are_read(
    db: Database, files: Path
) -> None:
    replace(
        files,
        "training.csv",
        "warrant_number,kind,completed_on,expires_on",
        "warrant_number,kind,completed",
    )
    report = run(db, files)
    # Without the training, the grants that needed it are refused too.
    assert [str(e) for e in report.errors][:3] == [
        "training.csv:1: completed_on: is missing from the header row",
        "training.csv:1: expires_on: is missing from the header row",
        "training.csv:1: completed: is not a column of this file",
    ]
    assert stored(db)["officers"] == 0
