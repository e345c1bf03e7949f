"""A real Chromium driven by Selenium: Debian's `chromium` and `chromium-driver`, headless."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chromium.webdriver import ChromiumDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT_SECONDS = 20

T = TypeVar("T")  # what a condition waited for gives


def require_chromium() -> None:
    """Without the browser the tests cannot run: a failure in CI, a skip elsewhere."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        reason = f"the browser tests need Debian's chromium and chromium-driver ({missing})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def start_chromium(profile: Path, downloads: Path, *, javascript: bool = True) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
    ):
        options.add_argument(argument)
    prefs: dict[str, object] = {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
    }
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    # The console log, where Chromium reports what the content security policy refused.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


class ModuleChromium:
    """One Chromium for the tests of a module, given to each test as if new (`fresh`).

    Starting Chromium costs about 0.7 s of processor time and 1.5 s of waiting, as much as
    many a test's own pages. What one test leaves that another could see is cleared: the other
    windows, the cookies of every site, the site's storage (its service worker, caches, local
    storage), the HTTP cache, an emulated width or network, and the console's messages; the
    downloads go to the new test's folder. A test that changes more than that (a page script
    added to every document, a permission, a second site's service worker) starts its own
    browser with `start_chromium`. If clearing fails, the browser is started again."""

    def __init__(self, directory: Path, *, javascript: bool = True) -> None:
        self.directory = directory
        self.javascript = javascript
        self.driver: WebDriver | None = None
        self.starts = 0

    def fresh(self, site: str, downloads: Path) -> WebDriver:
        require_chromium()
        if self.driver is not None:
            try:
                return _as_new(self.driver, site, downloads)
            except WebDriverException:
                self.quit()
        self.starts += 1
        profile = self.directory / f"profile-{self.starts}"
        self.driver = start_chromium(profile, downloads, javascript=self.javascript)
        return _as_new(self.driver, site, downloads)

    def quit(self) -> None:
        if self.driver is not None:
            driver, self.driver = self.driver, None
            driver.quit()


def module_chromium(directory: Path, *, javascript: bool = True) -> Iterator[ModuleChromium]:
    """For a module-scoped fixture: the module's Chromium, quit when its tests are done."""
    chromium = ModuleChromium(directory, javascript=javascript)
    try:
        yield chromium
    finally:
        chromium.quit()


def _as_new(driver: WebDriver, site: str, downloads: Path) -> WebDriver:
    for extra in driver.window_handles[1:]:
        driver.switch_to.window(extra)
        driver.close()
    driver.switch_to.window(driver.window_handles[0])
    driver.get("about:blank")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(site))
    for command, arguments in (
        ("Network.clearBrowserCookies", {}),
        ("Network.clearBrowserCache", {}),
        ("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}),
        ("Emulation.clearDeviceMetricsOverride", {}),
        ("Network.emulateNetworkConditions", ONLINE),
        ("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}),
    ):
        driver.execute_cdp_cmd(command, arguments)
    console(driver)  # what earlier tests' pages logged is theirs
    return driver


ONLINE = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def console(driver: WebDriver) -> list[str]:
    """The console's messages since last asked (Chromium hands each out once)."""
    assert isinstance(driver, ChromiumDriver), "only Chromium's driver reads the console"
    entries = driver.get_log("browser")  # type: ignore[no-untyped-call]  # untyped upstream
    return [str(entry.get("message", "")) for entry in entries]


def policy_violations(messages: list[str]) -> list[str]:
    return [m for m in messages if "Content Security Policy" in m or "Refused to" in m]


def wait_until(driver: WebDriver, condition: Callable[[WebDriver], T]) -> T:
    return WebDriverWait(driver, WAIT_SECONDS).until(condition)


def submit(driver: WebDriver, button: WebElement) -> None:
    """Click a form's button and wait for the page that answers it.

    The old page is marked with a window property; the answer is a new document, whose window
    does not have it. (Asking an element of the old page whether it is stale races Chromium's
    tear-down, which answers with one inspector error or another while the page goes.)"""
    driver.execute_script("window.__awaitingAnswer = true")
    button.click()
    WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=(WebDriverException,)).until(_answered)
    wait_until(driver, lambda d: d.find_element(By.TAG_NAME, "main"))


def _answered(driver: WebDriver) -> bool:
    return bool(
        driver.execute_script(
            "return window.__awaitingAnswer === undefined && document.readyState === 'complete'"
        )
    )


def fill(driver: WebDriver, label: str, value: str) -> None:
    """Type into the input a visible label names (as a person would find it)."""
    field = driver.find_element(
        By.ID,
        driver.find_element(By.XPATH, f"//label[normalize-space(.)='{label}']").get_attribute("for")
        or "",
    )
    field.clear()
    field.send_keys(value)


def set_local(driver: WebDriver, label: str, value: str) -> None:
    """A `datetime-local` input: typed key by key its format depends on the locale, so set as
    a form would submit it."""
    field_id = driver.find_element(
        By.XPATH, f"//label[normalize-space(.)='{label}']"
    ).get_attribute("for")
    field = driver.find_element(By.ID, field_id or "")
    driver.execute_script("arguments[0].value = arguments[1]", field, value)


def button(driver: WebDriver, text: str) -> WebElement:
    return driver.find_element(By.XPATH, f"//button[normalize-space(.)='{text}']")


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = (360, 780)
DESKTOP = (1280, 900)


def require_axe() -> str:
    """axe-core as `npm ci` installs it (package-lock.json); `python3 dev.py test` does."""
    if not AXE.exists():
        reason = f"the accessibility checks need axe-core: run `npm ci` ({AXE} is missing)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text()


def serious_violations(driver: WebDriver, axe_source: str) -> list[str]:
    """axe-core's serious and critical findings on the page now shown, one line each."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(axe_source)
    driver.set_script_timeout(60)
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))"
        ".catch(e => done(['axe failed: ' + e]))"
    )
    return list(found)


def set_width(driver: WebDriver, size: tuple[int, int]) -> None:
    width, height = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def overflow(driver: WebDriver) -> int:
    """How many pixels the page is wider than the screen (0: no sideways scrolling)."""
    return int(
        driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )
