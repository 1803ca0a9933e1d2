"""The search boxes' autocomplete in chromium (suggest.js over /api/v1/search/suggest), on a desktop and a
phone viewport: typing a partial title lists it and arrow down + Enter opens its page; a term fills the box
with its syntax; Escape closes; nothing the age gate or an avoid rule hides is ever offered; no console
error and no CSP violation on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.e2e.steps import sign_up
from tests.e2e.test_csp import LISTEN, Violations

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
HEADER_BOX = "#site-query"
BROWSE_BOX = "#query"
# Sample-catalog titles (fictional, shipped with shuraba): an NTR title open to every visitor, and the
# explicit one that a visitor's age gate hides.
OPEN_NTR = ("Vermilion Thread", "/titles/vermilion-thread/")
EXPLICIT = "Ember Clause"
READER = "suggest-reader"


class Watched:
    """A page with its CSP violations and console errors collected."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.csp = Violations(page)
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def clean(self) -> None:
        self.csp.collect()
        assert not self.csp.found, "\n".join(self.csp.found)
        assert not self.errors, "\n".join(self.errors)


def _context(chromium: Browser, live_site: str, viewport: str) -> BrowserContext:
    context = chromium.new_context(base_url=live_site, **VIEWPORTS[viewport])  # type: ignore[arg-type]
    context.add_init_script(LISTEN)
    return context


@pytest.fixture(params=sorted(VIEWPORTS))
def watched(request: pytest.FixtureRequest, chromium: Browser, live_site: str) -> Iterator[Watched]:
    context = _context(chromium, live_site, request.param)
    try:
        yield Watched(context.new_page())
    finally:
        context.close()


def _type(page: Page, box: str, text: str) -> Locator:
    """Type `text` key by key into the box (each key an input event: debounce and stale requests at work),
    wait for the answer to the whole text and return the listbox."""
    field = page.locator(box)
    field.click()
    field.fill("")
    with page.expect_response(lambda r: "/api/v1/search/suggest" in r.url and f"q={quote(text, safe='')}&" in r.url):
        field.press_sequentially(text, delay=40)
    return page.locator(f"#{field.get_attribute('aria-controls')}")


def _offered(listbox: Locator, text: str) -> list[str]:
    """The titles and terms offered once the live region has told the answer for `text`."""
    status = listbox.locator("xpath=following-sibling::*[@role='status']")
    expect(status).to_contain_text(f"for “{text}”")
    return listbox.locator("[role=option] .suggestion-text").all_inner_texts()


def test_a_partial_title_is_offered_and_arrow_down_enter_opens_its_page(watched: Watched) -> None:
    page = watched.page
    page.goto("/")
    field = page.locator(HEADER_BOX)
    expect(field).to_have_attribute("role", "combobox")
    expect(field).to_have_attribute("aria-expanded", "false")
    listbox = _type(page, HEADER_BOX, "vermil")
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    assert OPEN_NTR[0] in _offered(listbox, "vermil")
    expect(page.locator(".suggest [role=status]").first).to_contain_text("suggestion")
    options = listbox.locator("[role=option]")
    for _ in range(options.count()):
        field.press("ArrowDown")
        active = page.locator(f"#{field.get_attribute('aria-activedescendant')}")
        expect(active).to_have_attribute("aria-selected", "true")
        if active.locator(".suggestion-text").inner_text() == OPEN_NTR[0]:
            break
    field.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(OPEN_NTR[1]) + "$"))
    expect(page.locator("h1")).to_have_text(OPEN_NTR[0])
    watched.clean()


def test_a_term_fills_the_box_with_its_syntax_and_escape_closes(watched: Watched) -> None:
    page = watched.page
    page.goto("/")
    field = page.locator(HEADER_BOX)
    listbox = _type(page, HEADER_BOX, "netor")
    assert "Netorare" in _offered(listbox, "netor")
    field.press("Escape")
    expect(listbox).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(field).not_to_have_attribute("aria-activedescendant", re.compile("."))
    expect(field).to_have_value("netor")  # Escape closes the list and keeps the text
    field.press("ArrowDown")  # the list comes back with the same suggestions
    expect(listbox).to_be_visible()
    option = listbox.locator("[role=option]", has_text="Netorare").first
    if page.viewport_size and page.viewport_size["width"] < 600:
        option.tap()
    else:
        option.click()
    expect(listbox).to_be_hidden()
    expect(field).to_have_value("subgenre:netorare ")
    expect(field).to_be_focused()
    field.press("Enter")  # the box's syntax searches as any typed text (the page writes it as its filter)
    expect(page).to_have_url(re.compile(r"/browse/\?.*subgenre(=|%3A)netorare"))
    expect(page.locator("#results .card").first).to_be_visible()
    watched.clean()


