"""The import takes the API's bounds: every date and instant in the years 1900-2200, a line or
field of at most 64 KiB, and a name or location that can reach a mail header one plain line.
Each breach is a `file:line: column: reason` error, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from dutyservice.db import Database
from dutyservice.imports.source import LONGEST_RECORD

from .test_import import append, files, run, stored  # noqa: F401 (files is a fixture)
from .test_import_command import _import

YEARS = "the year must be between 1900 and 2200"
# (file, row appended to the sample set, the one error expected)
OUT_OF_RANGE = {
    "joined_on in the year 1": (
        "officers.csv",
        "C1007,Green,Ola,SC,Ely,0001-01-01,,",
        f"officers.csv:8: joined_on: '0001-01-01': {YEARS}",
    ),
    "left_on in the year 9999": (
        "officers.csv",
        "C1007,Green,Ola,SC,Ely,2024-01-01,9999-12-31,",
        f"officers.csv:8: left_on: '9999-12-31': {YEARS}",
    ),
    "attained_on in 1899": (
        "competencies.csv",
        "C1006,BE2,1899-12-31,Sgt Dev Patel,PDP,",
        f"competencies.csv:31: attained_on: '1899-12-31': {YEARS}",
    ),
    "revoked_on in 2201": (
        "competencies.csv",
        "C1006,BE2,2025-03-01,Sgt Dev Patel,PDP,2201-01-01",
        f"competencies.csv:31: revoked_on: '2201-01-01': {YEARS}",
    ),
    "completed_on in the year 1": (
        "training.csv",
        "C1006,ost,0001-01-01,",
        f"training.csv:8: completed_on: '0001-01-01': {YEARS}",
    ),
    "expires_on in the year 9999": (
        "training.csv",
        "C1006,ost,2025-02-01,9999-12-31",
        f"training.csv:8: expires_on: '9999-12-31': {YEARS}",
    ),
    "granted_on in the year 1": (
        "ips_grants.csv",
        "C1006,0001-01-01,Chris Morgan,SCO,Head of the Special Constabulary,,",
        f"ips_grants.csv:6: granted_on: '0001-01-01': {YEARS}",
    ),
    "withdrawn_on in the year 9999": (
        "ips_grants.csv",
        "C1006,2025-06-01,Chris Morgan,SCO,Head of the Special Constabulary,9999-12-31,left",
        f"ips_grants.csv:6: withdrawn_on: '9999-12-31': {YEARS}",
    ),
    "starts_at an hour before the year 1 in UTC": (
        "duties.csv",
        "C1006,0001-01-01T00:30:00+01:00,2025-05-01 14:00,patrol,Ely,completed,,",
        f"duties.csv:18: starts_at: '0001-01-01T00:30:00+01:00': {YEARS}",
    ),
    "ends_at past the year 9999 in UTC": (
        "duties.csv",
        "C1006,2025-05-01 08:00,9999-12-31T23:30:00-05:00,patrol,Ely,booked,,",
        f"duties.csv:18: ends_at: '9999-12-31T23:30:00-05:00': {YEARS}",
    ),
    "actual_starts_at on a wall clock of the year 1": (
        "duties.csv",
        "C1006,2025-05-01 08:00,2025-05-01 14:00,patrol,Ely,completed,0001-01-01 00:30,"
        "2025-05-01 14:00",
        f"duties.csv:18: actual_starts_at: '0001-01-01 00:30': {YEARS}",
    ),
    "actual_ends_at in 2201": (
        "duties.csv",
        "C1006,2025-05-01 08:00,2025-05-01 14:00,patrol,Ely,completed,2025-05-01 08:00,"
        "2201-01-01T00:00:00Z",
        f"duties.csv:18: actual_ends_at: '2201-01-01T00:00:00Z': {YEARS}",
    ),
    "a surname with a line separator": (
        "officers.csv",
        "C1007,Green\u2028Bcc: all,Ola,SC,Ely,2024-01-01,,",
        "officers.csv:8: surname: must not contain line breaks",
    ),
    "a duty's location with a line break": (
        "duties.csv",
        'C1006,2025-05-01 08:00,2025-05-01 14:00,patrol,"Ely\nBcc: all",booked,,',
        "duties.csv:18: location: must not contain control characters",
    ),
}


@pytest.mark.parametrize("kind", list(OUT_OF_RANGE))
def test_a_date_or_instant_outside_the_apis_years_is_refused_and_nothing_is_written(
    db: Database,
    files: Path,  # noqa: F811 (the fixture)
    kind: str,
) -> None:
    name, line, expected = OUT_OF_RANGE[kind]
    append(files, name, line)
    before = stored(db)
    report = run(db, files)
    assert [str(e)[: len(expected)] for e in report.errors] == [expected]
    assert stored(db) == before


def test_the_command_refuses_an_instant_past_the_year_9999_without_a_traceback(
    db: Database,
    files: Path,  # noqa: F811 (the fixture)
) -> None:
    name, line, expected = OUT_OF_RANGE["ends_at past the year 9999 in UTC"]
    append(files, name, line)
    result = _import(db, str(files))
    assert result.returncode == 1, result.stderr
    assert expected in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "OverflowError" not in result.stderr


def test_a_one_line_file_of_several_megabytes_is_refused_at_its_first_line(
    db: Database,
    files: Path,  # noqa: F811 (the fixture)
) -> None:
    path = files / "officers.csv"
    with path.open("w", encoding="utf-8") as stream:
        stream.write("warrant_number," + "x" * (8 * 1024 * 1024))  # 8 MB, no line break at all
    before = stored(db)
    report = run(db, files)
    assert next(str(e) for e in report.errors) == (
        f"officers.csv:1: -: the record is longer than {LONGEST_RECORD} characters; "
        "the file is read no further"
    )
    assert stored(db) == before


@pytest.mark.parametrize("quoted", [False, True], ids=["one line", "a quoted line break"])
def test_a_record_past_64_kib_is_refused_and_one_at_the_bound_is_read(
    db: Database,
    files: Path,  # noqa: F811 (the fixture)
    quoted: bool,
) -> None:
    start = "C1007,Green,Ola,SC,Ely,2024-01-01,,"
    # A quoted field may hold line breaks: the record's lines are bounded together.
    email = ('"' + "a\n" * (LONGEST_RECORD // 2) + '"') if quoted else "a" * LONGEST_RECORD
    append(files, "officers.csv", start + email)
    report = run(db, files)
    assert [str(e) for e in report.errors] == [
        f"officers.csv:8: -: the record is longer than {LONGEST_RECORD} characters; "
        "the file is read no further"
    ]

    officers = files / "officers.csv"
    sample = officers.read_text(encoding="utf-8").split("\n")[:7]
    at_the_bound = start + "b" * (LONGEST_RECORD - len(start) - 1)  # and its line break
    officers.write_text("\n".join([*sample, at_the_bound]) + "\n", encoding="utf-8")
    errors = [str(e) for e in run(db, files).errors]
    assert errors
    assert all("the record is longer" not in e for e in errors)
    assert any(e.startswith("officers.csv:8: email:") for e in errors)
