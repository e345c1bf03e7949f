"""The privacy notice and accessibility statement (readable by anyone, linked from every
page), and a Special's download of everything held about them."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from dutyservice.config import Settings
from dutyservice.db import Database
from tests.support.builders import Builder
from tests.web.pages import sign_in, token


def test_the_privacy_and_accessibility_pages_need_no_sign_in(client: FlaskClient) -> None:
    privacy = client.get("/app/privacy")
    assert privacy.status_code == 200
    text = privacy.get_data(as_text=True)
    assert "How long we keep it" in text
    assert "6 full years after you leave" in text
    statement = client.get("/app/accessibility")
    assert statement.status_code == 200
    assert "WCAG" in statement.get_data(as_text=True)


def test_the_privacy_page_gives_the_force_s_contact_and_retention_from_its_settings(
    app: Flask, client: FlaskClient
) -> None:
    state = app.extensions["dutyservice"]
    kept = state.settings
    state.settings = kept.replace(retention_years=7, privacy_contact="dpo@example.police.uk")
    try:
        text = client.get("/app/privacy").get_data(as_text=True)
    finally:
        state.settings = kept
    assert "7 full years" in text
    assert "dpo@example.police.uk" in text


def test_every_page_links_to_the_privacy_notice_and_the_accessibility_statement(
    client: FlaskClient, db: Database, build: Builder
) -> None:
    officer = build.ips_officer()
    for page in ("/app/sign-in", "/app/privacy"):
        text = client.get(page).get_data(as_text=True)
        assert 'href="/app/privacy"' in text
        assert 'href="/app/accessibility"' in text
    sign_in(client, token(db, "special", officer=officer))
    text = client.get("/app/").get_data(as_text=True)
    assert 'href="/app/privacy"' in text
    assert 'href="/app/accessibility"' in text


def test_a_special_downloads_everything_held_about_them_from_their_page(
    client: FlaskClient, db: Database, build: Builder
) -> None:
    officer = build.ips_officer(surname="Okafor")
    sign_in(client, token(db, "special", officer=officer))
    assert "Download a copy of your data" in client.get("/app/").get_data(as_text=True)
    download = client.get("/app/my-data.json")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"
    document = download.get_json()
    assert document["officer"]["surname"] == "Okafor"
    assert document["competencies"]


def test_a_special_cannot_download_another_officer_s_data(
    client: FlaskClient, db: Database, build: Builder
) -> None:
    officer, other = build.officer(), build.officer(surname="Other")
    sign_in(client, token(db, "special", officer=officer))
    assert client.get(f"/app/my-data.json?officer_id={other.id}").status_code == 404


def test_settings_read_the_retention_years_and_refuse_nonsense() -> None:
    import pytest

    assert Settings.from_environment({"DUTYSERVICE_RETENTION_YEARS": "6"}).retention_years == 6
    assert Settings.from_environment({}).retention_years is None
    with pytest.raises(ValueError, match="RETENTION_YEARS"):
        Settings.from_environment({"DUTYSERVICE_RETENTION_YEARS": "0"})
