"""Read transactions keep PostgreSQL's prepared statements: the deployable query's planning
costs more than running it, and psycopg forgets every prepared statement on a rollback."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from dutyservice.auth.scope import Principal, Role
from dutyservice.db import Database
from dutyservice.duties.queries import load_officer
from dutyservice.errors import Conflict, NotFound
from dutyservice.events import service as events
from dutyservice.forces.queries import force_id_by_code
from dutyservice.ips import queries

from ..e2e.test_concurrent_signups import festival
from ..support.builders import ADMIN, Builder

NPOCC = Principal(token_id=None, role=Role.NPOCC, force_id=None, officer_id=None)


def _ask_deployable(db: Database, force: str | None = None) -> None:
    with db.reading() as session:
        queries.deployable(
            session,
            NPOCC,
            starts_at=datetime(2026, 12, 24, 19, tzinfo=UTC),
            ends_at=datetime(2026, 12, 25, 3, tzinfo=UTC),
            force=force,
            mercury_ref=135,
            version=1,
            available_only=False,
            page=1,
            per_page=50,
        )


def _deployable_prepared(db: Database) -> list[str]:
    """The deployable statements the connection the next read gets has prepared."""
    with db.reading() as session:
        return list(
            session.scalars(
                text(
                    "SELECT statement FROM pg_prepared_statements "
                    "WHERE statement LIKE '%eligibility_spans%'"
                )
            )
        )


def test_a_repeated_deployable_query_runs_prepared(db: Database, postgres_only: None) -> None:
    # Enough reads for every pooled connection to pass psycopg's threshold of five runs.
    for _ in range(100):
        _ask_deployable(db)
    assert _deployable_prepared(db), "the deployable query is planned afresh on every run"


def test_a_planner_asking_again_gets_the_connection_that_prepared_the_question(
    db: Database, postgres_only: None
) -> None:
    """The pool hands out the connection used last: handed out in turn, five connections
    would each have run the question once or twice after six requests, none prepared."""
    alone = Database(db.url)
    try:
        held = [alone.engine.connect() for _ in range(5)]  # the pool keeps five connections
        for connection in held:
            connection.close()
        for _ in range(6):  # psycopg prepares a statement on its fifth run on a connection
            _ask_deployable(alone)
        assert _deployable_prepared(alone), "the sixth request ran on an unsettled connection"
    finally:
        alone.dispose()


def test_each_forces_question_is_prepared_with_its_force_written_in(
    db: Database, postgres_only: None
) -> None:
    """A plan for any force would guess how many officers it has: each force's question is a
    statement of its own, the force's id written in, prepared and planned apart."""
    alone = Database(db.url)  # used from one thread: one connection, whose statements we see
    try:
        with alone.reading() as session:
            ids = {code: force_id_by_code(session, code) for code in ("cambridgeshire", "kent")}
        for _ in range(6):  # psycopg prepares a statement on its fifth run on a connection
            for code in ids:
                _ask_deployable(alone, code)
        prepared = _deployable_prepared(alone)
        for force_id in ids.values():
            written_in = f"eligibility_spans.force_id = {force_id}"
            assert [s for s in prepared if written_in in s], force_id
    finally:
        alone.dispose()


def test_a_refused_read_and_a_refused_sign_up_keep_the_prepared_statements(
    db: Database, build: Builder, postgres_only: None
) -> None:
    """A request refused (404, a full event's 409) ends its transaction with COMMIT: with a
    ROLLBACK, psycopg would forget what the connection had prepared, and a call-out storm,
    three answers in four refusals, would plan its statements afresh again and again."""
    first, second = build.officer(), build.officer()
    event = festival(db, capacity=1)
    events.sign_up(db, ADMIN, event.id, first.id)
    alone = Database(db.url)  # used from one thread: one connection, whose statements we see
    try:
        for _ in range(10):
            with alone.reading() as session:
                load_officer(session, ADMIN, first.id)
        before = _prepared(alone)
        assert before, "nothing was prepared to keep"
        for _ in range(3):
            with pytest.raises(NotFound), alone.reading() as session:
                load_officer(session, ADMIN, second.id + 10_000)
            with pytest.raises(Conflict, match="full"):
                events.sign_up(alone, ADMIN, event.id, second.id)
        assert before <= _prepared(alone)
    finally:
        alone.dispose()


def _prepared(db: Database) -> set[str]:
    with db.reading() as session:
        return set(session.scalars(text("SELECT statement FROM pg_prepared_statements")))
