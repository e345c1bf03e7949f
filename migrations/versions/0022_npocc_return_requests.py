"""npocc return requests: a quarter's returns asked for with `Prefer: respond-async`, queued

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dutyservice.db import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

TABLE = "npocc_return_requests"
# (name, type, may be null), as the model has them.
COLUMNS = (
    ("id", sa.Integer(), False),
    ("quarter", sa.String(length=7), False),
    ("force_code", sa.String(length=40), True),
    ("state", sa.String(length=12), False),
    ("requested_at", UTCDateTime(), False),
    ("claimed_by", sa.String(length=200), True),
    ("started_at", UTCDateTime(), True),
    ("finished_at", UTCDateTime(), True),
    ("made", sa.JSON(), True),
    ("unchanged", sa.JSON(), True),
    ("problem", sa.JSON(), True),
)
STATES = "state IN ('queued', 'running', 'done', 'failed')"


def upgrade() -> None:
    op.create_table(
        TABLE,
        *(sa.Column(name, kind, nullable=null) for name, kind, null in COLUMNS),
        sa.CheckConstraint(STATES, name=op.f(f"ck_{TABLE}_state_known")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    for name, columns, where in (
        ("uq_npocc_return_requests_queued_force", ["quarter", "force_code"], "IS NOT NULL"),
        ("uq_npocc_return_requests_queued_every_force", ["quarter"], "IS NULL"),
    ):
        only = sa.text(f"state = 'queued' AND force_code {where}")
        op.create_index(name, TABLE, columns, unique=True, postgresql_where=only, sqlite_where=only)
    op.create_index("ix_npocc_return_requests_state_requested_at", TABLE, ["state", "requested_at"])


def downgrade() -> None:
    op.drop_table(TABLE)
