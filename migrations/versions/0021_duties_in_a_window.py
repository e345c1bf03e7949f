"""an index for the deployable question: the live duties starting in a window, whoever's

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 06:20:00.000000

The free-in-the-window check reads the live duties near the window from this index alone, once
for every officer asked about, instead of probing each eligible officer's duties in turn.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


INDEX = "ix_duties_live_starts_at"


def upgrade() -> None:
    live, columns = sa.text("status <> 'cancelled'"), ["starts_at", "ends_at", "officer_id"]
    op.create_index(INDEX, "duties", columns, postgresql_where=live, sqlite_where=live)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="duties")
