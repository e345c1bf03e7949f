"""push to phones: the browsers and phones each officer turned notifications on in

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dutyservice.db import UTCDateTime

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The keys are the browser's, needed as they are to encrypt to it: personal data, kept as
    # given and deleted with the subscription, not secrets of ours to hash.
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False),
        sa.Column("p256dh", sa.String(length=100), nullable=False),
        sa.Column("auth", sa.String(length=40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_push_subscriptions_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint(
            "officer_id", "endpoint", name=op.f("uq_push_subscriptions_officer_id_endpoint")
        ),
    )


def downgrade() -> None:
    op.drop_table("push_subscriptions")
