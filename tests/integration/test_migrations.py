"""Migrations run from empty to head on both databases, and agree with the models."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from dutyservice.db import Database, next_day
from dutyservice.migrate import upgrade
from dutyservice.models import Base

from ..support import databases


@pytest.fixture
def empty_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    if database_url.startswith("sqlite"):
        yield databases.sqlite_url(tmp_path)
        return
    url = databases.create_postgres_database()
    yield url
    databases.drop_postgres_database(url)


# SQLite's reflection skips expression indexes; the index is checked by name and expression below.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_upgrade_from_empty_to_head_gives_the_models_schema(empty_database: str) -> None:
    db = Database(empty_database)
    try:
        upgrade(db)
        with db.engine.connect() as connection:
            assert set(Base.metadata.tables) <= set(inspect(connection).get_table_names())
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
            expression_index: str = connection.execute(
                text(
                    "SELECT sql FROM sqlite_master WHERE name = :name"
                    if db.dialect == "sqlite"
                    else "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
                ),
                {"name": "ix_training_records_day_after_expiry"},
            ).scalar_one()
        assert differences == []
        # The eligibility rule's expression for the day after expiry, which the planner matches.
        compiled = str(next_day(text("expires_on")).compile(dialect=db.engine.dialect))
        assert compiled.strip("()") in expression_index, (compiled, expression_index)
        upgrade(db)  # a second upgrade is a no-op
    finally:
        db.dispose()


def test_postgres_has_the_duty_overlap_exclusion_constraint(
    db: Database, postgres_only: None
) -> None:
    with db.engine.connect() as connection:
        definition = connection.scalar(
            text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conname = 'ex_duties_no_overlap' AND contype = 'x'"
            )
        )
    assert definition is not None
    assert "tstzrange(starts_at, ends_at, '[)'::text) WITH &&" in definition
    assert "status" in definition
    assert "cancelled" in definition


def test_postgres_stores_instants_as_timestamptz(db: Database, postgres_only: None) -> None:
    with db.engine.connect() as connection:
        kind = connection.scalar(
            text(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'duties' AND column_name = 'starts_at'"
            )
        )
    assert kind == "timestamp with time zone"
