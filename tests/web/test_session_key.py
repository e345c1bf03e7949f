"""The key that signs the pages' sessions: configured, or made once beside a SQLite file."""

from __future__ import annotations

import stat
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from dutyservice.config import Settings
from dutyservice.web.secret import session_key


def test_a_configured_key_is_used_as_given() -> None:
    settings = Settings(database_url="postgresql+psycopg://x@h/db", secret_key="configured")
    assert session_key(settings) == "configured"


def test_with_sqlite_a_key_is_made_once_kept_beside_the_database_and_private(
    tmp_path: Path,
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'duties.db'}")
    first, again = session_key(settings), session_key(settings)
    kept = tmp_path / "duties.db.secret-key"
    assert first == again
    assert len(first) >= 40
    assert kept.read_text() == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["duties.db.secret-key"]


def test_with_postgresql_and_no_key_the_pages_refuse_to_start_a_session(
    client: FlaskClient,
) -> None:
    assert session_key(Settings(database_url="postgresql+psycopg://x@h/db")) == ""
    app = client.application
    kept, app.secret_key = app.secret_key, ""
    try:
        answer = client.get("/app/sign-in")
        assert answer.status_code == 503
        assert "DUTYSERVICE_SECRET_KEY" in answer.get_data(as_text=True)
        assert "Set-Cookie" not in answer.headers
    finally:
        app.secret_key = kept


def test_the_sign_in_page_offers_the_force_account_only_when_the_provider_is_configured(
    app: Flask, client: FlaskClient
) -> None:
    assert "Sign in with your force account" not in client.get("/app/sign-in").get_data(
        as_text=True
    )
    state = app.extensions["dutyservice"]
    original = state.settings
    state.settings = original.replace(
        oidc_issuer="https://login.example.test/tenant/v2.0", oidc_client_id="dutyservice"
    )
    try:
        page = client.get("/app/sign-in").get_data(as_text=True)
    finally:
        state.settings = original
    assert 'href="/app/sign-in/oidc"' in page
    assert "Sign in with your force account" in page
    assert "Sign in with an access token" in page  # tokens for development, behind a link
