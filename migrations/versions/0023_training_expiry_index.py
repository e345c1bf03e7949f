"""an index for the deployable page's safety training expiries: officer, kind and expiry

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 09:40:00.000000

Each officer on a deployable page has the latest expiry of their safety training current on
the window's last day read (500 a page). The index on (officer_id, kind) found every one of
the officer's training records and read each from the table; with the expiry and completion
in the index as well, the records current on the day are found and read from the index alone.
It replaces the narrower index, whose every other use it serves as well.
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

TABLE = "training_records"
NARROW = "ix_training_records_officer_id_kind"
WIDE = "ix_training_records_officer_id_kind_expires_on"


def upgrade() -> None:
    op.create_index(WIDE, TABLE, ["officer_id", "kind", "expires_on", "completed_on"])
    op.drop_index(NARROW, table_name=TABLE)


def downgrade() -> None:
    op.create_index(NARROW, TABLE, ["officer_id", "kind"])
    op.drop_index(WIDE, table_name=TABLE)
