"""events and sign-ups

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:12:51.478890
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dutyservice.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("force_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("duty_type", sa.String(length=40), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("signup_deadline", UTCDateTime(), nullable=False),
        sa.Column("open_to", sa.String(length=10), nullable=False),
        sa.Column("role_profile_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_token_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "open_to IN ('force', 'region', 'national')", name=op.f("ck_events_open_to_known")
        ),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_events_capacity_positive")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_events_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["created_by_token_id"],
            ["api_tokens.id"],
            name=op.f("fk_events_created_by_token_id_api_tokens"),
        ),
        sa.ForeignKeyConstraint(
            ["force_id"], ["forces.id"], name=op.f("fk_events_force_id_forces")
        ),
        sa.ForeignKeyConstraint(
            ["role_profile_id"],
            ["role_profiles.id"],
            name=op.f("fk_events_role_profile_id_role_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index("ix_events_force_id", "events", ["force_id"])
    op.create_index("ix_events_starts_at", "events", ["starts_at"])

    op.create_table(
        "event_signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("signed_up_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["duty_id"], ["duties.id"], name=op.f("fk_event_signups_duty_id_duties")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_signups_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_event_signups_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_signups")),
    )
    op.create_index("ix_event_signups_officer_id", "event_signups", ["officer_id"])
    op.create_index(
        "uq_event_signups_event_id_officer_id",
        "event_signups",
        ["event_id", "officer_id"],
        unique=True,
        sqlite_where=sa.text("withdrawn_at IS NULL"),
        postgresql_where=sa.text("withdrawn_at IS NULL"),
    )

    # Not a batch rebuild of duties: SQLite can add a nullable column with its reference in
    # place, given as raw DDL since Alembic would issue a separate ALTER for the constraint.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE duties ADD COLUMN event_id INTEGER "
            "CONSTRAINT fk_duties_event_id_events REFERENCES events (id)"
        )
    else:
        op.add_column("duties", sa.Column("event_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_duties_event_id_events"), "duties", "events", ["event_id"], ["id"]
        )
    op.create_index("ix_duties_event_id", "duties", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_duties_event_id", table_name="duties")
    with op.batch_alter_table("duties", schema=None) as batch_op:
        batch_op.drop_constraint("fk_duties_event_id_events", type_="foreignkey")
        batch_op.drop_column("event_id")

    op.drop_index("uq_event_signups_event_id_officer_id", table_name="event_signups")
    op.drop_index("ix_event_signups_officer_id", table_name="event_signups")

    op.drop_table("event_signups")
    op.drop_index("ix_events_starts_at", table_name="events")
    op.drop_index("ix_events_force_id", table_name="events")

    op.drop_table("events")
