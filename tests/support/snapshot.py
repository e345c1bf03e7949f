"""Every row of every table, hashed: equal digests, equal data."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, inspect, text

from dutyservice.db import Database
from dutyservice.models import Base

# A read accounted for in the trail is not a change to the records it read.
_NOT_READS = {"audit_entries": "WHERE action NOT IN ('officer.read', 'officer.export')"}


def digest(db: Database) -> str:
    """Of the tables the database has (one part-way through its migrations has fewer)."""
    hasher = hashlib.sha256()
    with db.engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        tables = [t.name for t in Base.metadata.sorted_tables if t.name in present]
        for row in _rows(connection, tables):
            hasher.update(repr(tuple(row)).encode())
    return hasher.hexdigest()


def _rows(connection: Connection, tables: list[str]) -> list[Sequence[Any]]:
    if connection.dialect.name == "postgresql":
        # Each row as its text, every table in one statement: one round trip, not one a table.
        return list(
            connection.execute(
                text(
                    " UNION ALL ".join(
                        f"SELECT '{name}' AS name, t::text AS row FROM {name} t "
                        + _NOT_READS.get(name, "")
                        for name in tables
                    )
                    + " ORDER BY 1, 2"
                )
            )
        )
    return [
        row
        for name in tables
        for row in connection.execute(
            text(f"SELECT * FROM {name} {_NOT_READS.get(name, '')} ORDER BY 1")
        )
    ]
