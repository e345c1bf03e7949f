"""Thirty-two clients recording the same stage of the learning programme at the same moment,
through the served app: one record is stored, the others refused; and without the unique index
on PostgreSQL the same requests store duplicates (the negative control)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import text

from dutyservice.db import Database
from dutyservice.duties.models import Officer

from ..support import databases
from ..support.builders import Builder
from .conftest import negative_control, served
from .test_races import CLIENTS, all_at_once, assert_race_shows_within_rounds, count

LIVE_APS = (
    "SELECT count(*) FROM learning_records "
    "WHERE officer_id = :id AND stage = 'APS' AND revoked_on IS NULL"
)


def stage_race(server: str, build: Builder, officer: Officer) -> Counter[int]:
    headers = build.headers("supervisor")
    body = {"stage": "APS", "attained_on": "2026-01-05", "assessed_by": "PS Harper"}
    return all_at_once(
        server,
        lambda http, i: http.post(
            f"{server}/api/v1/officers/{officer.id}/learning",
            json={**body, "evidence_ref": f"OCP-{i}"},
            headers=headers,
            timeout=60,
        ),
    )


def recruit(build: Builder) -> Officer:
    return build.officer(joined_on=date(2025, 6, 1))


def test_thirty_two_simultaneous_records_of_a_stage_leave_one_live_record(
    app: Flask, server: str, build: Builder, db: Database
) -> None:
    officer = recruit(build)
    assert stage_race(server, build, officer) == Counter({201: 1, 422: CLIENTS - 1})
    assert count(db, LIVE_APS, id=officer.id) == 1


@pytest.fixture(scope="module")
def unguarded(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Database]]:
    """The served app on a PostgreSQL database of its own without the one-live-record index."""
    if not database_url.startswith("postgresql"):
        pytest.skip("on SQLite every write transaction is serialised: there is no race to see")
    url = databases.create_postgres_database()
    db = Database(url)
    try:
        databases.migrate_and_seed(url)
        with db.engine.begin() as connection:
            connection.execute(text("DROP INDEX uq_learning_records_officer_id_stage_area_live"))
        with served(url, tmp_path_factory.mktemp("unguarded-learning")) as base:
            yield base, db
    finally:
        db.dispose()
        databases.drop_postgres_database(url)


@negative_control
def test_without_the_unique_index_simultaneous_stage_records_store_duplicates(
    unguarded: tuple[str, Database],
) -> None:
    server, db = unguarded
    build = Builder(db)
    assert_race_shows_within_rounds(
        lambda: recruit(build),
        lambda officer: stage_race(server, build, officer),
        lambda officer: count(db, LIVE_APS, id=officer.id) > 1,
    )
