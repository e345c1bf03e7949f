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
from .test_migration_0019 import insert_history as insert_profile_history

BEFORE_STAGE_SPANS = "0019"


@pytest.fixture
def before_stage_spans(database_url: str, tmp_path: Path) -> Iterator[Database]:
    with databases.at_revision(database_url, tmp_path, BEFORE_STAGE_SPANS) as db:
        yield db


def _stage(stage: str, area: str, attained_on: str, revoked_on: str | None = None) -> str:
    revoked = f"'{revoked_on}'" if revoked_on else "NULL"
    return (
        "INSERT INTO learning_records (officer_id, stage, area, attained_on, assessed_by, "
        f"evidence_ref, revoked_on, recorded_at) SELECT id, '{stage}', '{area}', "
        f"'{attained_on}', 'x', '', {revoked}, :now FROM officers"
    )


def insert_history(db: Database) -> None:
    """Revision 0019's officer (safety training from 15 January 2025 for a year), at APS, DPS
    and QSC in roads (revoked, and re-assessed after a gap)."""
    insert_profile_history(db)
    statements = [
        _stage("APS", "", "2025-02-01"),
        _stage("DPS", "", "2025-04-01"),
        _stage("QSC", "roads", "2025-06-01", "2025-07-01"),
        _stage("QSC", "roads", "2025-08-01"),
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
    end = date(2026, 1, 15)  # the day after the training expires
    assert {(stage, area, s, e) for _, stage, area, s, e in stored} == {
        ("APS", "", date(2025, 2, 1), end),
        ("DPS", "", date(2025, 4, 1), end),
        ("QSC", "", date(2025, 6, 1), date(2025, 7, 1)),
        ("QSC", "", date(2025, 8, 1), end),
        ("QSC", "roads", date(2025, 6, 1), date(2025, 7, 1)),
        ("QSC", "roads", date(2025, 8, 1), end),
    }
