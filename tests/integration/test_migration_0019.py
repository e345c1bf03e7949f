"""Revision 0019 fills the eligibility spans of a database that has records already: what it
writes is what the rule gives when recomputed from them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from dutyservice.db import Database
from dutyservice.ips import spans
from dutyservice.migrate import upgrade

from ..support import databases

BEFORE_SPANS = "0018"
NOW = {"now": "2026-01-01 00:00:00"}


@pytest.fixture
def before_spans(database_url: str, tmp_path: Path) -> Iterator[Database]:
    with databases.at_revision(database_url, tmp_path, BEFORE_SPANS) as db:
        yield db


def insert_history(db: Database) -> None:
    statements = [
        "INSERT INTO forces (code, name, region, monthly_minimum_hours, ost_validity_months) "
        "VALUES ('kent', 'Kent Police', 'South East', 16, 12)",
        "INSERT INTO nos_units (code, title) VALUES ('BE2', 'b'), ('CD5', 'c')",
        "INSERT INTO role_profiles (mercury_ref, version, specialism, requires_current_ost, "
        "equipment) VALUES (135, 1, 'IPS', true, '[]')",
        "INSERT INTO role_profile_units (role_profile_id, unit_code, position) "
        "SELECT id, 'BE2', 1 FROM role_profiles UNION ALL SELECT id, 'CD5', 2 FROM role_profiles",
        "INSERT INTO officers (force_id, warrant_number, surname, forenames, rank, "
        "base_location, joined_on, version, created_at, updated_at) SELECT id, 'K1', 'Smith', "
        "'Alex', 'SC', 'Maidstone', '2020-01-01', 1, :now, :now FROM forces",
        *(
            "INSERT INTO competency_records (officer_id, unit_code, attained_on, assessed_by, "
            f"evidence_ref, recorded_at) SELECT id, '{unit}', '{on}', 'x', '', :now FROM officers"
            for unit, on in (("BE2", "2025-01-01"), ("CD5", "2025-02-01"))
        ),
        "INSERT INTO training_records (officer_id, kind, completed_on, expires_on, recorded_at) "
        "SELECT id, 'ost', '2025-01-15', '2026-01-14', :now FROM officers",
        "INSERT INTO ips_grants (officer_id, granted_on, authorised_by_name, authorised_by_rank, "
        "authorised_by_position, withdrawn_on, recorded_at) SELECT id, '2025-03-01', 'C Morgan', "
        "'SCO', 'Head', '2025-10-01', :now FROM officers",
    ]
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), NOW)


def test_the_upgrade_fills_each_officer_s_spans_from_their_records(
    before_spans: Database,
) -> None:
    insert_history(before_spans)
    upgrade(before_spans)
    with before_spans.reading() as session:
        assert not spans.differences(session)
        stored = spans.stored(session)
    assert [(s, e) for _, _, s, e in stored] == [(date(2025, 3, 1), date(2025, 10, 1))]
