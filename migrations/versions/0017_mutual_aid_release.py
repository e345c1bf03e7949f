"""mutual-aid release: a sign-up's state is its duty's status (one fact), a duty may be
requested, the answer kept on the sign-up; forces' auto-release and aid contact; new messages

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 03:00:00.000000

The one-live-sign-up index moves from the sign-up (withdrawn_at IS NULL) to its duty (not
cancelled). Stored rows that would break it stop the upgrade with a list of them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dutyservice.db import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

DUTY_STATUS = (
    "'booked', 'cancelled', 'completed'",
    "'requested', 'booked', 'cancelled', 'completed'",
)
KINDS = (
    "'callout', 'reminder', 'training', 'return'",
    "'callout', 'reminder', 'training', 'return', 'aid_request', 'released', 'declined', 'lapsed'",
)
LIVE_DUTY = "event_id IS NOT NULL AND status <> 'cancelled'"


def _check(table: str, name: str, column: str, values: tuple[str, str], widen: bool) -> None:
    """Replace a CHECK (column IN (...)) by a wider (or the former) list of values.

    SQLite cannot alter a constraint, and rebuilding `duties` is refused while other tables'
    rows refer to it; a constraint that every stored row still meets can be rewritten in the
    schema instead (sqlite.org/lang_altertable.html, "other kinds of table schema changes")."""
    old, new = values if widen else values[::-1]
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IN ({new}))")
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    changed = bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
            "WHERE type = 'table' AND name = :table AND instr(sql, :old) > 0"
        ),
        {"old": f"{column} IN ({old})", "new": f"{column} IN ({new})", "table": table},
    ).rowcount
    bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    if changed != 1:
        raise RuntimeError(f"the constraint {name} of {table} is not as expected")


def _refuse(query: str, what: str) -> None:
    rows = op.get_bind().execute(sa.text(query)).all()
    if rows:
        listed = "; ".join(", ".join(str(v) for v in row) for row in rows)
        raise RuntimeError(f"{what}: {listed}. Correct them, then upgrade again.")


def upgrade() -> None:
    op.add_column(
        "forces", sa.Column("auto_release", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("forces", sa.Column("aid_contact_email", sa.String(length=254), nullable=True))
    _check("duties", "ck_duties_status_known", "status", DUTY_STATUS, widen=True)
    _check("notifications", "ck_notifications_kind_known", "kind", KINDS, widen=True)
    _refuse(
        "SELECT s.id, s.duty_id FROM event_signups s JOIN duties d ON d.id = s.duty_id "
        "WHERE s.withdrawn_at IS NOT NULL AND d.status = 'completed' LIMIT 20",
        "withdrawn sign-ups whose duty is completed (sign-up, duty)",
    )
    # A withdrawn sign-up's duty was cancelled with it: made so wherever it was not.
    op.execute(
        "UPDATE duties SET status = 'cancelled' WHERE status = 'booked' AND id IN "
        "(SELECT duty_id FROM event_signups WHERE withdrawn_at IS NOT NULL)"
    )
    _refuse(
        f"SELECT event_id, officer_id FROM duties WHERE {LIVE_DUTY} "
        "GROUP BY event_id, officer_id HAVING count(*) > 1 LIMIT 20",
        "officers holding more than one live duty on one event (event, officer)",
    )
    op.drop_index("uq_event_signups_event_id_officer_id", table_name="event_signups")
    live = sa.text(LIVE_DUTY)
    op.create_index(
        "uq_duties_event_id_officer_id",
        "duties",
        ["event_id", "officer_id"],
        unique=True,
        postgresql_where=live,
        sqlite_where=live,
    )
    with op.batch_alter_table("event_signups") as signups:
        signups.drop_column("withdrawn_at")
        signups.add_column(sa.Column("answer", sa.String(length=8), nullable=True))
        signups.add_column(sa.Column("answered_at", UTCDateTime(), nullable=True))
        signups.add_column(sa.Column("answer_reason", sa.Text(), nullable=True))
        signups.create_check_constraint(
            "answer_known", "answer IN ('released', 'declined', 'lapsed')"
        )


def downgrade() -> None:
    # Requests still unanswered were never booked: given up, as a lapse would.
    op.execute("UPDATE duties SET status = 'cancelled' WHERE status = 'requested'")
    with op.batch_alter_table("event_signups") as signups:
        signups.drop_constraint("answer_known", type_="check")
        signups.drop_column("answer_reason")
        signups.drop_column("answered_at")
        signups.drop_column("answer")
        signups.add_column(sa.Column("withdrawn_at", UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE event_signups SET withdrawn_at = (SELECT updated_at FROM duties "
        "WHERE duties.id = event_signups.duty_id AND duties.status = 'cancelled')"
    )
    op.drop_index("uq_duties_event_id_officer_id", table_name="duties")
    withdrawn = sa.text("withdrawn_at IS NULL")
    op.create_index(
        "uq_event_signups_event_id_officer_id",
        "event_signups",
        ["event_id", "officer_id"],
        unique=True,
        postgresql_where=withdrawn,
        sqlite_where=withdrawn,
    )
    op.execute(
        "DELETE FROM notifications WHERE kind IN ('aid_request', 'released', 'declined', 'lapsed')"
    )
    _check("notifications", "ck_notifications_kind_known", "kind", KINDS, widen=False)
    _check("duties", "ck_duties_status_known", "status", DUTY_STATUS, widen=False)
    # Not a batch rebuild: every table refers to `forces`. SQLite drops a column in place.
    op.drop_column("forces", "aid_contact_email")
    op.drop_column("forces", "auto_release")