def test_tab_closes_the_list_and_moves_on(watched: Watched) -> None:
    page = watched.page
    page.goto("/")
    field = page.locator(HEADER_BOX)
    listbox = _type(page, HEADER_BOX, "vermil")
    expect(listbox).to_be_visible()
    field.press("Tab")
    expect(listbox).to_be_hidden()
    expect(field).not_to_be_focused()
    watched.clean()


def test_the_age_gate_hides_an_explicit_title_from_the_suggestions(chromium: Browser, live_site: str) -> None:
    typed = EXPLICIT.lower()
    adult = Watched(_context(chromium, live_site, "desktop").new_page())
    adult.page.goto("/age-gate/")
    adult.page.get_by_role("button", name="I am 18 or older").click()
    adult.page.goto("/")
    assert EXPLICIT in _offered(
        _type(adult.page, HEADER_BOX, EXPLICIT.lower()), EXPLICIT.lower()
    )  # it exists, for an adult
    adult.clean()
    adult.page.context.close()
    for viewport in VIEWPORTS:
        visitor = Watched(_context(chromium, live_site, viewport).new_page())
        visitor.page.goto("/")
        assert EXPLICIT not in _offered(_type(visitor.page, HEADER_BOX, typed), typed)
        assert EXPLICIT not in visitor.page.content()
        visitor.clean()
        visitor.page.context.close()


def test_an_avoid_rule_hides_a_title_from_the_suggestions(chromium: Browser, live_site: str) -> None:
    reader = Watched(_context(chromium, live_site, "phone").new_page())
    page = reader.page
    try:
        page.goto("/")
        assert OPEN_NTR[0] in _offered(_type(page, HEADER_BOX, "vermil"), "vermil")
        page.goto("/accounts/signup/")
        sign_up(
            page, email="suggest-reader@example.test", username="suggest-reader", password="a-long-suggest-password"
        )
        page.locator(".status-bar form.switch button").click()
        expect(page.locator(".status-bar form.switch button")).to_have_text("NTR-free: on")
        for box, url in ((HEADER_BOX, "/"), (BROWSE_BOX, "/browse/")):
            page.goto(url)
            assert OPEN_NTR[0] not in _offered(_type(page, box, "vermil"), "vermil")
            assert OPEN_NTR[0] not in page.locator(f"{box} ~ [role=listbox]").inner_text()
        reader.clean()
    finally:
        page.context.close()


def test_sign_in_pages_stay_without_a_script(browser_page: Page) -> None:
    browser_page.goto("/accounts/login/")
    expect(browser_page.locator("script")).to_have_count(0)
    expect(browser_page.locator(HEADER_BOX)).not_to_have_attribute("role", "combobox")


def test_without_javascript_the_header_box_is_a_plain_form(chromium: Browser, live_site: str) -> None:
    context = chromium.new_context(base_url=live_site, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        field = page.locator(HEADER_BOX)
        expect(field).not_to_have_attribute("role", "combobox")
        field.fill("vermil")
        field.press("Enter")
        expect(page).to_have_url(re.compile(r"/browse/\?query=vermil$"))
        expect(page.locator("#results")).to_contain_text(OPEN_NTR[0])
    finally:
        context.close()


def test_enter_in_the_browse_box_searches_once_with_no_error(watched: Watched) -> None:
    """Enter fires the box's change, then the form's submit: one search, no request aborted (htmx logs an abort
    as a console error), the address and the results those of the text."""
    page = watched.page
    page.goto("/browse/")
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "/browse/?" in r.url else None)
    field = page.locator(BROWSE_BOX)
    field.fill("vermilion")
    field.press("Enter")  # no option chosen: Enter is the form's
    expect(page).to_have_url(re.compile(r"/browse/\?q=vermilion$"))  # plain title text: q=
    expect(page.locator("#results")).to_contain_text(OPEN_NTR[0])
    assert len(searches) == 1, searches
    watched.clean()
