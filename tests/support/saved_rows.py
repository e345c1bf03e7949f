"""Data made once through the use cases, then put back as rows before each later test.

Making a test's officers through the use cases is what tests them; making the same ones again
for each of hundreds of cases (the access matrices) tests nothing more and was most of those
cases' time. `save` keeps every row a test made (the tables `databases.empty_tables` empties);
`put_back` inserts them again, with their ids, into tables emptied since.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select, text

from dutyservice.db import Database
from dutyservice.models import Base

from .databases import REFERENCE_TABLES


def _made_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES]


@dataclass(frozen=True)
class SavedRows:
    rows: dict[str, list[dict[str, Any]]]  # by table, parents before their children


def save(db: Database) -> SavedRows:
    with db.engine.connect() as connection:
        return SavedRows(
            {
                table.name: [dict(row._mapping) for row in connection.execute(select(table))]
                for table in _made_tables()
            }
        )


def put_back(db: Database, saved: SavedRows) -> None:
    """Into empty tables; PostgreSQL's sequences then go on from the largest id put back, as
    SQLite's rowids do by themselves."""
    with db.engine.begin() as connection:
        for table in _made_tables():
            rows = saved.rows[table.name]
            if not rows:
                continue
            connection.execute(table.insert(), rows)
            if db.dialect == "postgresql" and "id" in table.c:
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(:name, 'id'), :largest)"),
                    {"name": table.name, "largest": max(row["id"] for row in rows)},
                )
