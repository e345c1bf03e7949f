"""Migration 0011 reports stored text that cannot reach a mail header, by table, id and column,
never the value, and changes nothing."""

from __future__ import annotations

import logging

from sqlalchemy import text

from dutyservice.db import Database
from dutyservice.migrate import upgrade

from ..support.snapshot import digest
from .test_feed_text_migration import Collected, fresh_database  # noqa: F401 (a fixture)

ROWS = """
INSERT INTO forces (id, code, name, region, monthly_minimum_hours, ost_validity_months)
VALUES (1, 'cambridgeshire', 'Cambridgeshire Constabulary', 'Eastern', 16, 12);
INSERT INTO officers (id, force_id, warrant_number, surname, forenames, rank, base_location,
    joined_on, version, created_at, updated_at)
VALUES (1, 1, 'W1', 'Plain', 'Pat', 'SC', 'Ely', '2024-01-01', 1, '2026-01-01', '2026-01-01'),
       (2, 1, 'W2', 'Broken' || CHR_LF || 'Bcc: all', 'Bea', 'SC', 'Ely', '2024-01-01', 1,
        '2026-01-01', '2026-01-01');
INSERT INTO events (id, force_id, title, description, location, starts_at, ends_at, duty_type,
    capacity, signup_deadline, open_to, created_at)
VALUES (1, 1, 'Operation Nightingale', 'Line one' || CHR_LF || 'line two', 'Midsummer Common',
        '2026-12-20 18:00:00', '2026-12-21 02:00:00', 'event', 10, '2026-12-19 00:00:00',
        'force', '2026-12-01 00:00:00'),
       (2, 1, 'Operation Secret Lark', '', 'Parker' || CHR_LS || 's Piece',
        '2026-12-20 18:00:00', '2026-12-21 02:00:00', 'event', 10, '2026-12-19 00:00:00',
        'force', '2026-12-01 00:00:00'),
       (3, 1, 'Operation' || CHR_CR || 'Secret Owl', '', '',
        '2026-12-20 18:00:00', '2026-12-21 02:00:00', 'event', 10, '2026-12-19 00:00:00',
        'force', '2026-12-01 00:00:00');
"""


def test_stored_texts_that_cannot_reach_a_mail_header_are_reported_by_place_and_left_alone(
    fresh_database: Database,  # noqa: F811 (the fixture)
) -> None:
    db = fresh_database
    upgrade(db, "0011-1")
    separators = {"CHR_LF": "'\n'", "CHR_CR": "'\r'", "CHR_LS": "'\u2028'"}
    rows = ROWS
    for name, literal in separators.items():
        rows = rows.replace(name, literal)
    with db.engine.begin() as connection:
        for statement in rows.split(";"):
            if statement.strip():
                connection.execute(text(statement))
    before = digest(db)
    collected = Collected()
    logger = logging.getLogger("dutyservice.migrations")
    logger.addHandler(collected)
    try:
        upgrade(db, "0011")
    finally:
        logger.removeHandler(collected)

    reported = [m.split(": ", 1)[1].rsplit(" must", 1)[0] for m in collected.messages[:-1]]
    assert reported == [
        "officers id 2 surname",
        "events id 2 location",
        "events id 3 title",
    ]
    assert collected.messages[-1].startswith("3 stored values cannot reach a mail header")
    assert not any(
        secret in message
        for message in collected.messages
        for secret in ("Broken", "Bcc", "Secret", "Parker")
    )
    assert digest(db) == before
