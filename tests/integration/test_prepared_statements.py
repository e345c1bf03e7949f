"""Read transactions keep PostgreSQL's prepared statements: the deployable query's planning
costs more than running it, and psycopg forgets every prepared statement on a rollback."""

from datetime import UTC, datetime

from sqlalchemy import text

from dutyservice.auth.scope import Principal, Role
from dutyservice.db import Database
from dutyservice.ips import queries


def test_a_repeated_deployable_query_runs_prepared(db: Database, postgres_only: None) -> None:
    npocc = Principal(token_id=None, role=Role.NPOCC, force_id=None, officer_id=None)
    # Enough reads for every pooled connection to pass psycopg's threshold of five runs.
    for _ in range(100):
        with db.reading() as session:
            queries.deployable(
                session,
                npocc,
                starts_at=datetime(2026, 12, 24, 19, tzinfo=UTC),
                ends_at=datetime(2026, 12, 25, 3, tzinfo=UTC),
                force=None,
                mercury_ref=135,
                version=1,
                available_only=False,
                page=1,
                per_page=50,
            )
    with db.reading() as session:
        prepared = session.execute(
            text("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%ips_grants%'")
        ).all()
    assert prepared, "the deployable query is planned afresh on every run"
