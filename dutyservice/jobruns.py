"""When each of the scheduler's jobs last succeeded: kept in the database, so that a metrics
scrape of any server process sees it (`dutyservice_scheduler_last_success_timestamp_seconds`)
and an alert can fire when the scheduler falls silent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from .clock import utc_now
from .db import Base, Database, UTCDateTime


class JobRun(Base):
    __tablename__ = "scheduler_job_runs"

    job_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_success_at: Mapped[datetime] = mapped_column(UTCDateTime())


def record_success(db: Database, job_id: str, at: datetime | None = None) -> None:
    with db.transaction() as session:
        run = session.get(JobRun, job_id)
        if run is None:
            session.add(JobRun(job_id=job_id, last_success_at=at or utc_now()))
        else:
            run.last_success_at = max(run.last_success_at, at or utc_now())


def last_successes(db: Database) -> dict[str, datetime]:
    with db.reading() as session:
        return dict(session.execute(select(JobRun.job_id, JobRun.last_success_at)).all())
