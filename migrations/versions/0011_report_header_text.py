"""report stored text that cannot reach a mail header; change nothing

Event titles and locations, duty locations, officers' names and duty types' names reach a mail's
Subject or a calendar entry's SUMMARY and LOCATION, so they must be one plain line (FEED.md's
text rule, and no U+2028 or U+2029). The API and the import refuse such values from now on; those
stored before are listed here, by table, id and column (never the value: a name is personal), for
a person to correct through the API. Until then the message that would carry one is marked failed
on its own when it is sent. The data is left exactly as it was.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:00:00.000000
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from dutyservice.plaintext import header_text_problem

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

log = logging.getLogger("dutyservice.migrations")

# Every stored text that reaches a mail header or a calendar entry's one-line properties.
CHECKED = {
    "officers": ("surname", "forenames"),
    "events": ("title", "location"),
    "duties": ("location",),
    "duty_types": ("name",),
}


def upgrade() -> None:
    connection = op.get_bind()
    found = 0
    for table, columns in CHECKED.items():
        # Names from CHECKED above, never from input.
        query = sa.text(f"SELECT id, {', '.join(columns)} FROM {table} ORDER BY id")
        for row in connection.execute(query):
            for column, value in zip(columns, row[1:], strict=True):
                problem = header_text_problem(value) if value else None
                if problem:
                    found += 1
                    log.warning(
                        "stored text cannot reach a mail header: %s id %s %s %s",
                        table,
                        row[0],
                        column,
                        problem,
                    )
    if found:
        log.warning(
            "%s stored values cannot reach a mail header; they are unchanged: correct them "
            "through the API",
            found,
        )


def downgrade() -> None:
    pass  # nothing was changed
