"""A write transaction that PostgreSQL picks to break a deadlock answers Conflict and stores
nothing (two simultaneous bookings that clash can deadlock in the exclusion constraint)."""

import threading
import time

from sqlalchemy import create_engine, text

from dutyservice.db import Database
from dutyservice.errors import Conflict

LOCK = "SELECT id FROM forces WHERE code = :code FOR UPDATE"
RENAME = "UPDATE forces SET name = name || ' (renamed)' WHERE code = 'norfolk'"
# The order of events below is timed against PostgreSQL's default second before a waiting
# transaction looks for a deadlock (the test databases look sooner: tests/support/databases.py).
DEFAULT_DEADLOCK_TIMEOUT = "SET {local} deadlock_timeout = '1s'"


def test_the_transaction_chosen_to_break_a_deadlock_is_a_conflict_and_changes_nothing(
    db: Database, postgres_only: None
) -> None:
    engine = create_engine(db.url)
    other = engine.connect()
    other.execute(text(DEFAULT_DEADLOCK_TIMEOUT.format(local="")))
    outcome: list[BaseException | None] = []
    locked_first = threading.Event()

    def service_write() -> None:
        try:
            with db.transaction() as session:
                session.execute(text(DEFAULT_DEADLOCK_TIMEOUT.format(local="LOCAL")))
                session.execute(text(RENAME))
                session.execute(text(LOCK), {"code": "norfolk"})
                locked_first.set()
                time.sleep(0.3)  # the other transaction takes suffolk meanwhile
                # Waits for suffolk first, so its deadlock check runs first: it is the one
                # PostgreSQL fails.
                session.execute(text(LOCK), {"code": "suffolk"})
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    writer = threading.Thread(target=service_write)
    writer.start()
    try:
        assert locked_first.wait(10)
        other.execute(text(LOCK), {"code": "suffolk"})
        time.sleep(0.5)
        other.execute(text(LOCK), {"code": "norfolk"})  # granted once the writer is failed
        other.rollback()
    finally:
        writer.join(30)
        other.close()
        engine.dispose()
    [error] = outcome
    assert isinstance(error, Conflict), error
    with db.engine.connect() as connection:
        renamed = connection.execute(text("SELECT count(*) FROM forces WHERE name LIKE '%renamed'"))
        assert renamed.scalar() == 0
