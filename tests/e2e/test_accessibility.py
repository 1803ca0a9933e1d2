"""axe-core (bundled by axe-playwright-python, injected by Playwright; nothing downloaded) on the pages a reader
meets first: home, browse (plain and with a filter ticked), a sample title, the guide and a guide page; on a
desktop and a phone viewport, as a visitor and as a signed-in reader (whose header, status bar and title
page differ). The bar: no serious or critical violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.steps import sign_up

pytestmark = pytest.mark.browser

PAGES = (
    "/",
    "/browse/",
    "/browse/?subgenre=netorare",
    "/titles/vermilion-thread/",  # a sample-catalog title every visitor may see
    "/guide/",
    "/guide/the-formula/",
)
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
BAR = {"serious", "critical"}
# Pages held to no violation of any impact; on /browse/ the filter column and result cards are being redone
# (a moderate "heading-order" on the cards' h3 remains there), so the bar there is the issue's: none serious.
SPOTLESS = {"/", "/titles/vermilion-thread/", "/guide/", "/guide/the-formula/"}
READER = "axe-reader"


@pytest.fixture(scope="module")
def reader_state(chromium: Browser, live_site: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A signed-in reader's cookies, made once for the module (as the browser is)."""
    path = tmp_path_factory.mktemp("axe") / "reader.json"
    context = chromium.new_context(base_url=live_site)
    try:
        page = context.new_page()
        page.goto("/accounts/signup/")
        sign_up(page, email=f"{READER}@example.test", username=READER, password="a-long-axe-reader-password")
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Library")).to_be_visible()
        context.storage_state(path=str(path))
    finally:
        context.close()
    return path


def _context(chromium: Browser, live_site: str, viewport: str, state: Path | None) -> BrowserContext:
    options: dict[str, Any] = dict(VIEWPORTS[viewport])
    if state is not None:
        options["storage_state"] = str(state)
    return chromium.new_context(base_url=live_site, **options)


@pytest.fixture(params=[(v, who) for v in sorted(VIEWPORTS) for who in ("visitor", "reader")], ids="-".join)
def context(request: pytest.FixtureRequest, chromium: Browser, live_site: str) -> Iterator[BrowserContext]:
    viewport, who = request.param
    state = request.getfixturevalue("reader_state") if who == "reader" else None
    context = _context(chromium, live_site, viewport, state)
    try:
        yield context
    finally:
        context.close()


def _failing(violations: list[dict[str, Any]], *, every_impact: bool) -> list[str]:
    """Each violation over the bar as 'id (impact): targets · help'."""
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:6])} · {v['help']}"
        for v in violations
        if every_impact or v.get("impact") in BAR
    ]


def _check(page: Page, what: str, *, every_impact: bool) -> None:
    results = Axe().run(page).response
    assert results["passes"], f"{what}: axe ran no check"  # it ran, on this page
    found = _failing(results["violations"], every_impact=every_impact)
    assert not found, f"{what}:\n" + "\n".join(found)


@pytest.mark.parametrize("url", PAGES)
def test_no_serious_or_critical_axe_violation(context: BrowserContext, url: str) -> None:
    page = context.new_page()
    response = page.goto(url)
    assert response is not None, url
    assert response.status == 200, url
    _check(page, url, every_impact=url in SPOTLESS)


def test_the_open_autocomplete_has_no_axe_violation(context: BrowserContext) -> None:
    page = context.new_page()
    page.goto("/")
    page.locator("#site-query").press_sequentially("re", delay=40)
    expect(page.locator("#site-query-suggestions [role=option]").first).to_be_visible()
    page.locator("#site-query").press("ArrowDown")
    expect(page.locator("#site-query")).to_have_attribute("aria-activedescendant", "site-query-suggestions-0")
    _check(page, "/ with the autocomplete open", every_impact=True)
