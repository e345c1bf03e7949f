"""npocc returns and quarter runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:52:01.269031
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dutyservice.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "npocc_quarter_runs",
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("returns_made", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("quarter", name=op.f("pk_npocc_quarter_runs")),
    )
    op.create_table(
        "npocc_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.String(length=120), nullable=False),
        sa.Column("force_id", sa.Integer(), nullable=False),
        sa.Column("role_profile_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("total_duty_hours", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("csv_filename", sa.String(length=160), nullable=False),
        sa.Column("csv_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("manifest_filename", sa.String(length=160), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("generated_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("delivery_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["force_id"], ["forces.id"], name=op.f("fk_npocc_returns_force_id_forces")
        ),
        sa.ForeignKeyConstraint(
            ["role_profile_id"],
            ["role_profiles.id"],
            name=op.f("fk_npocc_returns_role_profile_id_role_profiles"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["npocc_returns.id"],
            name=op.f("fk_npocc_returns_supersedes_id_npocc_returns"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_npocc_returns")),
        sa.UniqueConstraint(
            "force_id",
            "role_profile_id",
            "quarter",
            "revision",
            name=op.f("uq_npocc_returns_force_id_role_profile_id_quarter_revision"),
        ),
        sa.UniqueConstraint("return_id", name=op.f("uq_npocc_returns_return_id")),
    )
    op.create_index(
        "ix_npocc_returns_status_next_attempt_at", "npocc_returns", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_npocc_returns_status_next_attempt_at", table_name="npocc_returns")

    op.drop_table("npocc_returns")
    op.drop_table("npocc_quarter_runs")
