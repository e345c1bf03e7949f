"""report stored text that breaks FEED.md's text rule; change nothing

Every text that can reach a return must be plain (no control characters, not beginning with =, +,
- or @). The API refuses such values from now on; values stored before are listed here, by
table, id and column (never the value or an officer's name), for a person to correct through
the API. The data is left exactly as it was: a return never alters what it carries.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 05:00:00.000000
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from dutyservice.plaintext import plain_text_problem

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

log = logging.getLogger("dutyservice.migrations")

# Every stored text that reaches a return's CSV or manifest (FEED.md "CSV" and "Manifest").
CHECKED = {
    "officers": ("warrant_number", "base_location", "rank"),
    "ips_grants": ("authorised_by_name", "authorised_by_rank", "authorised_by_position"),
    "profile_authorisations": (
        "host_name",
        "host_rank",
        "host_position",
        "npocc_name",
        "npocc_rank",
        "npocc_position",
    ),
    "role_profiles": ("specialism",),
}


def upgrade() -> None:
    connection = op.get_bind()
    found = 0
    for table, columns in CHECKED.items():
        # Names from CHECKED above, never from input.
        query = sa.text(f"SELECT id, {', '.join(columns)} FROM {table} ORDER BY id")
        for row in connection.execute(query):
            for column, value in zip(columns, row[1:], strict=True):
                problem = plain_text_problem(value) if value else None
                if problem:
                    found += 1
                    log.warning(
                        "stored text breaks the feed text rule: %s id %s %s %s",
                        table,
                        row[0],
                        column,
                        problem,
                    )
    if found:
        log.warning(
            "%s stored values break the feed text rule; they are unchanged: correct them "
            "through the API",
            found,
        )


def downgrade() -> None:
    pass  # nothing was changed
