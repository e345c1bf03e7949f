"""indexes for the deployable question: the serving officers, and a role profile's spans by end

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 13:30:00.000000

The deployable question read every officer who ever served and every span of the profile begun
before the window, however long ago they left or it ended: the longer the history, the more it
read. Now the officers who have not left are read from a partial index of them alone, holding
what the answer shows of them, and those leaving after the window by their leaving day (in one
force, by the force and the day: that index replaces the one of the force alone); and a
span covers the window when it is open or ends after it, two ranges of an index on (profile,
end, start, officer), read from the index alone. The index of the spans by their start, which
nothing else reads, is replaced.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

SPANS = "eligibility_spans"
BY_START = "ix_eligibility_spans_role_profile_id_starts_on"
BY_END = "ix_eligibility_spans_role_profile_id_ends_on"
SERVING = "ix_officers_force_id_serving"
LEAVING = "ix_officers_left_on"
BY_FORCE = "ix_officers_force_id"
LEAVING_FORCE = "ix_officers_force_id_left_on"


def upgrade() -> None:
    op.create_index(BY_END, SPANS, ["role_profile_id", "ends_on", "starts_on", "officer_id"])
    op.drop_index(BY_START, table_name=SPANS)
    stayed = sa.text("left_on IS NULL")
    shown = ["force_id", "joined_on", "id", "warrant_number", "rank", "base_location"]
    op.create_index(SERVING, "officers", shown, postgresql_where=stayed, sqlite_where=stayed)
    op.create_index(LEAVING, "officers", ["left_on"])
    op.create_index(LEAVING_FORCE, "officers", ["force_id", "left_on"])
    op.drop_index(BY_FORCE, table_name="officers")


def downgrade() -> None:
    op.create_index(BY_FORCE, "officers", ["force_id"])
    op.drop_index(LEAVING_FORCE, table_name="officers")
    op.drop_index(LEAVING, table_name="officers")
    op.drop_index(SERVING, table_name="officers")
    op.create_index(BY_START, SPANS, ["role_profile_id", "starts_on"])
    op.drop_index(BY_END, table_name=SPANS)
