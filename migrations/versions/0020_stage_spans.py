"""stage spans: each officer's days meeting each stage of the learning programme, stored

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 07:00:00.000000

Filled from the records by the rule as written in Python (`ips.learning_rules.stage_spans`),
read with this revision's own view of the tables so that later revisions cannot change what it
reads.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

from dutyservice.ips.learning_rules import ASKABLE, StageRecord, stage_spans
from dutyservice.ips.rules import OST, OfficerEvidence, Span, training_span

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# Typed, so that SQLite's dates are read as dates.
_RECORDS = sa.text(
    "SELECT officer_id, stage, area, attained_on, revoked_on FROM learning_records"
).columns(
    sa.column("officer_id", sa.Integer()),
    sa.column("stage", sa.String()),
    sa.column("area", sa.String()),
    sa.column("attained_on", sa.Date()),
    sa.column("revoked_on", sa.Date()),
)
_OST = sa.text(
    f"SELECT officer_id, completed_on, expires_on FROM training_records WHERE kind = '{OST}'"
).columns(
    sa.column("officer_id", sa.Integer()),
    sa.column("completed_on", sa.Date()),
    sa.column("expires_on", sa.Date()),
)
_SERVICE = sa.text("SELECT id, joined_on, left_on FROM officers").columns(
    sa.column("id", sa.Integer()),
    sa.column("joined_on", sa.Date()),
    sa.column("left_on", sa.Date()),
)


def upgrade() -> None:
    spans = op.create_table(
        "stage_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=3), nullable=False),
        sa.Column("area", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on > starts_on", name=op.f("ck_stage_spans_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_stage_spans_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_spans")),
    )
    op.create_index("ix_stage_spans_officer_id", "stage_spans", ["officer_id"])
    op.create_index(
        "ix_stage_spans_stage_area_starts_on", "stage_spans", ["stage", "area", "starts_on"]
    )
    _fill(op.get_bind(), spans)


def _fill(connection: sa.Connection, spans: Any) -> None:
    records: dict[int, list[StageRecord]] = defaultdict(list)
    for officer_id, stage, area, attained_on, revoked_on in connection.execute(_RECORDS):
        records[officer_id].append(StageRecord(stage, area, Span(attained_on, revoked_on)))
    ost: dict[int, list[Span]] = defaultdict(list)
    for officer_id, completed_on, expires_on in connection.execute(_OST):
        ost[officer_id].append(training_span(completed_on, expires_on))
    rows = [
        {
            "officer_id": officer_id,
            "stage": requirement.stage,
            "area": requirement.area or "",
            "starts_on": s.start,
            "ends_on": s.end,
        }
        for officer_id, joined_on, left_on in connection.execute(_SERVICE)
        if officer_id in records
        for requirement in ASKABLE
        for s in stage_spans(
            OfficerEvidence(joined_on, left_on, ost=ost[officer_id]),
            records[officer_id],
            requirement,
        )
    ]
    for start in range(0, len(rows), 5_000):
        connection.execute(sa.insert(spans), rows[start : start + 5_000])


def downgrade() -> None:
    op.drop_index("ix_stage_spans_stage_area_starts_on", table_name="stage_spans")
    op.drop_index("ix_stage_spans_officer_id", table_name="stage_spans")
    op.drop_table("stage_spans")
