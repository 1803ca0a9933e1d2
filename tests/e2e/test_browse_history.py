"""Browse in chromium with Back and Forward: the form shows the filters of the URL it is at, and the next tick
adds to them (the page's HTML snapshot in htmx's history cache had lost every tick: a property, not an
attribute, so Back showed the results of ?subgenre=revenge with nothing ticked, and the next tick dropped
revenge). On a phone's viewport too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = pytest.mark.browser


def _box(page: Page, name: str, value: str) -> Locator:
    return page.locator(f"form.filters input[name={name}][value={value}]")


def _shown(page: Page) -> None:
    """On a phone the filters fold behind the "Filters" button: open them."""
    toggle = page.locator("#filters-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def _history(page: Page, step: str) -> None:
    """Back or Forward, then the page htmx reloads from its address (no history snapshot is kept): the step
    itself only restores the address, so wait for the new document before reading or ticking anything."""
    page.evaluate("window.__before_history = true")
    if step == "back":
        page.go_back()
    else:
        page.go_forward()
    page.wait_for_function("!window.__before_history")
    page.wait_for_load_state()


def _walk(page: Page) -> None:
    page.goto("/browse/")
    revenge, betrayed = _box(page, "subgenre", "revenge"), _box(page, "perspective", "betrayed")
    _shown(page)
    revenge.check()
    expect(page).to_have_url(re.compile(r"\?subgenre=revenge$"))
    betrayed.check()
    expect(page).to_have_url(re.compile(r"perspective=betrayed"))
    total = page.request.get("/api/v1/titles?subgenre=revenge&perspective=betrayed").json()["total"]

    _history(page, "back")
    expect(page).to_have_url(re.compile(r"/browse/\?subgenre=revenge$"))
    expect(revenge).to_be_checked()
    expect(betrayed).not_to_be_checked()

    _history(page, "forward")
    expect(page).to_have_url(re.compile(r"perspective=betrayed"))
    expect(revenge).to_be_checked()
    expect(betrayed).to_be_checked()
    expect(page.locator("#results-count strong")).to_have_text(str(total))

    _history(page, "back")
    expect(revenge).to_be_checked()
    _shown(page)
    _box(page, "subgenre", "netorare").check()
    # The next tick keeps what Back restored: both values, in the canonical URL's one comma list.
    expect(page).to_have_url(re.compile(r"/browse/\?subgenre=netorare%2Crevenge$"))
    expect(revenge).to_be_checked()


def test_back_and_forward_restore_the_filters_and_the_next_tick_adds_to_them(browser_page: Page) -> None:
    _walk(browser_page)


def test_the_same_on_a_phone(chromium: Browser, live_site: str) -> None:
    context = chromium.new_context(base_url=live_site, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        _walk(context.new_page())
    finally:
        context.close()


def test_a_wrong_year_shows_its_error_in_place_with_javascript_on(browser_page: Page) -> None:
    page = browser_page
    page.goto("/browse/?subgenre=revenge")
    page.locator("#group-year > summary").click()  # a folded group
    page.locator("form.filters input[name=year_min]").fill("abc")
    page.locator("form.filters input[name=year_min]").press("Enter")
    expect(page.locator("#browse-error")).to_contain_text("year_min")
    expect(page.locator("#browse-error")).to_contain_text("Searched without it.")
    expect(_box(page, "subgenre", "revenge")).to_be_checked()
