"""The outbox as a scrape sees it: messages waiting, messages given up on, the oldest waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..db import Database
from ..outbox import Notification


@dataclass(frozen=True)
class OutboxState:
    queued: int
    failed: int
    oldest_queued_at: datetime | None


def outbox_state(db: Database) -> OutboxState:
    with db.reading() as session:
        counts: dict[str, int] = dict(
            session.execute(
                select(Notification.status, func.count())
                .where(Notification.status.in_(("queued", "failed")))
                .group_by(Notification.status)
            ).all()
        )
        oldest = session.scalar(
            select(func.min(Notification.created_at)).where(Notification.status == "queued")
        )
    return OutboxState(counts.get("queued", 0), counts.get("failed", 0), oldest)
