"""`learning.csv`: stages of the learning programme imported under the API's rules, all or
nothing, with file:line errors, and idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dutyservice.db import Database
from dutyservice.imports.service import import_records
from dutyservice.ips.learning_models import LearningRecord

from ..support.builders import Builder
from .test_import import SAMPLE

FORCE = "cambridgeshire"
HEADER = "warrant_number,stage,area,attained_on,assessed_by,evidence_ref,revoked_on"
# C1002 joined 2021-09-15: APS, DPS, then QSC in two areas, one revoked and re-assessed.
GOOD = (
    "C1002,DPS,,2022-06-01,PS Harper,OCP-2,",
    "C1002,APS,,2022-01-10,PS Harper,OCP-1,",
    "C1002,QSC,roads,2023-03-01,Insp Rowe,OCP-3,2023-09-01",
    "C1002,QSC,roads,2023-09-01,Insp Rowe,OCP-4,",
    "C1002,QSC,response,2023-05-01,Insp Rowe,OCP-5,",
)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SAMPLE, tmp_path / "cambridgeshire-2025"))


def write(directory: Path, *lines: str) -> None:
    (directory / "learning.csv").write_text("\n".join((HEADER, *lines)) + "\n", encoding="utf-8")


def records(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(LearningRecord)) or 0


def test_stages_are_imported_once_and_read_back_as_the_api_reads_them(
    db: Database, client: FlaskClient, build: Builder, files: Path
) -> None:
    write(files, *GOOD)
    first = import_records(db, files, FORCE)
    assert first.errors == []
    assert first.counts["learning.csv"].added == 5
    again = import_records(db, files, FORCE)
    assert again.counts["learning.csv"].unchanged == 5
    assert again.counts["learning.csv"].added == 0
    assert records(db) == 5
    officers = client.get(
        "/api/v1/officers?q=Baptiste", headers=build.headers("supervisor")
    ).get_json()["items"]
    status = client.get(
        f"/api/v1/officers/{officers[0]['id']}/learning?on=2024-01-01",
        headers=build.headers("supervisor"),
    ).get_json()
    assert (status["stage"], status["qsc_areas"]) == ("QSC", ["response", "roads"])


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("C1002,DPS,,2021-12-01,PS Harper,OCP-2,", "learning.csv:2: attained_on: APS is not held"),
        ("C1002,QSF,,2022-06-01,PS Harper,OCP-2,", "learning.csv:2: stage: unknown stage 'QSF'"),
        ("C1002,APS,roads,2022-06-01,PS Harper,OCP-2,", "learning.csv:2: area: only a QSC"),
        (
            "C1002,APS,,2019-06-01,PS Harper,OCP-2,",
            "learning.csv:2: attained_on: the officer is not",
        ),
        ("C9999,APS,,2022-06-01,PS Harper,OCP-2,", "learning.csv:2: warrant_number:"),
    ],
)
def test_a_row_breaking_a_rule_is_refused_with_its_line_and_nothing_is_written(
    db: Database, files: Path, line: str, error: str
) -> None:
    write(files, line, *GOOD[1:])
    report = import_records(db, files, FORCE)
    assert any(str(e).startswith(error) for e in report.errors), report.errors
    assert not report.written
    assert records(db) == 0


def test_a_second_live_record_of_a_stage_is_refused(db: Database, files: Path) -> None:
    write(files, *GOOD, "C1002,APS,,2022-02-01,PS Harper,OCP-9,")
    report = import_records(db, files, FORCE)
    assert [str(e) for e in report.errors] == [
        "learning.csv:7: stage: already held unrevoked (line 3); revoke it first"
    ]
    assert records(db) == 0
