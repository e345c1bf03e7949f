"""The database itself holds every "at most one" rule, whatever the service checks first."""

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from dutyservice.db import Database, retry_lost_races
from dutyservice.duties.models import Officer
from dutyservice.errors import RaceLost

from ..support.builders import Builder

COPY_LIVE_GRANT = (
    "INSERT INTO ips_grants (officer_id, granted_on, authorised_by_name, authorised_by_rank, "
    "authorised_by_position, recorded_at) SELECT officer_id, granted_on, authorised_by_name, "
    "authorised_by_rank, authorised_by_position, recorded_at FROM ips_grants WHERE id = :id"
)
COPY_LIVE_UNIT = (
    "INSERT INTO competency_records (officer_id, unit_code, attained_on, assessed_by, "
    "evidence_ref, recorded_at) SELECT officer_id, unit_code, attained_on, assessed_by, "
    "evidence_ref, recorded_at FROM competency_records WHERE id = :id"
)


def only_id(db: Database, query: str) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text(query)).scalar_one())


def test_a_second_live_ips_grant_is_refused_by_the_database(db: Database, build: Builder) -> None:
    build.ips_officer()
    grant = only_id(db, "SELECT id FROM ips_grants")
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(COPY_LIVE_GRANT), {"id": grant})
    # Once withdrawn, the grant is history and a new one may be made.
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE ips_grants SET withdrawn_on = granted_on"))
        connection.execute(text(COPY_LIVE_GRANT), {"id": grant})


def test_a_second_live_record_of_a_unit_is_refused_by_the_database(
    db: Database, build: Builder
) -> None:
    build.ips_officer()
    record = only_id(db, "SELECT id FROM competency_records WHERE unit_code = 'CD5'")
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(COPY_LIVE_UNIT), {"id": record})
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE competency_records SET revoked_on = attained_on WHERE id = :id"),
            {"id": record},
        )
        connection.execute(text(COPY_LIVE_UNIT), {"id": record})


def test_overlapping_completed_actual_times_are_refused_by_postgresql(
    db: Database, build: Builder, postgres_only: None
) -> None:
    officer = build.officer()
    start = datetime(2026, 6, 1, 8, tzinfo=UTC)
    build.duty(officer, start, hours=2, complete=True)
    second = build.duty(officer, start + timedelta(hours=4), hours=2)
    overlap = (
        "UPDATE duties SET status = 'completed', actual_starts_at = :start, "
        "actual_ends_at = :end WHERE id = :id"
    )
    with (
        pytest.raises(IntegrityError, match="ex_duties_actual_no_overlap"),
        db.engine.begin() as connection,
    ):
        connection.execute(
            text(overlap),
            {
                "id": second.id,
                "start": start + timedelta(hours=1),
                "end": start + timedelta(hours=5),
            },
        )
    with db.engine.begin() as connection:  # touching is not overlapping
        connection.execute(
            text(overlap),
            {
                "id": second.id,
                "start": start + timedelta(hours=2),
                "end": start + timedelta(hours=5),
            },
        )


def test_a_write_to_a_row_changed_since_it_was_read_is_a_lost_race_that_a_rerun_wins(
    db: Database, build: Builder, postgres_only: None
) -> None:
    officer = build.officer(base_location="Ely")
    read_it = threading.Event()
    other_committed = threading.Event()
    runs: list[int] = []

    def slow_edit() -> Officer:
        runs.append(1)
        with db.transaction() as session:
            stored = session.get(Officer, officer.id)
            assert stored is not None
            if len(runs) == 1:
                read_it.set()
                assert other_committed.wait(10)
            stored.base_location = f"March {len(runs)}"
            return stored

    engine = create_engine(db.url)
    try:
        outcome: list[object] = []
        writer = threading.Thread(target=lambda: outcome.append(_attempt(slow_edit)))
        writer.start()
        assert read_it.wait(10)
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE officers SET version = version + 1, surname = 'Jones' WHERE id = :id"),
                {"id": officer.id},
            )
        other_committed.set()
        writer.join(10)
    finally:
        engine.dispose()
    assert isinstance(outcome[0], RaceLost)  # the first run changed nothing
    rerun = retry_lost_races(slow_edit)()  # a second run reads the winner's row and applies
    assert (rerun.base_location, rerun.surname, rerun.version) == ("March 2", "Jones", 3)


def _attempt(use_case: Callable[[], object]) -> object:
    try:
        return use_case()
    except RaceLost as lost:
        return lost


def test_a_second_sign_up_cannot_hold_the_same_duty(db: Database, build: Builder) -> None:
    officer = build.officer(joined_on=date(2020, 1, 1))
    duty = build.duty(officer, datetime(2026, 6, 1, 8, tzinfo=UTC))
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (force_id, title, description, location, starts_at, ends_at, "
                "duty_type, capacity, signup_deadline, open_to, created_at) SELECT force_id, 'Op', "
                "'', '', :start, :end, 'event', 5, :start, 'force', :start FROM officers "
                "WHERE id = :officer"
            ),
            {"officer": officer.id, "start": duty.starts_at, "end": duty.ends_at},
        )
    event = only_id(db, "SELECT id FROM events")
    insert = (
        "INSERT INTO event_signups (event_id, officer_id, duty_id, signed_up_at) "
        "VALUES (:event, :officer, :duty, :at)"
    )
    values = {"event": event, "officer": officer.id, "duty": duty.id, "at": duty.starts_at}
    with db.engine.begin() as connection:
        connection.execute(text(insert), values)
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(insert), values)


def test_a_second_live_sign_up_of_an_officer_to_one_event_is_refused_by_the_database(
    db: Database, build: Builder
) -> None:
    """The one-live-sign-up rule is on the sign-ups' duties: not cancelled, one per officer
    per event; once cancelled (withdrawn, declined, lapsed), another may follow."""
    officer = build.officer(joined_on=date(2020, 1, 1))
    first = build.duty(officer, datetime(2026, 6, 1, 8, tzinfo=UTC))
    second = build.duty(officer, datetime(2026, 6, 2, 8, tzinfo=UTC))
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (force_id, title, description, location, starts_at, ends_at, "
                "duty_type, capacity, signup_deadline, open_to, created_at) SELECT force_id, 'Op', "
                "'', '', :start, :end, 'event', 5, :start, 'force', :start FROM officers "
                "WHERE id = :officer"
            ),
            {"officer": officer.id, "start": first.starts_at, "end": first.ends_at},
        )
    event = only_id(db, "SELECT id FROM events")
    place = "UPDATE duties SET event_id = :event, status = :status WHERE id = :duty"
    with db.engine.begin() as connection:
        connection.execute(text(place), {"event": event, "status": "requested", "duty": first.id})
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(place), {"event": event, "status": "booked", "duty": second.id})
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE duties SET status = 'cancelled' WHERE id = :d"), {"d": first.id}
        )
        connection.execute(text(place), {"event": event, "status": "booked", "duty": second.id})
