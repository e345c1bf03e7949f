"""Signing in to the pages with the force's account, in a real browser, through a real identity
provider (authorization code with PKCE), on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import text

from dutyservice.db import Database

from ..support.builders import Builder
from ..support.oidc_provider import (
    API_AUDIENCE,
    CLIENT_ID,
    CLIENT_SECRET,
    OidcProvider,
    person_claims,
)
from .browser import (
    ModuleChromium,
    button,
    console,
    module_chromium,
    policy_violations,
    submit,
    wait_until,
)
from .conftest import served
from .test_pages_in_browser import _day, book

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="session")
def site_with_sign_in(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, identity_provider: OidcProvider
) -> Iterator[str]:
    with served(
        database_url,
        tmp_path_factory.mktemp("sign-in-site"),
        DUTYSERVICE_SECRET_KEY="a key for the sign-in tests only",
        DUTYSERVICE_OIDC_ISSUER=identity_provider.issuer,
        DUTYSERVICE_OIDC_AUDIENCE=API_AUDIENCE,
        DUTYSERVICE_OIDC_CLIENT_ID=CLIENT_ID,
        DUTYSERVICE_OIDC_CLIENT_SECRET=CLIENT_SECRET,
    ) as base:
        yield base


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleChromium]:
    yield from module_chromium(tmp_path_factory.mktemp("chromium"))


@pytest.fixture
def browser(
    chromium: ModuleChromium, site_with_sign_in: str, tmp_path: Path, app: object
) -> Iterator[WebDriver]:
    driver = chromium.fresh(site_with_sign_in, tmp_path)
    yield driver
    assert policy_violations(console(driver)) == []  # the pages keep their policy


def test_a_special_signs_in_with_the_force_account_books_and_is_named_in_the_audit_trail(
    browser: WebDriver,
    site_with_sign_in: str,
    identity_provider: OidcProvider,
    build: Builder,
    db: Database,
) -> None:
    identity_provider.reset()
    officer = build.officer(surname="Blake", forenames="Jo", warrant_number="SC900")
    identity_provider.user = person_claims(
        "special", force="cambridgeshire", warrant_number="SC900", name="SC Jo Blake"
    )
    browser.get(f"{site_with_sign_in}/app/sign-in")
    browser.find_element(By.LINK_TEXT, "Sign in with your force account").click()
    wait_until(browser, lambda d: d.current_url == f"{site_with_sign_in}/app/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Jo Blake"
    assert browser.find_element(By.CSS_SELECTOR, ".app-who").text == "SC Jo Blake"

    book(browser, f"{_day(5)}T18:00", f"{_day(5)}T22:00", "Parkside")
    assert "Booked" in browser.find_element(By.CSS_SELECTOR, ".govuk-notification-banner").text
    with db.engine.connect() as connection:
        entry = connection.execute(
            text(
                "SELECT role, token_id, subject, subject_name FROM audit_entries "
                "WHERE action = 'duty.book' AND officer_id = :id"
            ),
            {"id": officer.id},
        ).one()
    assert tuple(entry) == ("special", None, identity_provider.user["sub"], "SC Jo Blake")

    submit(browser, button(browser, "Sign out"))
    browser.get(f"{site_with_sign_in}/app/")
    assert browser.current_url.startswith(f"{site_with_sign_in}/app/sign-in")


def test_a_person_without_a_role_is_refused_and_not_signed_in(
    browser: WebDriver, site_with_sign_in: str, identity_provider: OidcProvider
) -> None:
    identity_provider.reset()
    identity_provider.user = person_claims(None, force="cambridgeshire")
    browser.get(f"{site_with_sign_in}/app/sign-in")
    browser.find_element(By.LINK_TEXT, "Sign in with your force account").click()
    wait_until(browser, lambda d: "/app/sign-in/callback" in d.current_url)
    refusal = browser.find_element(By.TAG_NAME, "body").text
    assert '"status": 403' in refusal, refusal
    assert "role" in refusal, refusal
    browser.get(f"{site_with_sign_in}/app/")
    assert browser.current_url.startswith(f"{site_with_sign_in}/app/sign-in")
