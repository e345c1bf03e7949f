"""scheduler job runs: when each job last succeeded, for the metrics and their alerts

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-06 03:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dutyservice.db import UTCDateTime

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_job_runs",
        sa.Column("job_id", sa.String(length=60), nullable=False),
        sa.Column("last_success_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_scheduler_job_runs")),
    )


def downgrade() -> None:
    op.drop_table("scheduler_job_runs")
