"""Every page in a real Chromium at 360 and 1280 px, for each role that uses it: no sideways
scrolling, no serious or critical axe-core finding; and a Special booking on a phone: by
keyboard alone, in at most six interactions from sign-in, told why a booking is refused in the
first screen, and reading their page offline through the service worker."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

from dutyservice.clock import LONDON, london_today
from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.events import service as events

from ..support.builders import ADMIN, Builder
from ..web.pages import token
from .browser import (
    DESKTOP,
    PHONE,
    ModuleChromium,
    fill,
    module_chromium,
    overflow,
    require_axe,
    require_chromium,
    serious_violations,
    set_width,
    start_chromium,
    submit,
    wait_until,
)
from .conftest import served

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="session")
def phone_site(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(
        database_url,
        tmp_path_factory.mktemp("phone-site"),
        DUTYSERVICE_SECRET_KEY="a key for the phone tests only",
    ) as base:
        yield base


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleChromium]:
    yield from module_chromium(tmp_path_factory.mktemp("chromium"))


@pytest.fixture
def browser(chromium: ModuleChromium, phone_site: str, tmp_path: Path, app: object) -> WebDriver:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    return chromium.fresh(phone_site, downloads)


@pytest.fixture
def own_browser(tmp_path: Path, app: object) -> Iterator[WebDriver]:
    """A browser of the test's own, for a test that leaves what `fresh` does not clear."""
    require_chromium()
    driver = start_chromium(tmp_path / "profile", tmp_path)
    try:
        yield driver
    finally:
        driver.quit()


def sign_in(driver: WebDriver, site: str, secret: str) -> None:
    driver.get(f"{site}/app/sign-in")
    fill(driver, "Access token", secret)
    submit(driver, driver.find_element(By.XPATH, "//button[normalize-space(.)='Sign in']"))


def at(days: int, hour: int) -> datetime:
    day = london_today() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC)


def an_event(db: Database, title: str = "Carnival", open_to: str = "force") -> int:
    starts = at(9, 10)
    return events.create_event(
        db,
        ADMIN,
        {
            "force": "cambridgeshire",
            "title": title,
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=6),
            "capacity": 4,
            "signup_deadline": starts - timedelta(days=1),
            "open_to": open_to,
            "duty_type": "event",
            "description": "Crowd safety along the route.",
            "location": "Parker's Piece",
            "version": 1,
        },
    ).id


def a_special(build: Builder, db: Database) -> tuple[Officer, int, int]:
    """A Special with a duty ended long ago (to complete) and one to come, and an event."""
    officer = build.officer(surname="Phone", forenames="Sasha")
    old = build.duty(officer, at(-40, 18), hours=5)
    build.duty(officer, at(2, 18), hours=6)
    event = an_event(db)
    return officer, old.id, event


def check_page(driver: WebDriver, url: str, axe: str, where: str) -> dict[str, list[str]]:
    """The page at both widths: its overflow and its serious findings, by width."""
    found: dict[str, list[str]] = {}
    for size in (PHONE, DESKTOP):
        set_width(driver, size)
        driver.get(url)
        wait_until(driver, lambda d: d.find_element(By.TAG_NAME, "main"))
        name = f"{where} at {size[0]} px"
        wider = overflow(driver)
        found[name] = ([f"{wider} px of sideways scrolling"] if wider > 0 else []) + (
            serious_violations(driver, axe)
        )
    return found


