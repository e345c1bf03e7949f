"""eligibility spans: each officer's days holding IPS against each role profile, stored

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 04:00:00.000000

Filled from the records by the rule as written in Python (`ips.rules.eligible_spans`), read
with this revision's own view of the tables so that later revisions cannot change what it reads.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

from dutyservice.ips.rules import (
    OST,
    OfficerEvidence,
    ProfileRequirements,
    Span,
    eligible_spans,
    training_span,
)

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_officers = sa.table(
    "officers", sa.column("id"), sa.column("joined_on", sa.Date()), sa.column("left_on", sa.Date())
)
_units = sa.table(
    "competency_records",
    sa.column("officer_id"),
    sa.column("unit_code"),
    sa.column("attained_on", sa.Date()),
    sa.column("revoked_on", sa.Date()),
)
_training = sa.table(
    "training_records",
    sa.column("officer_id"),
    sa.column("kind"),
    sa.column("completed_on", sa.Date()),
    sa.column("expires_on", sa.Date()),
)
_grants = sa.table(
    "ips_grants",
    sa.column("officer_id"),
    sa.column("granted_on", sa.Date()),
    sa.column("withdrawn_on", sa.Date()),
)
_profiles = sa.table(
    "role_profiles",
    sa.column("id"),
    sa.column("mercury_ref"),
    sa.column("version"),
    sa.column("requires_current_ost", sa.Boolean()),
)
_profile_units = sa.table(
    "role_profile_units",
    sa.column("role_profile_id"),
    sa.column("unit_code"),
    sa.column("position"),
)


def upgrade() -> None:
    spans = op.create_table(
        "eligibility_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("role_profile_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on > starts_on",
            name=op.f("ck_eligibility_spans_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_eligibility_spans_officer_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["role_profile_id"],
            ["role_profiles.id"],
            name=op.f("fk_eligibility_spans_role_profile_id_role_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_spans")),
    )
    op.create_index("ix_eligibility_spans_officer_id", "eligibility_spans", ["officer_id"])
    op.create_index(
        "ix_eligibility_spans_role_profile_id_starts_on",
        "eligibility_spans",
        ["role_profile_id", "starts_on"],
    )
    _fill(op.get_bind(), spans)


def _fill(connection: sa.Connection, spans: Any) -> None:
    profiles = _read_profiles(connection)
    evidence = _read_evidence(connection)
    rows = [
        {
            "officer_id": officer_id,
            "role_profile_id": profile_id,
            "starts_on": s.start,
            "ends_on": s.end,
        }
        for officer_id, held in evidence.items()
        for profile_id, profile in profiles.items()
        for s in eligible_spans(held, profile)
    ]
    for start in range(0, len(rows), 5_000):
        connection.execute(sa.insert(spans), rows[start : start + 5_000])


def _read_profiles(connection: sa.Connection) -> dict[int, ProfileRequirements]:
    units: dict[int, list[str]] = defaultdict(list)
    for profile_id, code, _ in connection.execute(
        sa.select(_profile_units).order_by(_profile_units.c.position)
    ):
        units[profile_id].append(code)
    return {
        profile_id: ProfileRequirements(mercury_ref, version, tuple(units[profile_id]), ost)
        for profile_id, mercury_ref, version, ost in connection.execute(sa.select(_profiles))
    }


def _read_evidence(connection: sa.Connection) -> dict[int, OfficerEvidence]:
    units: dict[int, dict[str, list[Span]]] = defaultdict(lambda: defaultdict(list))
    for officer_id, code, attained_on, revoked_on in connection.execute(sa.select(_units)):
        units[officer_id][code].append(Span(attained_on, revoked_on))
    ost: dict[int, list[Span]] = defaultdict(list)
    for officer_id, kind, completed_on, expires_on in connection.execute(sa.select(_training)):
        if kind == OST:
            ost[officer_id].append(training_span(completed_on, expires_on))
    grants: dict[int, list[Span]] = defaultdict(list)
    for officer_id, granted_on, withdrawn_on in connection.execute(sa.select(_grants)):
        grants[officer_id].append(Span(granted_on, withdrawn_on))
    return {
        officer_id: OfficerEvidence(
            joined_on, left_on, dict(units[officer_id]), ost[officer_id], grants[officer_id]
        )
        for officer_id, joined_on, left_on in connection.execute(sa.select(_officers))
    }


def downgrade() -> None:
    op.drop_index("ix_eligibility_spans_role_profile_id_starts_on", table_name="eligibility_spans")
    op.drop_index("ix_eligibility_spans_officer_id", table_name="eligibility_spans")
    op.drop_table("eligibility_spans")
