"""Playwright on Debian's Chromium (Playwright cannot download its own browsers here)."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import CI

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class CspWatchedBrowser:
    """Chromium whose every page reports Content-Security-Policy violations.

    The browser logs each refused script, style or image on the console ("Refused to …
    because it violates the following Content Security Policy directive"); every browser
    test fails on any of them (see ``_no_csp_violations``).
    """

    def __init__(self, browser):
        self._browser = browser
        self.violations: list[str] = []

    def _record(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(message.text)

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.on("console", self._record)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    if "browser" not in request.fixturenames:
        yield
        return
    watched = request.getfixturevalue("browser")
    watched.violations.clear()
    yield
    assert not watched.violations, f"Content-Security-Policy violations: {watched.violations}"


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        if CI:
            pytest.fail(
                f"CI=true: Chromium is required for browser tests but {CHROMIUM} is missing"
            )
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield CspWatchedBrowser(browser)
        browser.close()


@pytest.fixture
def phone(browser):
    """A page the size of a small phone (360 px wide)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def login(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def assert_fits_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"
