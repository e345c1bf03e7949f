"""Revision 0006 adds the "at most one" constraints, and stops, naming them, at stored rows
that already break one (which of them should stay is a person's decision)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import ScalarResult, text

from dutyservice.db import Database
from dutyservice.migrate import upgrade

from ..support import databases

EXCLUSIONS = ("ex_duties_actual_no_overlap", "ex_availability_windows_no_overlap")


@pytest.fixture
def at_0005(database_url: str, tmp_path: Path) -> Iterator[Database]:
    url = (
        databases.sqlite_url(tmp_path)
        if database_url.startswith("sqlite")
        else databases.create_postgres_database()
    )
    db = Database(url)
    upgrade(db, "0005")
    yield db
    db.dispose()
    if not database_url.startswith("sqlite"):
        databases.drop_postgres_database(url)


def test_postgres_has_the_completed_hours_and_availability_exclusion_constraints(
    db: Database, postgres_only: None
) -> None:
    with db.engine.connect() as connection:
        found: ScalarResult[str] = connection.execute(
            text("SELECT conname FROM pg_constraint WHERE contype = 'x' AND conname = ANY(:names)"),
            {"names": list(EXCLUSIONS)},
        ).scalars()
        assert sorted(found) == sorted(EXCLUSIONS)


def test_two_live_grants_stored_before_the_upgrade_stop_it_and_are_named(
    at_0005: Database,
) -> None:
    with at_0005.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO forces (code, name, region, monthly_minimum_hours, "
                "ost_validity_months) VALUES ('kent', 'Kent Police', 'South East', 16, 12)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO officers (force_id, warrant_number, surname, forenames, rank, "
                "base_location, joined_on, version, created_at, updated_at) SELECT id, 'K1', "
                "'Smith', 'Alex', 'SC', 'Maidstone', '2020-01-01', 1, :now, :now FROM forces"
            ),
            {"now": "2026-01-01 00:00:00"},
        )
        for _ in range(2):
            connection.execute(
                text(
                    "INSERT INTO ips_grants (officer_id, granted_on, authorised_by_name, "
                    "authorised_by_rank, authorised_by_position, recorded_at) "
                    "SELECT id, '2025-01-01', 'C Morgan', 'SCO', 'Head', :now FROM officers"
                ),
                {"now": "2026-01-01 00:00:00"},
            )
        officer_id: int = connection.execute(text("SELECT id FROM officers")).scalar_one()
    with pytest.raises(RuntimeError, match=f"more than one IPS grant.*: {officer_id}\\."):
        upgrade(at_0005)
    with at_0005.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE ips_grants SET withdrawn_on = '2025-06-01' "
                "WHERE id = (SELECT min(id) FROM ips_grants)"
            )
        )
    upgrade(at_0005)  # corrected, it goes through