def test_the_next_test_gets_the_browser_as_new(
    chromium: ModuleChromium, phone_site: str, tmp_path: Path, build: Builder, db: Database
) -> None:
    """The module's one Chromium keeps nothing of a test for the next: not its sign-in, its
    service worker, its stored data nor its width."""
    officer, _, _ = a_special(build, db)
    first = chromium.fresh(phone_site, tmp_path)
    sign_in(first, phone_site, token(db, "special", officer=officer))
    set_width(first, PHONE)
    first.get(f"{phone_site}/app/")
    wait_until(first, lambda d: d.execute_async_script(REGISTRATIONS))
    first.execute_script("localStorage.setItem('left', 'behind')")
    starts = chromium.starts

    second = chromium.fresh(phone_site, tmp_path)
    second.get(f"{phone_site}/readyz")  # a page of the site that registers no worker
    workers = second.execute_async_script(REGISTRATIONS)
    stored = second.execute_script("return localStorage.getItem('left')")
    width = second.execute_script("return window.innerWidth")
    cookies = second.get_cookies()
    second.get(f"{phone_site}/app/")

    assert chromium.starts == starts  # the same browser
    assert (workers, stored, width, cookies) == (0, None, DESKTOP[0], [])
    assert second.find_element(By.TAG_NAME, "h1").text == "Sign in"


# how many service workers the page's origin has registered
REGISTRATIONS = (
    "const done = arguments[arguments.length - 1];"
    "navigator.serviceWorker.getRegistrations().then(r => done(r.length))"
)


def test_every_page_fits_a_phone_and_axe_finds_nothing_serious(
    browser: WebDriver, phone_site: str, build: Builder, db: Database
) -> None:
    axe = require_axe()
    officer, old, event = a_special(build, db)
    build.ips_officer(since=london_today() - timedelta(days=30), surname="Patel")
    day = (london_today() + timedelta(days=3)).isoformat()
    window = f"from={day}T18:00&to={day}T23:00"
    pages = {
        None: ["/app/sign-in", "/app/no-such-page", "/app/privacy", "/app/accessibility"],
        "special": [
            "/app/",
            f"/app/events/{event}",
            "/app/duties/new",
            f"/app/duties/{old}/complete",
            f"/app/duties/{old}/cancel",
            "/app/events",
        ],
        "planner": [f"/app/deployable?{window}", "/app/readiness", "/app/", "/app/events"],
        "supervisor": ["/app/", f"/app/?officer_id={officer.id}", "/app/events"],
        "admin": ["/app/returns", "/app/deployable", "/app/readiness?force=cambridgeshire"],
    }
    findings: dict[str, list[str]] = {}
    for role, paths in pages.items():
        browser.delete_all_cookies()
        if role:
            sign_in(browser, phone_site, token(db, role, officer=officer))
        for path in paths:
            findings |= check_page(browser, phone_site + path, axe, f"{role or 'anyone'} {path}")
    # the confirmation before withdrawing, once signed up
    browser.delete_all_cookies()
    sign_in(browser, phone_site, token(db, "special", officer=officer))
    browser.get(f"{phone_site}/app/events")
    submit(browser, browser.find_element(By.XPATH, "//button[contains(., 'Sign up for')]"))
    path = f"/app/events/{event}/withdraw"
    findings |= check_page(browser, phone_site + path, axe, f"special {path}")
    # mutual aid: another force's officer asks to join a national call-out; their force answers
    aid_event = an_event(db, "County show", open_to="national")
    asking = build.officer("norfolk", surname="Okoro", forenames="Dami")
    events.sign_up(db, ADMIN, aid_event, asking.id)
    browser.delete_all_cookies()
    sign_in(browser, phone_site, token(db, "supervisor", "norfolk"))
    aid_pages = ["/app/aid", f"/app/aid/{aid_event}/{asking.id}/decline"]
    for path in aid_pages:
        findings |= check_page(browser, phone_site + path, axe, f"norfolk supervisor {path}")
    report = {page: problems for page, problems in findings.items() if problems}
    assert report == {}, "\n".join(f"{p}: {'; '.join(v)}" for p, v in report.items())
    assert len(findings) == 2 * (sum(len(p) for p in pages.values()) + 1 + len(aid_pages))


def booking_fields(driver: WebDriver) -> None:
    for name in ("date-day", "start_time", "end_time"):
        driver.find_element(By.NAME, name)


