"""the learning programme beside IPS: stage records, minimum hours by period and stage, force
settings (SCLP words, months in stage, returns), an event's stage requirement

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dutyservice.db import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

FORCE_SETTINGS = (
    sa.Column("follows_sclp", sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column("months_in_stage", sa.Integer(), server_default="12", nullable=False),
    sa.Column("makes_returns", sa.Boolean(), server_default=sa.true(), nullable=False),
)


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: a batch operation would rebuild the tables on SQLite,
    # which the rows of every table that refers to them forbid.
    for column in FORCE_SETTINGS:
        op.add_column("forces", column)
    op.add_column("events", sa.Column("required_stage", sa.String(length=3), nullable=True))
    op.add_column("events", sa.Column("required_area", sa.String(length=20), nullable=True))
    _learning_records()
    op.create_table(
        "minimum_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("force_id", sa.Integer(), nullable=False),
        sa.Column("from_month", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=3), nullable=False),
        sa.Column("hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.CheckConstraint(
            "stage IN ('', 'APS', 'DPS', 'QSC')", name=op.f("ck_minimum_hours_stage_known")
        ),
        sa.CheckConstraint("hours >= 0", name=op.f("ck_minimum_hours_hours_not_negative")),
        sa.ForeignKeyConstraint(
            ["force_id"], ["forces.id"], name=op.f("fk_minimum_hours_force_id_forces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minimum_hours")),
        sa.UniqueConstraint(
            "force_id",
            "from_month",
            "stage",
            name=op.f("uq_minimum_hours_force_id_from_month_stage"),
        ),
    )


def _learning_records() -> None:
    op.create_table(
        "learning_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=3), nullable=False),
        sa.Column("area", sa.String(length=20), nullable=False),
        sa.Column("attained_on", sa.Date(), nullable=False),
        sa.Column("assessed_by", sa.String(length=120), nullable=False),
        sa.Column("evidence_ref", sa.String(length=200), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by_token_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "revoked_on IS NULL OR revoked_on >= attained_on",
            name=op.f("ck_learning_records_revoked_after"),
        ),
        sa.CheckConstraint(
            "stage IN ('APS', 'DPS', 'QSC')", name=op.f("ck_learning_records_stage_known")
        ),
        sa.CheckConstraint(
            "(stage = 'QSC') = (area <> '')", name=op.f("ck_learning_records_area_for_qsc_only")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_learning_records_officer_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_token_id"],
            ["api_tokens.id"],
            name=op.f("fk_learning_records_recorded_by_token_id_api_tokens"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_records")),
    )
    op.create_index(
        "ix_learning_records_officer_id_stage", "learning_records", ["officer_id", "stage"]
    )
    live = sa.text("revoked_on IS NULL")
    op.create_index(
        "uq_learning_records_officer_id_stage_area_live",
        "learning_records",
        ["officer_id", "stage", "area"],
        unique=True,
        postgresql_where=live,
        sqlite_where=live,
    )


def downgrade() -> None:
    op.drop_table("minimum_hours")
    op.drop_table("learning_records")
    with op.batch_alter_table("events") as events:
        events.drop_column("required_stage")
        events.drop_column("required_area")
    with op.batch_alter_table("forces") as forces:
        for column in FORCE_SETTINGS:
            forces.drop_column(column.name)
