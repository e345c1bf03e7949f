"""Revision 0025 cuts the stored spans, of role profiles and of stages of the learning
programme, to the days each officer serves, and gives each its officer's force: what it leaves
is what the rules now give when recomputed from the records.

Every officer here has the same records, so before the upgrade each holds the same spans (the
rule then ignored joining and leaving); only their days of service differ."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.ips import spans, stage_spans
from dutyservice.ips.models import RoleProfile
from dutyservice.migrate import upgrade

from ..support import databases
from .test_migration_0019 import NOW
from .test_migration_0020 import insert_history as insert_stage_history

BEFORE_CUTTING = "0024"

#: Each officer: force, joined, left. SERVES serves throughout every span; LEAVER leaves while
#: every span runs on; JOINER joins after they begin (and after one of them ended); the last
#: two serve on none of their days: one left on the day of joining, one before any began.
SERVES, LEAVER, JOINER, ONE_DAY, GONE_BEFORE = "K1", "K2", "E1", "E2", "K3"
OFFICERS = {
    LEAVER: ("kent", "2020-01-01", "2025-05-01"),
    JOINER: ("essex", "2025-07-15", None),
    ONE_DAY: ("essex", "2025-06-01", "2025-06-01"),
    GONE_BEFORE: ("kent", "2020-01-01", "2025-01-20"),
}

#: What is copied of the first officer's records to every other officer.
RECORDS = {
    "competency_records": "unit_code, attained_on, revoked_on, assessed_by, evidence_ref, "
    "recorded_at",
    "training_records": "kind, completed_on, expires_on, recorded_at",
    "ips_grants": "granted_on, authorised_by_name, authorised_by_rank, authorised_by_position, "
    "withdrawn_on, recorded_at",
    "learning_records": "stage, area, attained_on, assessed_by, evidence_ref, revoked_on, "
    "recorded_at",
}

END = "2026-01-15"  # the day after the safety training expires
#: The spans every officer held before the upgrade, as revision 0024 stored them: of role
#: profiles 135 (with safety training) and 136 (without), and of stages.
UNCUT_PROFILES = [(135, "2025-03-01", END), (136, "2025-03-01", None)]
UNCUT_STAGES = [
    ("APS", "", "2025-02-01", END),
    ("DPS", "", "2025-04-01", END),
    *(
        ("QSC", area, start, end)
        for area in ("", "roads")
        for start, end in (("2025-06-01", "2025-07-01"), ("2025-08-01", END))
    ),
]


@pytest.fixture
def before_cutting(database_url: str, tmp_path: Path) -> Iterator[Database]:
    with databases.at_revision(database_url, tmp_path, BEFORE_CUTTING) as db:
        insert_history(db)
        yield db


def _day(value: str | None) -> str:
    return f"'{value}'" if value else "NULL"


def _officer(warrant: str, force: str, joined: str, left: str | None) -> str:
    return (
        "INSERT INTO officers (force_id, warrant_number, surname, forenames, rank, "
        f"base_location, joined_on, left_on, version, created_at, updated_at) SELECT id, "
        f"'{warrant}', 'Jones', 'Sam', 'SC', 'Chelmsford', '{joined}', {_day(left)}, 1, :now, "
        f":now FROM forces WHERE code = '{force}'"
    )


def _copied(table: str, columns: str) -> str:
    theirs = ", ".join(f"theirs.{column.strip()}" for column in columns.split(","))
    return (
        f"INSERT INTO {table} (officer_id, {columns}) SELECT officers.id, {theirs} "
        f"FROM officers, {table} theirs WHERE theirs.officer_id = "
        f"(SELECT id FROM officers WHERE warrant_number = '{SERVES}') "
        f"AND officers.warrant_number <> '{SERVES}'"
    )


def _uncut_spans() -> list[str]:
    profiles = [
        "INSERT INTO eligibility_spans (officer_id, role_profile_id, starts_on, ends_on) "
        f"SELECT officers.id, role_profiles.id, '{start}', {_day(end)} "
        f"FROM officers, role_profiles WHERE role_profiles.mercury_ref = {ref}"
        for ref, start, end in UNCUT_PROFILES
    ]
    stages = [
        "INSERT INTO stage_spans (officer_id, stage, area, starts_on, ends_on) "
        f"SELECT id, '{stage}', '{area}', '{start}', {_day(end)} FROM officers"
        for stage, area, start, end in UNCUT_STAGES
    ]
    return [*profiles, *stages]


def insert_history(db: Database) -> None:
    """Revision 0020's officer and records (a second force and role profile beside them), the
    same records for four more officers, a grant again from the day the first was withdrawn,
    and everyone's spans as revision 0024 held them: not cut to their service."""
    insert_stage_history(db)
    statements = [
        "INSERT INTO forces (code, name, region, monthly_minimum_hours, ost_validity_months) "
        "VALUES ('essex', 'Essex Police', 'East', 16, 12)",
        "INSERT INTO role_profiles (mercury_ref, version, specialism, requires_current_ost, "
        "equipment) VALUES (136, 1, 'IPS', false, '[]')",
        "INSERT INTO role_profile_units (role_profile_id, unit_code, position) "
        "SELECT id, 'BE2', 1 FROM role_profiles WHERE mercury_ref = 136",
        *(_officer(warrant, *service) for warrant, service in OFFICERS.items()),
        *(_copied(table, columns) for table, columns in RECORDS.items()),
        "INSERT INTO ips_grants (officer_id, granted_on, authorised_by_name, authorised_by_rank, "
        "authorised_by_position, withdrawn_on, recorded_at) SELECT id, '2025-10-01', 'C Morgan', "
        "'SCO', 'Head', NULL, :now FROM officers",
        *_uncut_spans(),
    ]
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), NOW)


