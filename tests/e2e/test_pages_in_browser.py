"""The pages in a real browser (headless Chromium) against `dutyservice serve`, on both
databases: a Special, a planner and an admin each doing their job from the pages alone."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from dutyservice.clock import LONDON, london_today
from dutyservice.db import Database
from dutyservice.events import service as events

from ..support.builders import ADMIN, Builder
from ..support.receiver import Receiver, receiver
from ..support.serving import on_a_thread
from ..web.pages import token
from .browser import (
    ModuleChromium,
    button,
    console,
    fill,
    module_chromium,
    policy_violations,
    require_chromium,
    set_local,
    start_chromium,
    submit,
    wait_until,
)
from .conftest import served

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="session")
def feed() -> Iterator[Receiver]:
    with receiver([]) as state:
        yield state


@pytest.fixture(scope="session")
def site(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, feed: Receiver
) -> Iterator[str]:
    with served(
        database_url,
        tmp_path_factory.mktemp("site"),
        DUTYSERVICE_SECRET_KEY="a key for the browser tests only",
        DUTYSERVICE_NPOCC_FEED_URL=feed.url,
        DUTYSERVICE_NPOCC_RETRIES="0",
    ) as base:
        yield base


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    path = tmp_path / "downloads"
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleChromium]:
    yield from module_chromium(tmp_path_factory.mktemp("chromium"))


@pytest.fixture(scope="module")
def chromium_without_javascript(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ModuleChromium]:
    yield from module_chromium(tmp_path_factory.mktemp("chromium"), javascript=False)


def _browser(chromium: ModuleChromium, site: str, downloads: Path) -> Iterator[WebDriver]:
    """The module's browser for one test; at its end, the pages it showed broke no rule of
    their content security policy (Chromium reports each refusal in its console)."""
    driver = chromium.fresh(site, downloads)
    yield driver
    assert policy_violations(console(driver)) == []


@pytest.fixture
def browser(
    chromium: ModuleChromium, site: str, downloads: Path, app: object
) -> Iterator[WebDriver]:
    yield from _browser(chromium, site, downloads)


@pytest.fixture
def browser_without_javascript(
    chromium_without_javascript: ModuleChromium, site: str, downloads: Path, app: object
) -> Iterator[WebDriver]:
    yield from _browser(chromium_without_javascript, site, downloads)


def sign_in(driver: WebDriver, site: str, secret: str) -> None:
    driver.get(f"{site}/app/sign-in")
    fill(driver, "Access token", secret)
    submit(driver, button(driver, "Sign in"))


def book(driver: WebDriver, starts: str, ends: str, location: str) -> None:
    """From the Special's page: *Book a duty*, then the date, the times and the place."""
    submit(driver, driver.find_element(By.LINK_TEXT, "Book a duty"))
    day, start_time = starts.split("T")
    year, month, date_of_month = day.split("-")
    for name, value in (
        ("date-day", date_of_month),
        ("date-month", month),
        ("date-year", year),
        ("start_time", start_time),
        ("end_time", ends.split("T")[1]),
    ):
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    fill(driver, "Location (optional)", location)
    submit(driver, button(driver, "Book"))


def banner(driver: WebDriver) -> str:
    return driver.find_element(By.CSS_SELECTOR, ".govuk-notification-banner").text


def _day(days: int) -> str:
    return (london_today() + timedelta(days=days)).isoformat()


def test_a_special_signs_in_books_a_duty_and_sees_it(
    browser: WebDriver, site: str, build: Builder, db: Database
) -> None:
    officer = build.officer(surname="Okafor", forenames="Jade")
    sign_in(browser, site, token(db, "special", officer=officer))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Jade Okafor"
    book(browser, f"{_day(5)}T18:00", f"{_day(5)}T23:30", "Market Square")
    assert "Booked: patrol," in banner(browser)
    assert "(5.5 hours)" in banner(browser)
    duties = browser.find_element(By.ID, "coming").text
    assert "Market Square" in duties
    assert "5.5 hours" in duties


