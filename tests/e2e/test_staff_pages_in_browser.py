"""The pages of supervisors, authorisers, planners, NPoCC and admins in a real Chromium at 360
and 1280 px, for each role that uses them: no sideways scrolling, no serious or critical
axe-core finding; an event set up and a quarter's returns made in the browser."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from dutyservice.clock import london_today
from dutyservice.db import Database

from ..support.builders import Builder
from ..web.pages import token
from .browser import DESKTOP, PHONE, fill, require_axe, set_width, submit
from .test_pages_on_a_phone import browser, check_page, chromium, keep, phone_site, sign_in

__all__ = ["browser", "chromium", "phone_site"]  # the fixtures, shared with the Special's pages
pytestmark = [pytest.mark.slow, pytest.mark.browser]


def button(driver: WebDriver, text: str) -> None:
    submit(driver, driver.find_element(By.XPATH, f"//button[normalize-space(.)='{text}']"))


def test_every_staff_page_fits_a_phone_and_axe_finds_nothing_serious(
    browser: WebDriver, phone_site: str, build: Builder, db: Database
) -> None:
    axe = require_axe()
    holder = build.ips_officer(since=date(2025, 1, 1), surname="Patel")
    lacking = build.officer(surname="Lacking")
    sign_in(browser, phone_site, token(db, "admin"))
    browser.get(f"{phone_site}/app/returns")
    fill(browser, "Quarter to make", "2025-Q3")
    button(browser, "Make the returns")  # so that the returns' table has rows
    day = (london_today() + timedelta(days=3)).isoformat()
    window = f"from={day}T18:00&to={day}T23:00"
    pages = {
        "supervisor": [
            "/app/events/new",
            "/app/officers",
            f"/app/officers/{holder.id}",
            f"/app/officers/{holder.id}/edit",
            "/app/readiness?base=Parkside&sort=ost&ost_until=2026-02-30",
        ],
        "authoriser": [
            f"/app/officers/{lacking.id}",
            f"/app/officers/{lacking.id}/ips/grant",
            f"/app/officers/{holder.id}/ips/withdraw",
        ],
        "planner": ["/app/officers?q=pat", f"/app/officers/{holder.id}"],
        "npocc": ["/app/returns?quarter=2025-Q3"],
        "admin": [
            f"/app/events/new?{window}&force=cambridgeshire",
            f"/app/deployable?{window}",
            f"/app/deployable?{window}&force=cambridgeshire&base=Parkside&sort=officer",
            "/app/officers?force=cambridgeshire",
            "/app/returns?quarter=2025-Q3",
            "/app/audit",
            "/app/audit?from-day=31&from-month=2&from-year=2026",
        ],
    }
    findings: dict[str, list[str]] = {}
    for role, paths in pages.items():
        browser.delete_all_cookies()
        sign_in(browser, phone_site, token(db, role))
        for path in paths:
            findings |= check_page(browser, phone_site + path, axe, f"{role} {path}")
    report = {page: problems for page, problems in findings.items() if problems}
    assert report == {}, "\n".join(f"{p}: {'; '.join(v)}" for p, v in report.items())
    assert len(findings) == 2 * sum(len(p) for p in pages.values())


def test_an_event_is_set_up_on_a_phone_and_a_refused_one_shows_the_error_summary(
    browser: WebDriver, phone_site: str, db: Database
) -> None:
    sign_in(browser, phone_site, token(db, "supervisor"))
    set_width(browser, PHONE)
    browser.get(f"{phone_site}/app/events/new")
    fill(browser, "Title", "Carnival call-out")
    button(browser, "Set up the event")
    banner = browser.find_element(By.CSS_SELECTOR, ".govuk-notification-banner--success")
    assert "Set up: Carnival call-out, 10 places." in banner.text
    assert "Carnival call-out" in browser.find_element(By.TAG_NAME, "main").text
    set_width(browser, DESKTOP)
    browser.get(f"{phone_site}/app/events/new")
    button(browser, "Set up the event")
    summary = browser.find_element(By.CSS_SELECTOR, ".govuk-error-summary")
    assert "Enter the title" in summary.text
    summary.find_element(By.LINK_TEXT, "Enter the title").click()
    assert browser.switch_to.active_element.get_attribute("name") == "title"


def test_call_out_these_officers_opens_the_event_form_with_the_window(
    browser: WebDriver, phone_site: str, build: Builder, db: Database
) -> None:
    build.ips_officer(since=date(2025, 1, 1), surname="Patel")
    sign_in(browser, phone_site, token(db, "admin"))
    day = london_today() + timedelta(days=3)
    browser.get(
        f"{phone_site}/app/deployable?from={day.isoformat()}T19:30&to={day.isoformat()}T23:00"
    )
    browser.find_element(By.LINK_TEXT, "Call out these officers").click()
    assert browser.find_element(By.NAME, "starts-day").get_attribute("value") == str(day.day)
    assert browser.find_element(By.NAME, "starts_time").get_attribute("value") == "19:30"
    assert browser.find_element(By.NAME, "ends_time").get_attribute("value") == "23:00"


def test_the_staff_pages_are_shot_at_phone_width(
    browser: WebDriver, phone_site: str, build: Builder, db: Database
) -> None:
    holder = build.ips_officer(since=date(2025, 1, 1), surname="Patel", forenames="Priya")
    lacking = build.officer(surname="Okafor", forenames="Jade")
    build.units(lacking, london_today() - timedelta(days=10), ("CD1", "BE2"))
    set_width(browser, PHONE)
    shots = {
        "supervisor": {
            "event-form": "/app/events/new",
            "officer-record": f"/app/officers/{holder.id}",
        },
        "authoriser": {"grant-ips": f"/app/officers/{lacking.id}/ips/grant"},
        "admin": {"audit": "/app/audit", "returns": "/app/returns?quarter=2025-Q3"},
    }
    for role, pages in shots.items():
        browser.delete_all_cookies()
        sign_in(browser, phone_site, token(db, role))
        for name, path in pages.items():
            browser.get(phone_site + path)
            assert browser.find_element(By.TAG_NAME, "h1").text
            keep(browser, f"{name}-360px", db)