def _officer_id(db: Database, warrant: str) -> int:
    with db.reading() as session:
        return session.scalars(select(Officer.id).where(Officer.warrant_number == warrant)).one()


def spans_of(db: Database, warrant: str) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The officer's stored spans: of role profiles (by reference) and of stages."""
    officer_id = _officer_id(db, warrant)
    with db.reading() as session:
        refs = dict(session.execute(select(RoleProfile.id, RoleProfile.mercury_ref)).all())
        profiles = {(refs[p], s, e) for _, p, s, e in spans.stored(session, [officer_id])}
        stages = {key[1:] for key in spans.stored(session, [officer_id], stage_spans.STAGES)}
    return profiles, stages


def _as_dates(rows: Iterable[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    return {
        (*row[:-2], *(None if d is None else date.fromisoformat(d) for d in row[-2:]))
        for row in rows
    }


def test_after_the_upgrade_the_stored_spans_are_what_the_rules_now_give(
    before_cutting: Database,
) -> None:
    upgrade(before_cutting)
    with before_cutting.reading() as session:
        assert not spans.differences(session)
        assert not spans.differences(session, stage_spans.STAGES)
    assert spans_of(before_cutting, SERVES) == (
        _as_dates(UNCUT_PROFILES),
        _as_dates(UNCUT_STAGES),
    )


def test_each_span_holds_its_officer_s_force_after_the_upgrade(
    before_cutting: Database,
) -> None:
    upgrade(before_cutting)
    with before_cutting.engine.connect() as connection:
        for table in ("eligibility_spans", "stage_spans"):
            rows = connection.execute(
                text(
                    f"SELECT {table}.force_id, officers.force_id, forces.code FROM {table} "
                    f"JOIN officers ON officers.id = {table}.officer_id "
                    "JOIN forces ON forces.id = officers.force_id"
                )
            ).all()
            assert rows
            assert all(span_force == force for span_force, force, _ in rows)
            assert {code for _, _, code in rows} == {"kent", "essex"}


def test_a_leaver_s_spans_end_on_the_day_they_left(before_cutting: Database) -> None:
    upgrade(before_cutting)
    left, on = date(2025, 5, 1), date(2025, 3, 1)
    profiles, stages = spans_of(before_cutting, LEAVER)
    # The grant never withdrawn no longer runs on without end, nor any span past leaving; the
    # stages reached after leaving hold no day.
    assert profiles == {(135, on, left), (136, on, left)}
    assert stages == {("APS", "", date(2025, 2, 1), left), ("DPS", "", date(2025, 4, 1), left)}


def test_a_late_joiner_s_spans_start_on_the_day_they_joined(before_cutting: Database) -> None:
    upgrade(before_cutting)
    joined, end = date(2025, 7, 15), date(2026, 1, 15)
    profiles, stages = spans_of(before_cutting, JOINER)
    assert profiles == {(135, joined, end), (136, joined, None)}
    # The QSC span that ended before joining goes; the one begun after is kept as it was.
    assert stages == {
        ("APS", "", joined, end),
        ("DPS", "", joined, end),
        ("QSC", "", date(2025, 8, 1), end),
        ("QSC", "roads", date(2025, 8, 1), end),
    }


def test_spans_on_none_of_an_officer_s_days_of_service_are_gone(
    before_cutting: Database,
) -> None:
    upgrade(before_cutting)
    assert spans_of(before_cutting, ONE_DAY) == (set(), set())
    assert spans_of(before_cutting, GONE_BEFORE) == (set(), set())


def test_before_the_upgrade_the_check_names_every_officer_whose_spans_run_beyond_service(
    before_cutting: Database,
) -> None:
    ids = {warrant: _officer_id(before_cutting, warrant) for warrant in (SERVES, *OFFICERS)}
    with before_cutting.reading() as session:
        for kept in (spans.PROFILES, stage_spans.STAGES):
            found = spans.differences(session, kept)
            assert found.officers == sorted(ids[warrant] for warrant in OFFICERS)


def test_a_span_run_on_past_leaving_again_after_the_upgrade_is_named_by_the_check(
    before_cutting: Database,
) -> None:
    upgrade(before_cutting)
    leaver = _officer_id(before_cutting, LEAVER)
    with before_cutting.engine.begin() as connection:
        connection.execute(
            text(
                f"UPDATE stage_spans SET ends_on = '{END}' "
                "WHERE officer_id = :leaver AND stage = 'APS'"
            ),
            {"leaver": leaver},
        )
    with before_cutting.reading() as session:
        assert not spans.differences(session)
        found = spans.differences(session, stage_spans.STAGES)
    assert found.officers == [leaver]
    assert found.extra == {(leaver, "APS", "", date(2025, 2, 1), date(2026, 1, 15))}
