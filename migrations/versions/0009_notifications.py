"""notifications by e-mail: officers' address and preferences, the outbox, booked duties by start

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dutyservice.db import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PREFERENCES = ("notify_callouts", "notify_reminders", "notify_training")


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: a batch operation would rebuild `officers` on SQLite,
    # which the rows of every table that refers to it forbid.
    op.add_column("officers", sa.Column("email", sa.String(length=254), nullable=True))
    for name in PREFERENCES:
        op.add_column(
            "officers", sa.Column(name, sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=60), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("force_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('callout', 'reminder', 'training', 'return')",
            name=op.f("ck_notifications_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'failed')", name=op.f("ck_notifications_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_notifications_officer_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["force_id"], ["forces.id"], name=op.f("fk_notifications_force_id_forces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "kind", "subject", "recipient", name=op.f("uq_notifications_kind_subject_recipient")
        ),
    )
    op.create_index("ix_notifications_officer_id", "notifications", ["officer_id"])
    op.create_index("ix_notifications_force_id", "notifications", ["force_id"])
    op.create_index(
        "ix_notifications_status_next_attempt_at", "notifications", ["status", "next_attempt_at"]
    )
    booked = sa.text("status = 'booked'")
    op.create_index(
        "ix_duties_booked_starts_at",
        "duties",
        ["starts_at"],
        postgresql_where=booked,
        sqlite_where=booked,
    )


def downgrade() -> None:
    op.drop_index("ix_duties_booked_starts_at", table_name="duties")
    op.drop_table("notifications")
    with op.batch_alter_table("officers") as officers:
        for name in ("email", *PREFERENCES):
            officers.drop_column(name)
