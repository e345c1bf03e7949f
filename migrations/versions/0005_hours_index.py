"""an index for hours: an officer's completed duties by actual start

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    completed = sa.text("actual_starts_at IS NOT NULL")
    op.create_index(
        "ix_duties_officer_id_actual_starts_at",
        "duties",
        ["officer_id", "actual_starts_at"],
        postgresql_where=completed,
        sqlite_where=completed,
    )


def downgrade() -> None:
    op.drop_index("ix_duties_officer_id_actual_starts_at", table_name="duties")
