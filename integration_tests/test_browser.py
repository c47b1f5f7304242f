"""A real browser against the demo under gunicorn: Debian's ``chromium``
driven by Python Playwright.

The browser is the system one (``.ci/run`` installs it with apt when it is
missing); ``playwright install`` is never run. Without chromium these tests
skip, except on CI (``CI`` set), where a missing browser fails them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

import flask_express.demo

pytestmark = pytest.mark.server

#: Milliseconds Playwright waits for one action, navigation or download.
TIMEOUT_MS = 15_000

ATTACHMENTS = Path(flask_express.demo.__file__).parent / "attachments"


@pytest.fixture
def context(browser: Browser, demo_server: str) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) whose relative URLs go to the demo."""
    context = browser.new_context(base_url=demo_server, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def test_login_redirects_and_flashes_once(page: Page, demo_server: str) -> None:
    page.goto("/login")
    assert page.locator(".flash").count() == 0
    page.get_by_label("Name").fill("Ada")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    # The POST answered a redirect, and the browser followed it.
    assert page.url == f"{demo_server}/account"
    flash = page.locator("p.flash")
    assert flash.count() == 1
    assert flash.inner_text() == "Welcome, Ada!"
    assert flash.get_attribute("class") == "flash success"
    assert "Logged in as Ada." in page.locator("body").inner_text()

    # The next page no longer shows it; the login itself stays.
    page.reload()
    assert page.url == f"{demo_server}/account"
    assert page.locator(".flash").count() == 0
    assert "Logged in as Ada." in page.locator("body").inner_text()


@pytest.mark.parametrize(
    ("demo", "url", "saved_name", "source"),
    [
        ("res.download", "/res/download", "Bericht Übersicht.csv", "report.csv"),
        ("res.attachment", "/res/attachment", "hello.txt", "hello.txt"),
    ],
    ids=["download", "attachment"],
)
def test_download_saves_the_file_under_its_name(
    page: Page, tmp_path: Path, demo: str, url: str, saved_name: str, source: str
) -> None:
    page.goto(f"/show/{demo}")
    with page.expect_download() as info:
        page.locator(f'a[href="{url}"]').first.click()
    download = info.value

    assert download.failure() is None
    assert download.suggested_filename == saved_name
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes() == (ATTACHMENTS / source).read_bytes()


def test_cookie_is_set_then_cleared(page: Page, context: BrowserContext, demo_server: str) -> None:
    page.goto("/res/cookie?theme=x")
    assert "Set-Cookie: theme=x" in page.locator("body").inner_text()
    cookies = {cookie.get("name"): cookie for cookie in context.cookies(demo_server)}
    assert "theme" in cookies, cookies
    theme = cookies["theme"]
    assert theme.get("value") == "x"
    assert theme.get("path") == "/"
    assert theme.get("httpOnly") is True
    assert theme.get("sameSite") == "Lax"
    assert theme.get("expires", -1) > 0  # max_age=3600: a persistent cookie

    page.goto("/res/clear_cookie")
    names = [cookie.get("name") for cookie in context.cookies(demo_server)]
    assert "theme" not in names, names
