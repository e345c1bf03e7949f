"""npocc return requests: a quarter's returns asked for with `Prefer: respond-async`, queued

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-06 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dutyservice.db import UTCDateTime

revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLE = "npocc_return_requests"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("force_code", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("made", sa.JSON(), nullable=True),
        sa.Column("unchanged", sa.JSON(), nullable=True),
        sa.Column("problem", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_npocc_return_requests_state_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_npocc_return_requests")),
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