def test_a_special_books_from_sign_in_in_six_interactions_on_a_phone(
    browser: WebDriver, phone_site: str, build: Builder, db: Database
) -> None:
    officer, _, _ = a_special(build, db)
    secret = token(db, "special", officer=officer)
    set_width(browser, PHONE)
    browser.get(f"{phone_site}/app/")  # sent to sign in
    interactions = 0

    def act(action: object) -> None:
        nonlocal interactions
        interactions += 1

    browser.find_element(By.NAME, "token").send_keys(secret)
    act("type the token")
    submit(browser, browser.find_element(By.XPATH, "//button[normalize-space(.)='Sign in']"))
    act("sign in")
    book = browser.find_element(By.LINK_TEXT, "Book a duty")
    assert book.rect["y"] + book.rect["height"] <= PHONE[1], "Book a duty is below the fold"
    submit(browser, book)
    act("open the booking form")
    browser.find_element(By.NAME, "start_time").send_keys("09:00")
    act("type the start")
    browser.find_element(By.NAME, "end_time").send_keys("13:00")
    act("type the end")
    submit(browser, browser.find_element(By.XPATH, "//button[normalize-space(.)='Book']"))
    act("book")
    banner = browser.find_element(By.CSS_SELECTOR, ".govuk-notification-banner--success").text
    tomorrow = london_today() + timedelta(days=1)
    assert f"Booked: patrol, {tomorrow:%A} {tomorrow.day} {tomorrow:%B} 09:00 to 13:00" in banner
    assert interactions <= 6


def test_a_special_books_with_the_keyboard_alone(
    browser: WebDriver, phone_site: str, build: Builder, db: Database
) -> None:
    officer, _, _ = a_special(build, db)
    sign_in(browser, phone_site, token(db, "special", officer=officer))
    browser.get(f"{phone_site}/app/")
    body = browser.find_element(By.TAG_NAME, "body")
    for presses in range(1, 30):
        body.send_keys(Keys.TAB) if presses == 1 else active(browser).send_keys(Keys.TAB)
        if active(browser).text == "Book a duty":
            break
    else:
        pytest.fail("Tab never reached Book a duty")
    browser.execute_script("window.__awaitingAnswer = true")
    active(browser).send_keys(Keys.ENTER)
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.NAME, "start_time"))
    tabbed = 0
    while active(browser).get_attribute("name") != "date-day":
        active(browser).send_keys(Keys.TAB)
        tabbed += 1
        assert tabbed < 15, "Tab never reached the date"
    day = london_today() + timedelta(days=4)
    values = (str(day.day), str(day.month), str(day.year), "19:00", "23:30")
    for index, value in enumerate(values):
        field = active(browser)
        field.send_keys(Keys.CONTROL, "a")
        last = index == len(values) - 1
        field.send_keys(value, Keys.ENTER if last else Keys.TAB)  # Enter submits the form
    WebDriverWait(browser, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".govuk-notification-banner--success")
    )
    coming = browser.find_element(By.ID, "coming").text
    assert f"{day:%A} {day.day} {day:%B} 19:00 to 23:30" in coming


def active(driver: WebDriver) -> WebElement:
    return driver.switch_to.active_element


def test_a_refused_booking_shows_why_in_the_first_screen_with_the_focus_on_it(
    browser: WebDriver, phone_site: str, build: Builder, db: Database
) -> None:
    officer, _, _ = a_special(build, db)
    sign_in(browser, phone_site, token(db, "special", officer=officer))
    set_width(browser, PHONE)
    browser.get(f"{phone_site}/app/duties/new")
    day = london_today() + timedelta(days=2)  # the coming duty is 18:00 to midnight that day
    for name, value in (("date-day", str(day.day)), ("start_time", "20:00"), ("end_time", "22:00")):
        field = browser.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    submit(browser, browser.find_element(By.XPATH, "//button[normalize-space(.)='Book']"))
    summary = browser.find_element(By.CSS_SELECTOR, ".govuk-error-summary")
    wait_until(browser, lambda d: active(d) == summary)
    assert summary.rect["y"] + summary.rect["height"] <= PHONE[1]
    assert summary.find_elements(By.CSS_SELECTOR, "[role=alert]")
    said = summary.text
    assert (
        f"You already have a duty then: patrol, {day:%A} {day.day} {day:%B} 18:00 to midnight"
        in said
    )
    link = summary.find_element(By.TAG_NAME, "a")
    link.click()
    assert active(browser).get_attribute("name") == "date-day"
    keep(browser, "booking-error-360px", db)


