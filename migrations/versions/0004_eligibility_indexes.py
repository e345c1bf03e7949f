"""indexes for the eligibility rule's spans that end inside a window

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, column in (("competency_records", "revoked_on"), ("ips_grants", "withdrawn_on")):
        only_set = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            f"ix_{table}_{column}",
            table,
            [column],
            postgresql_where=only_set,
            sqlite_where=only_set,
        )
    # The same expression as dutyservice.db.next_day, so that the planner matches it.
    day_after_expiry = (
        "date(expires_on, '+1 day')"
        if op.get_bind().dialect.name == "sqlite"
        else "(expires_on + 1)"
    )
    op.create_index(
        "ix_training_records_day_after_expiry",
        "training_records",
        [sa.text(day_after_expiry)],
    )


def downgrade() -> None:
    op.drop_index("ix_training_records_day_after_expiry", table_name="training_records")
    op.drop_index("ix_ips_grants_withdrawn_on", table_name="ips_grants")
    op.drop_index("ix_competency_records_revoked_on", table_name="competency_records")
