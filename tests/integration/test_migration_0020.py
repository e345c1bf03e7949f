"""Revision 0020 fills the stage spans of a database that has stage records already: what it
writes is what the learning programme's rule gives when recomputed from them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from dutyservice.db import Database
from dutyservice.ips import spans, stage_spans
from dutyservice.migrate import upgrade

from ..support import databases
from .test_migration_0019 import NOW

BEFORE_STAGE_SPANS = "0019"


@pytest.fixture
def before_stage_spans(database_url: str, tmp_path: Path) -> Iterator[Database]:
    url = (
        databases.sqlite_url(tmp_path)
        if database_url.startswith("sqlite")
        else databases.create_postgres_database()
    )
    db = Database(url)
    upgrade(db, BEFORE_STAGE_SPANS)
    yield db
    db.dispose()
    if not database_url.startswith("sqlite"):
        databases.drop_postgres_database(url)


def _stage(stage: str, area: str, attained_on: str, revoked_on: str | None = None) -> str:
    revoked = f"'{revoked_on}'" if revoked_on else "NULL"
    return (
        "INSERT INTO learning_records (officer_id, stage, area, attained_on, assessed_by, "
        f"evidence_ref, revoked_on, recorded_at) SELECT id, '{stage}', '{area}', "
        f"'{attained_on}', 'x', '', {revoked}, :now FROM officers WHERE warrant_number = 'K1'"
    )


def insert_history(db: Database) -> None:
    """K1: safety training through 2025, APS, DPS, QSC in roads (revoked, re-assessed after a
    gap); K2: APS, no safety training, so no span."""
    statements = [
        "INSERT INTO forces (code, name, region, monthly_minimum_hours, ost_validity_months) "
        "VALUES ('kent', 'Kent Police', 'South East', 16, 12)",
        *(
            "INSERT INTO officers (force_id, warrant_number, surname, forenames, rank, "
            f"base_location, joined_on, version, created_at, updated_at) SELECT id, '{warrant}', "
            "'Smith', 'Alex', 'SC', 'Maidstone', '2024-01-01', 1, :now, :now FROM forces"
            for warrant in ("K1", "K2")
        ),
        "INSERT INTO training_records (officer_id, kind, completed_on, expires_on, recorded_at) "
        "SELECT id, 'ost', '2025-01-01', '2025-12-31', :now FROM officers "
        "WHERE warrant_number = 'K1'",
        _stage("APS", "", "2025-02-01"),
        _stage("DPS", "", "2025-04-01"),
        _stage("QSC", "roads", "2025-06-01", "2025-07-01"),
        _stage("QSC", "roads", "2025-08-01"),
        "INSERT INTO learning_records (officer_id, stage, area, attained_on, assessed_by, "
        "evidence_ref, recorded_at) SELECT id, 'APS', '', '2025-02-01', 'x', '', :now "
        "FROM officers WHERE warrant_number = 'K2'",
    ]
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), NOW)


def test_the_upgrade_fills_each_officer_s_stage_spans_from_their_records(
    before_stage_spans: Database,
) -> None:
    insert_history(before_stage_spans)
    upgrade(before_stage_spans)
    with before_stage_spans.reading() as session:
        assert not spans.differences(session, stage_spans.STAGES)
        stored = spans.stored(session, kept=stage_spans.STAGES)
    end = date(2026, 1, 1)
    assert {(stage, area, s, e) for _, stage, area, s, e in stored} == {
        ("APS", "", date(2025, 2, 1), end),
        ("DPS", "", date(2025, 4, 1), end),
        ("QSC", "", date(2025, 6, 1), date(2025, 7, 1)),
        ("QSC", "", date(2025, 8, 1), end),
        ("QSC", "roads", date(2025, 6, 1), date(2025, 7, 1)),
        ("QSC", "roads", date(2025, 8, 1), end),
    }
