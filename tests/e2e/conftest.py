"""Browser tests: a real shuraba site (`shuraba setup` + `shuraba serve`, i.e. gunicorn) on a fresh SQLite
data directory, driven by Debian's chromium through Playwright's sync API.

These tests never touch the Django test database: the site under test is a separate process with its own
data directory. They also never download a browser: where /usr/bin/chromium is missing they are skipped,
unless SHURABA_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = "Debian chromium is not installed (apt-get install chromium); browser tests skipped"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "e2e"

Screenshot = Callable[[Page, str], Path]


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian's chromium, or a skip (a failure where SHURABA_REQUIRE_BROWSER=1)."""
    if not CHROMIUM.exists():
        if os.environ.get("SHURABA_REQUIRE_BROWSER") == "1":
            pytest.fail(CHROMIUM_MISSING)
        pytest.skip(CHROMIUM_MISSING)
    return CHROMIUM


@pytest.fixture(scope="session")
def live_site(chromium_executable: Path, served_site: str) -> str:
    """The served site (tests/served.py), for tests that also need chromium."""
    return served_site


@pytest.fixture(scope="module")
def chromium(chromium_executable: Path) -> Iterator[Browser]:
    """One headless Debian chromium per test module (never a downloaded browser).

    Per module, not per session: Playwright's sync API keeps an event loop running in the thread while it
    lives, and Django refuses database work under a running loop; with the suite spread over workers
    (pytest-xdist), a worker runs other modules between browser modules, which must find no loop.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Browser, live_site: str) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies: an anonymous visitor) on the live site."""
    context = chromium.new_context(base_url=live_site, viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot() -> Screenshot:
    """`screenshot(page, step)` saves a full-page PNG to test-artifacts/e2e/<step>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, step: str) -> Path:
        path = ARTIFACTS / f"{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
