"""How many returns stand in each delivery state: read by the metrics scrape."""

from __future__ import annotations

from sqlalchemy import func, select

from ..db import Database
from .models import NpoccReturn

STATUSES = ("pending", "delivered", "failed", "filed")


def returns_by_status(db: Database) -> dict[str, int]:
    """Every return made (each revision counts), by its delivery status."""
    with db.reading() as session:
        rows = session.execute(
            select(NpoccReturn.status, func.count()).group_by(NpoccReturn.status)
        ).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(dict(rows))
    return counts
