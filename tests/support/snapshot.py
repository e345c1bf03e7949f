"""Every row of every table, hashed: equal digests, equal data."""

from __future__ import annotations

import hashlib

from sqlalchemy import text

from dutyservice.db import Database
from dutyservice.models import Base


def digest(db: Database) -> str:
    hasher = hashlib.sha256()
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(text(f"SELECT * FROM {table.name} ORDER BY 1")):
                hasher.update(repr(tuple(row)).encode())
    return hasher.hexdigest()
