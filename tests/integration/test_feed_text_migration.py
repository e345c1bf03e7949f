"""Migration 0007 reports stored text that breaks FEED.md's text rule, by table, id and column,
and changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from dutyservice.db import Database
from dutyservice.migrate import upgrade

from ..support import databases
from ..support.snapshot import digest


@pytest.fixture
def fresh_database(database_url: str, tmp_path: Path) -> Iterator[Database]:
    if database_url.startswith("sqlite"):
        db = Database(databases.sqlite_url(tmp_path))
        yield db
        db.dispose()
        return
    url = databases.create_postgres_database()
    db = Database(url)
    yield db
    db.dispose()
    databases.drop_postgres_database(url)


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


ROWS = """
INSERT INTO forces (id, code, name, region, monthly_minimum_hours, ost_validity_months)
VALUES (1, 'cambridgeshire', 'Cambridgeshire Constabulary', 'Eastern', 16, 12);
INSERT INTO officers (id, force_id, warrant_number, surname, forenames, rank, base_location,
    joined_on, version, created_at, updated_at)
VALUES (1, 1, 'W1', 'Plain', 'Pat', 'SC', 'Ely', '2024-01-01', 1, '2026-01-01', '2026-01-01'),
       (2, 1, 'W	2', 'Formula', 'Fay', 'SC', '+cmd|'' /C calc''!A0', '2024-01-01', 1,
        '2026-01-01', '2026-01-01'),
       (3, 1, 'W3', 'Sums', 'Sam', 'SC', '@SUM(1,1)', '2024-01-01', 1, '2026-01-01',
        '2026-01-01');
INSERT INTO ips_grants (id, officer_id, granted_on, authorised_by_name, authorised_by_rank,
    authorised_by_position, recorded_at)
VALUES (1, 1, '2025-01-01', '=EVIL()', 'SCO', 'Head', '2026-01-01'),
       (2, 3, '2025-01-01', 'Chris Morgan', 'SCO', 'Head', '2026-01-01');
"""


def test_stored_values_that_break_the_text_rule_are_reported_and_left_as_they_are(
    fresh_database: Database,
) -> None:
    db = fresh_database
    upgrade(db, "0007-1")
    with db.engine.begin() as connection:
        for statement in ROWS.split(";"):
            if statement.strip():
                connection.execute(text(statement))
    before = digest(db)
    collected = Collected()
    logger = logging.getLogger("dutyservice.migrations")
    logger.addHandler(collected)
    try:
        upgrade(db, "0007")
    finally:
        logger.removeHandler(collected)
    reported = [m.split(": ", 1)[1].rsplit(" must", 1)[0] for m in collected.messages[:-1]]
    assert reported == [
        "officers id 2 warrant_number",
        "officers id 2 base_location",
        "officers id 3 base_location",
        "ips_grants id 1 authorised_by_name",
    ]
    assert collected.messages[-1].startswith("4 stored values break the feed text rule")
    assert not any(name in m for m in collected.messages for name in ("Formula", "Fay", "Sums"))
    assert digest(db) == before