def test_an_overlapping_booking_is_refused_with_its_reason(
    browser: WebDriver, site: str, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(browser, site, token(db, "special", officer=officer))
    book(browser, f"{_day(6)}T18:00", f"{_day(6)}T23:00", "Station")
    book(browser, f"{_day(6)}T20:00", f"{_day(6)}T22:00", "Elsewhere")
    refusal = browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "There is a problem" in refusal
    assert "You already have a duty then" in refusal
    browser.get(f"{site}/app/")
    assert "Elsewhere" not in browser.find_element(By.ID, "coming").text


def test_a_planner_sees_the_deployable_table_and_chart_and_downloads_the_csv(
    browser: WebDriver, site: str, build: Builder, db: Database, downloads: Path
) -> None:
    since = london_today() - timedelta(days=30)
    build.ips_officer(since=since, surname="Patel", forenames="Ravi", warrant_number="C7")
    build.ips_officer(since=since, surname="Quinn", forenames="Mo", warrant_number="C8")
    build.ips_officer("norfolk", since=since, surname="Farrow", warrant_number="N1")
    sign_in(browser, site, token(db, "planner"))
    browser.get(f"{site}/app/deployable")
    set_local(browser, "From (London time)", f"{_day(3)}T18:00")
    set_local(browser, "To (London time)", f"{_day(4)}T02:00")
    submit(browser, button(browser, "Show who is deployable"))
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert [r.find_element(By.TAG_NAME, "th").text.split("\n")[0] for r in rows] == [
        "Ravi Patel",
        "Mo Quinn",
    ]
    assert "Farrow" not in browser.page_source
    bars = browser.find_elements(By.CSS_SELECTOR, "#by-force li")
    assert [b.text for b in bars] == ["Cambridgeshire Constabulary: 2"]
    assert float(bars[0].find_element(By.TAG_NAME, "rect").get_attribute("width") or 0) > 0

    browser.find_element(By.LINK_TEXT, "Download as CSV").click()
    wait_until(browser, lambda _: list(downloads.glob("deployable-*.csv")))
    [saved] = downloads.glob("deployable-*.csv")
    table = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert [(r["officer_ref"], r["name"]) for r in table] == [
        ("cambridgeshire-C7", "Ravi Patel"),
        ("cambridgeshire-C8", "Mo Quinn"),
    ]


def test_an_admin_sends_a_failed_return_again(
    browser: WebDriver, site: str, build: Builder, db: Database, feed: Receiver
) -> None:
    build.ips_officer(since=london_today() - timedelta(days=400))
    admin = token(db, "admin")
    feed.script[:] = [("status", 400)]  # the first delivery is refused by NPoCC
    made = requests.post(
        f"{site}/api/v1/npocc/returns",
        json={"quarter": "2025-Q3", "force": "cambridgeshire"},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=30,
    )
    assert made.status_code == 201
    assert made.json()["items"][0]["status"] == "failed"
    return_id = made.json()["items"][0]["return_id"]

    sign_in(browser, site, admin)
    browser.get(f"{site}/app/returns?quarter=2025-Q3")
    row = browser.find_element(By.XPATH, f"//tr[th[contains(., '{return_id}')]]")
    assert "Failed" in row.text
    assert "400" in row.text
    submit(browser, button(browser, f"Send {return_id} again"))
    assert f"{return_id}: delivered." in banner(browser)
    row = browser.find_element(By.XPATH, f"//tr[th[contains(., '{return_id}')]]")
    assert "Delivered" in row.text


def test_everything_works_with_javascript_off(
    browser_without_javascript: WebDriver, site: str, build: Builder, db: Database
) -> None:
    driver = browser_without_javascript
    driver.get("data:text/html,<title>before</title><script>document.title='ran'</script>")
    assert driver.title == "before"  # the harness really has scripts off
    officer = build.officer(surname="Nojs", forenames="Ari")
    sign_in(driver, site, token(db, "special", officer=officer))
    book(driver, f"{_day(8)}T10:00", f"{_day(8)}T14:00", "Bus station")
    assert "Bus station" in driver.find_element(By.ID, "coming").text
    submit(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Cancel"))
    submit(driver, button(driver, "Yes, cancel this duty"))
    assert "Cancelled the patrol duty." in banner(driver)
    submit(driver, button(driver, "Sign out"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Sign in"


def test_a_specials_page_fits_a_360_pixel_phone(
    browser: WebDriver, site: str, build: Builder, db: Database
) -> None:
    officer = build.officer(surname="Phone", forenames="Sasha")
    build.duty(officer, evening_in(2))
    sign_in(browser, site, token(db, "special", officer=officer))
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True},
    )
    browser.get(f"{site}/app/")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"special-page-360px-{db.dialect}.png"
    assert browser.get_screenshot_as_file(str(shot))
    assert shot.stat().st_size > 0


def evening_in(days: int) -> datetime:
    day = london_today() + timedelta(days=days)
    return datetime.combine(day, time(19), tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def framing_site(site: str) -> Iterator[str]:
    """Another origin (another port) whose page frames a Special's page, with its buttons."""
    page = f'<title>framer</title><iframe id="framed" src="{site}/app/"></iframe>'.encode()

    class Framer(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Framer)
    with on_a_thread(server):
        yield f"http://127.0.0.1:{server.server_address[1]}/"


def test_another_site_cannot_frame_the_one_click_buttons(
    tmp_path: Path, downloads: Path, framing_site: str, site: str, build: Builder, db: Database
) -> None:
    require_chromium()
    driver = start_chromium(tmp_path / "profile", downloads)
    try:
        officer = build.officer(surname="Framed", forenames="Kit")
        build.duty(officer, evening_in(3))
        sign_in(driver, site, token(db, "special", officer=officer))
        assert button(driver, "Make a new calendar address")  # what a framing page would click
        driver.get(framing_site)
        frame = wait_until(driver, lambda d: d.find_element(By.ID, "framed"))
        refusals = wait_until(driver, lambda d: policy_violations(console(d)))
        assert any("frame-ancestors 'none'" in refusal for refusal in refusals), refusals
        driver.switch_to.frame(frame)
        assert driver.find_elements(By.TAG_NAME, "button") == []
        assert "Kit Framed" not in driver.page_source
    finally:
        driver.quit()


def test_a_planner_asks_the_deployable_page_for_officers_at_dps_and_downloads_them(
    browser: WebDriver, site: str, build: Builder, db: Database, downloads: Path
) -> None:
    since = london_today() - timedelta(days=90)
    build.dps_officer(since=since, surname="Dee", forenames="Ali", warrant_number="D7")
    build.ips_officer(since=since, surname="Ipps", forenames="Jo", warrant_number="I7")
    sign_in(browser, site, token(db, "planner"))
    browser.get(f"{site}/app/deployable")
    set_local(browser, "From (London time)", f"{_day(3)}T18:00")
    set_local(browser, "To (London time)", f"{_day(4)}T02:00")
    Select(browser.find_element(By.ID, "f-stage")).select_by_value("DPS")
    submit(browser, button(browser, "Show who is deployable"))
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert [r.find_element(By.TAG_NAME, "th").text.split("\n")[0] for r in rows] == ["Ali Dee"]
    browser.find_element(By.LINK_TEXT, "Download as CSV").click()
    wait_until(browser, lambda _: list(downloads.glob("deployable-*.csv")))
    [saved] = downloads.glob("deployable-*.csv")
    table = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert [r["officer_ref"] for r in table] == ["cambridgeshire-D7"]


def test_the_mutual_aid_page_fits_a_360_pixel_phone_and_releases_a_request(
    browser: WebDriver, site: str, build: Builder, db: Database
) -> None:
    starts = evening_in(10)
    event = events.create_event(
        db,
        ADMIN,
        {
            "force": "cambridgeshire",
            "title": "Operation Harvest: crowd safety at the county show",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=6),
            "capacity": 4,
            "signup_deadline": starts - timedelta(days=1),
            "open_to": "national",
            "duty_type": "event",
            "description": "",
            "location": "Ely, Cambridgeshire",
            "version": 1,
        },
    )
    officer = build.officer("norfolk", surname="Wolstenholme-Featherstonehaugh", forenames="Vera")
    build.duty(officer, starts - timedelta(days=1))
    events.sign_up(db, ADMIN, event.id, officer.id)
    sign_in(browser, site, token(db, "supervisor", "norfolk"))
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True},
    )
    browser.get(f"{site}/app/aid")
    assert "Vera Wolstenholme-Featherstonehaugh" in browser.page_source
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"aid-page-360px-{db.dialect}.png"
    assert browser.get_screenshot_as_file(str(shot))
    submit(browser, button(browser, "Release"))
    wait_until(browser, lambda d: "Released: the duty is booked" in d.page_source)
    assert "No requests are awaiting your force." in browser.page_source
