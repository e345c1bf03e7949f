"""Revision 0017 makes a sign-up's state one fact, its duty's status: a withdrawn sign-up's
duty is cancelled if it was not, the one-live-sign-up index moves to the duties, and a duty may
then be `requested` (SQLite's constraint widened in place, the rows that refer to it kept)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from dutyservice.db import Database
from dutyservice.migrate import upgrade

from ..support import databases

NOW = "2026-01-01 00:00:00"


@pytest.fixture
def at_0009(database_url: str, tmp_path: Path) -> Iterator[Database]:
    url = (
        databases.sqlite_url(tmp_path)
        if database_url.startswith("sqlite")
        else databases.create_postgres_database()
    )
    db = Database(url)
    upgrade(db, "0009")
    yield db
    db.dispose()
    if not database_url.startswith("sqlite"):
        databases.drop_postgres_database(url)


def _seed(db: Database) -> dict[str, int]:
    """An officer signed up to one event, withdrawn (the duty left booked), and to another."""
    with db.engine.begin() as connection:
        run = connection.execute
        run(
            text(
                "INSERT INTO forces (code, name, region, monthly_minimum_hours, "
                "ost_validity_months) VALUES ('kent', 'Kent Police', 'South East', 16, 12)"
            )
        )
        run(
            text(
                "INSERT INTO duty_types (force_id, code, name) "
                "SELECT id, 'event', 'Event' FROM forces"
            )
        )
        run(
            text(
                "INSERT INTO officers (force_id, warrant_number, surname, forenames, rank, "
                "base_location, joined_on, version, created_at, updated_at) SELECT id, 'K1', "
                "'Smith', 'Alex', 'SC', 'Maidstone', '2020-01-01', 1, :now, :now FROM forces"
            ),
            {"now": NOW},
        )
        ids: dict[str, int] = {}
        for name, day in (("withdrawn", "2026-06-01"), ("live", "2026-06-02")):
            starts, ends = f"{day} 08:00:00", f"{day} 12:00:00"
            ids[f"{name}_event"] = run(
                text(
                    "INSERT INTO events (force_id, title, description, location, starts_at, "
                    "ends_at, duty_type, capacity, signup_deadline, open_to, created_at) SELECT "
                    "id, 'Op', '', '', :s, :e, 'event', 5, :s, 'force', :s FROM forces "
                    "RETURNING id"
                ),
                {"s": starts, "e": ends},
            ).scalar_one()
            ids[f"{name}_duty"] = run(
                text(
                    "INSERT INTO duties (officer_id, duty_type_id, starts_at, ends_at, status, "
                    "location, notes, event_id, version, created_at, updated_at) SELECT o.id, "
                    "t.id, :s, :e, 'booked', '', '', :event, 1, :now, :now FROM officers o, "
                    "duty_types t RETURNING id"
                ),
                {"s": starts, "e": ends, "event": ids[f"{name}_event"], "now": NOW},
            ).scalar_one()
            run(
                text(
                    "INSERT INTO event_signups (event_id, officer_id, duty_id, signed_up_at, "
                    "withdrawn_at) SELECT :event, id, :duty, :now, :withdrawn FROM officers"
                ),
                {
                    "event": ids[f"{name}_event"],
                    "duty": ids[f"{name}_duty"],
                    "now": NOW,
                    "withdrawn": NOW if name == "withdrawn" else None,
                },
            )
    return ids


def _status(db: Database, duty_id: int) -> str:
    with db.engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT status FROM duties WHERE id = :id"), {"id": duty_id}
            ).scalar_one()
        )


def test_a_withdrawn_sign_ups_booked_duty_is_cancelled_and_a_duty_may_then_be_requested(
    at_0009: Database,
) -> None:
    ids = _seed(at_0009)
    upgrade(at_0009)
    assert _status(at_0009, ids["withdrawn_duty"]) == "cancelled"
    assert _status(at_0009, ids["live_duty"]) == "booked"
    change = text("UPDATE duties SET status = :s WHERE id = :id")
    with at_0009.engine.begin() as connection:
        connection.execute(change, {"s": "requested", "id": ids["live_duty"]})
    assert _status(at_0009, ids["live_duty"]) == "requested"
    with pytest.raises(IntegrityError), at_0009.engine.begin() as connection:
        connection.execute(change, {"s": "maybe", "id": ids["live_duty"]})
    with at_0009.engine.connect() as connection:
        rows: int = connection.execute(text("SELECT count(*) FROM event_signups")).scalar_one()
    assert rows == 2  # nothing that referred to a duty was lost


def test_a_withdrawn_sign_up_whose_duty_was_completed_stops_the_upgrade_and_is_named(
    at_0009: Database,
) -> None:
    ids = _seed(at_0009)
    with at_0009.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE duties SET status = 'completed', actual_starts_at = starts_at, "
                "actual_ends_at = ends_at WHERE id = :id"
            ),
            {"id": ids["withdrawn_duty"]},
        )
    with pytest.raises(RuntimeError, match=f"duty is completed.*, {ids['withdrawn_duty']}\\."):
        upgrade(at_0009)
