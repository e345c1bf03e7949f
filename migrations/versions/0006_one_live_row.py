"""one live row by constraint: IPS grants, competencies, sign-ups' duties, completed hours,
declared availability

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:10:00.000000

Stored rows that already break one of these rules stop the upgrade with a list of them: which
record should stay is a person's decision, so nothing is changed here on anyone's behalf.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (index, table, columns, the rows it keeps to one, the duplicates that would stop it)
UNIQUE_INDEXES = (
    (
        "uq_ips_grants_officer_id_live",
        "ips_grants",
        ["officer_id"],
        "withdrawn_on IS NULL",
        "officers holding more than one IPS grant not withdrawn",
    ),
    (
        "uq_competency_records_officer_id_unit_code_live",
        "competency_records",
        ["officer_id", "unit_code"],
        "revoked_on IS NULL",
        "officers holding a unit by more than one record not revoked",
    ),
    (
        "uq_event_signups_duty_id",
        "event_signups",
        ["duty_id"],
        None,
        "duties booked by more than one sign-up",
    ),
)

# (constraint, table, what it refuses, its definition, the pairs of stored rows that break it)
EXCLUSIONS = (
    (
        "ex_duties_actual_no_overlap",
        "duties",
        "completed duties whose actual times overlap (duty ids)",
        "EXCLUDE USING gist (officer_id WITH =, "
        "tstzrange(actual_starts_at, actual_ends_at, '[)') WITH &&) "
        "WHERE (status = 'completed' AND actual_starts_at IS NOT NULL)",
        "SELECT a.id, b.id FROM duties a JOIN duties b ON a.officer_id = b.officer_id "
        "AND a.id < b.id AND a.actual_starts_at < b.actual_ends_at "
        "AND b.actual_starts_at < a.actual_ends_at "
        "WHERE a.status = 'completed' AND b.status = 'completed' "
        "AND a.actual_starts_at IS NOT NULL AND b.actual_starts_at IS NOT NULL LIMIT 20",
    ),
    (
        "ex_availability_windows_no_overlap",
        "availability_windows",
        "availability windows of one officer that overlap (window ids)",
        "EXCLUDE USING gist (officer_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)",
        "SELECT a.id, b.id FROM availability_windows a JOIN availability_windows b "
        "ON a.officer_id = b.officer_id AND a.id < b.id "
        "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at LIMIT 20",
    ),
)


def _refuse_duplicates(table: str, columns: list[str], where: str | None, what: str) -> None:
    keys = ", ".join(columns)
    rows = (
        op.get_bind()
        .execute(
            sa.text(
                f"SELECT {keys}, count(*) FROM {table} "
                f"{'WHERE ' + where if where else ''} "
                f"GROUP BY {keys} HAVING count(*) > 1 LIMIT 20"
            )
        )
        .all()
    )
    if rows:
        listed = "; ".join(", ".join(str(v) for v in row[:-1]) for row in rows)
        raise RuntimeError(f"{what} ({keys}): {listed}. Correct them, then upgrade again.")


def upgrade() -> None:
    for name, table, columns, live, what in UNIQUE_INDEXES:
        _refuse_duplicates(table, columns, live, what)
        only_live = sa.text(live) if live else None
        op.create_index(
            name,
            table,
            columns,
            unique=True,
            postgresql_where=only_live,
            sqlite_where=only_live,
        )
    for name, table, what, rule, breaking in EXCLUSIONS:
        clashes = op.get_bind().execute(sa.text(breaking)).all()
        if clashes:
            listed = "; ".join(f"{a} and {b}" for a, b in clashes)
            raise RuntimeError(f"{what}: {listed}. Correct them, then upgrade again.")
        if op.get_bind().dialect.name == "postgresql":
            # Autogenerate neither writes the dialect guard nor notices these constraints
            # missing, so they are kept by hand and tested (as ex_duties_no_overlap is). On
            # SQLite the IMMEDIATE write transaction serialises the service's check instead.
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {rule}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, *_ in reversed(EXCLUSIONS):
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, table, *_ in reversed(UNIQUE_INDEXES):
        op.drop_index(name, table_name=table)