def keep(driver: WebDriver, name: str, db: Database) -> None:
    """A screenshot for docs/pages.md, kept in artifacts/ (docs/ holds the chosen ones)."""
    ARTIFACTS.mkdir(exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0)")
    shot = ARTIFACTS / f"{name}-{db.dialect}.png"
    assert driver.get_screenshot_as_file(str(shot))
    assert shot.stat().st_size > 0


def test_the_specials_page_and_the_deployable_page_are_shot_at_phone_width(
    browser: WebDriver, phone_site: str, build: Builder, db: Database
) -> None:
    officer, _, _ = a_special(build, db)
    build.duty(officer, at(-70, 9), hours=8, complete=True)
    sign_in(browser, phone_site, token(db, "special", officer=officer))
    set_width(browser, PHONE)
    browser.get(f"{phone_site}/app/")
    keep(browser, "special-page-360px", db)
    build.ips_officer(since=london_today() - timedelta(days=30), surname="Patel")
    browser.delete_all_cookies()
    sign_in(browser, phone_site, token(db, "planner"))
    day = (london_today() + timedelta(days=3)).isoformat()
    browser.get(f"{phone_site}/app/deployable?from={day}T18:00&to={day}T23:00")
    assert "Cambridgeshire Constabulary: 1" in browser.find_element(By.ID, "by-force").text
    keep(browser, "deployable-360px", db)


def test_the_specials_page_can_be_read_offline_through_the_service_worker(
    own_browser: WebDriver,
    database_url: str,
    tmp_path: Path,
    build: Builder,
    db: Database,
) -> None:
    """The phone loses its connection: Chromium's network emulation takes the page offline,
    and the service itself stops answering (the emulation does not reach the worker's own
    requests), so nothing but the worker's copy can answer."""
    # the worker of a server of its own (another origin) is left registered
    browser = own_browser
    officer, _, _ = a_special(build, db)
    with served(database_url, tmp_path / "server", DUTYSERVICE_SECRET_KEY="offline") as site:
        sign_in(browser, site, token(db, "special", officer=officer))
        set_width(browser, PHONE)
        browser.get(f"{site}/app/")

        def controlled(d: WebDriver) -> bool:
            """Whether the worker controls the page yet; if not, the page is loaded again."""
            if d.execute_script("return !!navigator.serviceWorker.controller"):
                return True
            d.refresh()
            return False

        wait_until(browser, controlled)
        browser.refresh()  # read once under the worker, so that it keeps the page
        stamp = browser.find_element(By.CSS_SELECTOR, "[data-fetched-at]").text
        manifest = browser.execute_cdp_cmd("Page.getAppManifest", {})
        assert manifest["url"] == f"{site}/app/manifest.webmanifest"
        assert manifest["errors"] == []
        assert "Special Constabulary duties" in manifest["data"]
        installable = browser.execute_cdp_cmd("Page.getInstallabilityErrors", {})
        assert installable["installabilityErrors"] == []
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    browser.get(f"{site}/app/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sasha Phone"
    note = browser.find_element(By.ID, "offline-note")
    wait_until(browser, lambda _: note.is_displayed())
    assert f"as of {stamp.removeprefix('As of ')}" in note.text
    assert "need a connection" in note.text
    assert "Patrol" in browser.find_element(By.ID, "coming").text
    browser.get(f"{site}/app/duties/new")  # never kept, and nothing else answers
    assert browser.find_element(By.TAG_NAME, "h1").text == "No connection"


def copy_shots_to_docs() -> None:  # pragma: no cover - run by hand when the pages change
    for name in ("special-page-360px", "booking-error-360px", "deployable-360px"):
        shutil.copy(ARTIFACTS / f"{name}-sqlite.png", ARTIFACTS.parent / "docs" / f"{name}.png")
