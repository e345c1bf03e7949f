"""Fixtures: every integration test runs on SQLite and on PostgreSQL, migrated once per run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dutyservice import AppState, create_app
from dutyservice.config import Settings
from dutyservice.db import Database

from .support import databases, oidc_provider
from .support.builders import Builder
from .support.oidc_provider import OidcProvider


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_postgres_ran] = False
    databases.no_disk_waits_on_sqlite()


_postgres_ran = pytest.StashKey[bool]()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = databases.sqlite_url(tmp_path_factory.mktemp("sqlite"))
        databases.migrate_and_seed(url)
        yield url
        return
    reason = databases.postgres_reachable()
    if reason:
        if databases.REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required for this run: {reason}")
        pytest.skip(reason)
    url = databases.create_postgres_database(settings=databases.SCRATCH_SETTINGS)
    try:
        databases.migrate_and_seed(url)
        yield url
    finally:
        databases.drop_postgres_database(url)


@pytest.fixture(scope="session")
def identity_provider() -> Iterator[OidcProvider]:
    """The force's identity provider: a real one on 127.0.0.1, trusted by the test app."""
    with oidc_provider.serving() as provider:
        yield provider


@pytest.fixture(scope="session")
def session_app(
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    identity_provider: OidcProvider,
) -> Iterator[Flask]:
    settings = Settings(
        database_url=database_url,
        export_dir=tmp_path_factory.mktemp("exports"),
        max_body_bytes=64_000,
        oidc_issuer=identity_provider.issuer,
        oidc_audience=oidc_provider.API_AUDIENCE,
    )
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["dutyservice"].db.dispose()


@pytest.fixture
def app(session_app: Flask, request: pytest.FixtureRequest) -> Flask:
    db = session_app.extensions["dutyservice"].db
    databases.empty_tables(db)
    if db.dialect == "postgresql":
        request.config.stash[_postgres_ran] = True
    return session_app


@pytest.fixture
def db(app: Flask) -> Database:
    state: AppState = app.extensions["dutyservice"]
    return state.db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def build(db: Database) -> Builder:
    return Builder(db)


@pytest.fixture
def postgres_only(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("this behaviour is PostgreSQL's")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    ran = session.config.stash.get(_postgres_ran, False)
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a worker of a parallel run tells the controller, which decides
        workeroutput["postgres_ran"] = ran
        return
    if databases.REQUIRE_POSTGRES and not ran and session.testscollected and exitstatus == 0:
        session.config.get_terminal_writer().line(
            "FAILED: DUTYSERVICE_REQUIRE_POSTGRES=1 but no test ran against PostgreSQL", red=True
        )
        session.exitstatus = 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A page driven in Chromium on PostgreSQL is left to CI (marked `ci`): the pages are the
    same on either database, the developer loop drives them on SQLite, which every machine
    has, and CI on both (docs/testing.md)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        if on_postgres and item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.ci)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """A parallel run's worker finished: whether it ran a test against PostgreSQL."""
    if getattr(node, "workeroutput", {}).get("postgres_ran"):
        node.config.stash[_postgres_ran] = True


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """How a parallel run (pytest-xdist, `-n`) hands tests to its workers."""
    from .support.parallel import ServersOnce

    return ServersOnce(config, log) if config.getvalue("dist") == "load" else None
