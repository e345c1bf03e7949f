"""stored spans within the officer's service, with the officer's force

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 15:30:00.000000

The planners' question read every serving officer's row to ask whether they served throughout
the window, then kept those with a span covering it: at 25,000 officers, reading the officers
was most of its time. A stored span, of a role profile or of a stage of the learning programme,
now holds only days on which the officer serves (`rules.within_service`), and holds the
officer's force, which never changes: a span covering the window answers the question,
nationally or for one force, from an index alone. Existing spans are cut to the days from
joining to leaving (those wholly outside them go), as the rules now write them, and given their
officer's force; each table's index for the question now holds the force, and a second leads
with it. The partial index of the officers who have not left, which only the question read, goes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

#: Each table of spans: what a requirement is, and its index for the question before and now.
TABLES = {
    "eligibility_spans": (
        ["role_profile_id"],
        ("ix_eligibility_spans_role_profile_id_ends_on", ["ends_on", "starts_on", "officer_id"]),
        "ix_eligibility_spans_role_profile_id_ends_on",
        "ix_eligibility_spans_role_profile_id_force_id",
    ),
    "stage_spans": (
        ["stage", "area"],
        ("ix_stage_spans_stage_area_starts_on", ["starts_on"]),
        "ix_stage_spans_stage_area_ends_on",
        "ix_stage_spans_stage_area_force_id",
    ),
}


SERVING = "ix_officers_force_id_serving"
SHOWN = ["force_id", "joined_on", "id", "warrant_number", "rank", "base_location"]


def _officer(table: str, column: str) -> str:
    return f"(SELECT officers.{column} FROM officers WHERE officers.id = {table}.officer_id)"


def _cut_to_service(table: str) -> None:
    joined, left = _officer(table, "joined_on"), _officer(table, "left_on")
    op.execute(f"UPDATE {table} SET force_id = {_officer(table, 'force_id')}")
    # Spans wholly before joining or from leaving on, or of an officer who left on the day of
    # joining, hold no day of service.
    op.execute(
        f"DELETE FROM {table} WHERE (ends_on IS NOT NULL AND ends_on <= {joined}) "
        f"OR ({left} IS NOT NULL AND (starts_on >= {left} OR {left} <= {joined}))"
    )
    op.execute(f"UPDATE {table} SET starts_on = {joined} WHERE starts_on < {joined}")
    op.execute(
        f"UPDATE {table} SET ends_on = {left} "
        f"WHERE {left} IS NOT NULL AND (ends_on IS NULL OR ends_on > {left})"
    )


def upgrade() -> None:
    for table, (requirement, (before, _), by_end, by_force) in TABLES.items():
        with op.batch_alter_table(table) as spans:
            spans.add_column(sa.Column("force_id", sa.Integer(), nullable=True))
        _cut_to_service(table)
        with op.batch_alter_table(table) as spans:
            spans.alter_column("force_id", existing_type=sa.Integer(), nullable=False)
            spans.create_foreign_key(f"fk_{table}_force_id_forces", "forces", ["force_id"], ["id"])
        op.drop_index(before, table_name=table)
        days = ["ends_on", "starts_on"]
        op.create_index(by_end, table, [*requirement, *days, "force_id", "officer_id"])
        op.create_index(by_force, table, [*requirement, "force_id", *days, "officer_id"])
    op.drop_index(SERVING, table_name="officers")


def downgrade() -> None:
    # The spans stay cut to the officers' service: the question before asked it of the officer.
    stayed = sa.text("left_on IS NULL")
    op.create_index(SERVING, "officers", SHOWN, postgresql_where=stayed, sqlite_where=stayed)
    for table, (requirement, (before, before_columns), by_end, by_force) in TABLES.items():
        op.drop_index(by_force, table_name=table)
        op.drop_index(by_end, table_name=table)
        op.create_index(before, table, [*requirement, *before_columns])
        with op.batch_alter_table(table) as spans:
            spans.drop_constraint(f"fk_{table}_force_id_forces", type_="foreignkey")
            spans.drop_column("force_id")
