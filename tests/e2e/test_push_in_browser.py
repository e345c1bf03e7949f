"""*Turn on notifications* in a real Chromium against `dutyservice serve`, on both databases.

What headless Chromium can be driven through here: the button, push.js loading with no error,
the permission, the application server key, the service worker at /app/sw.js with its scope,
and a push message given to that worker (DevTools' `ServiceWorker.deliverPushMessage`) shown
as the notification the service sent. What it cannot: a real subscription, which needs the
browser's own push service (Google's), unreachable from here; the API's handling of a
subscription is tested against a local push service in tests/notify.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from dutyservice.db import Database
from dutyservice.notify.webpush import new_private_key

from ..support.builders import Builder
from ..web.pages import token
from .browser import require_chromium, start_chromium
from .conftest import served
from .test_pages_in_browser import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# Installed before any script of each page: what went wrong, as a person's browser would log it.
WATCH = """
window.__problems = [];
window.addEventListener('error', function (e) { window.__problems.push('error: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) {
  window.__problems.push('rejection: ' + e.reason);
});
document.addEventListener('securitypolicyviolation', function (e) {
  window.__problems.push('CSP: ' + e.violatedDirective + ' ' + e.blockedURI);
});
var consoleError = console.error;
console.error = function () {
  window.__problems.push('console: ' + Array.prototype.join.call(arguments, ' '));
  consoleError.apply(console, arguments);
};
"""


@pytest.fixture(scope="module")
def site(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(
        database_url,
        tmp_path_factory.mktemp("push-site"),
        DUTYSERVICE_SECRET_KEY="a key for the push tests only",
        DUTYSERVICE_VAPID_PRIVATE_KEY=new_private_key(),
        DUTYSERVICE_VAPID_SUBJECT="mailto:specials@cambs.police.example",
    ) as base:
        yield base


@pytest.fixture
def browser(tmp_path: Path, app: object) -> Iterator[WebDriver]:
    require_chromium()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = start_chromium(tmp_path / "profile", downloads)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
    try:
        yield driver
    finally:
        driver.quit()


def problems(driver: WebDriver) -> Any:
    return driver.execute_script("return window.__problems")


def test_the_special_sees_turn_on_notifications_and_push_js_runs_without_errors(
    browser: WebDriver, site: str, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(browser, site, token(db, "special", officer=officer))

    button = browser.find_element(By.ID, "push-button")
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.endsWith('/app/static/push.js'))"
    )
    inline = browser.execute_script(
        "return [...document.scripts].filter(s => !s.src && s.textContent.trim()).length"
    )

    assert button.is_displayed()
    assert button.text == "Turn on notifications"
    assert len(loaded) == 1
    assert inline == 0
    assert problems(browser) == []


def test_turning_notifications_on_registers_the_worker_which_shows_a_pushed_call_out(
    browser: WebDriver, site: str, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(browser, site, token(db, "special", officer=officer))
    browser.execute_cdp_cmd(
        "Browser.grantPermissions", {"origin": site, "permissions": ["notifications"]}
    )

    browser.find_element(By.ID, "push-button").click()
    # The key is fetched and the worker registered; the subscription itself then waits on
    # Google's push service, which this machine cannot reach.
    worker = browser.execute_async_script(
        "const done = arguments[0];"
        "navigator.serviceWorker.ready.then(r => done([r.scope, r.active.scriptURL]));"
    )
    # The key's fetch may still be in flight when the worker is ready: wait for it to finish.
    fetched = WebDriverWait(browser, 10).until(
        lambda d: d.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".filter(n => n.endsWith('/api/v1/push/key')).length"
        )
    )
    assert worker == [f"{site}/app/", f"{site}/app/sw.js"]
    assert fetched == 1
    assert browser.find_element(By.ID, "push-status").text in (
        "Turning notifications on…",
        "Notifications could not be turned on in this browser. Try again later.",
    )

    pushed = {"title": "Call-out: Operation Nightingale", "body": "Sign up", "url": "/app/events/7"}
    shown = None
    for _ in range(4):  # DevTools may offer it before the worker takes messages: again, then
        _deliver(browser, site, json.dumps(pushed))
        shown = _shown_within(browser, seconds=5)
        if shown:
            break
    assert shown == [["Call-out: Operation Nightingale", "Sign up", "/app/events/7"]]
    assert problems(browser) == []


def _deliver(driver: WebDriver, site: str, data: str) -> None:
    """DevTools gives the worker a push message, as the browser's push service would."""
    driver.execute_cdp_cmd("ServiceWorker.enable", {})
    # The profile is new and has this one registration, with a small id that DevTools names
    # only in its events: each small id is offered the message, and only that one takes it.
    for registration in range(8):
        try:
            driver.execute_cdp_cmd(
                "ServiceWorker.deliverPushMessage",
                {"origin": site, "registrationId": str(registration), "data": data},
            )
        except Exception:
            continue


def _shown_within(driver: WebDriver, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        shown = _notifications(driver)
        if shown:
            return shown
        time.sleep(0.2)
    return None


def _notifications(driver: WebDriver) -> Any:
    shown = driver.execute_async_script(
        "const done = arguments[0];"
        "navigator.serviceWorker.ready.then(r => r.getNotifications())"
        ".then(list => done(list.map(n => [n.title, n.body, n.data.url])));"
    )
    return shown or None
