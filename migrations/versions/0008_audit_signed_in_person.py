"""the audit trail names a person signed in through the identity provider

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: entries made with API tokens (and every earlier entry) name no person.
    op.add_column("audit_entries", sa.Column("subject", sa.String(length=255), nullable=True))
    op.add_column("audit_entries", sa.Column("subject_name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # SQLite drops a column by copying the table: batch mode does that on both databases.
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("subject_name")
        batch.drop_column("subject")
