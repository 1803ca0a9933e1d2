"""A reader's journey through the real site in chromium: guide → subgenre → title → spoilers → 18+ gate."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

pytestmark = pytest.mark.browser

EXPLICIT_API = "/api/v1/titles?content_rating=explicit"
PHONE: ViewportSize = {"width": 390, "height": 844}
Screenshot = Callable[[Page, str], Path]  # the `screenshot` fixture of conftest.py


def _api(page: Page, url: str) -> Any:
    """GET a JSON API URL with the page's own cookies (same browser context, same session)."""
    response = page.request.get(url)
    assert response.ok, f"{url} answered {response.status}"
    return response.json()


def _an_explicit_title(chromium: Browser, live_site: str) -> dict[str, Any]:
    """Find an explicit title the only way a visitor can: in a separate context that confirmed 18+."""
    context = chromium.new_context(base_url=live_site)
    try:
        page = context.new_page()
        page.goto("/age-gate/")
        page.get_by_role("button", name="I am 18 or older").click()
        expect(page.locator(".status-bar")).to_contain_text("18+ titles shown")
        found = _api(page, EXPLICIT_API)
    finally:
        context.close()
    assert found["total"] > 0, "the sample catalog should contain explicit titles"
    item: dict[str, Any] = found["items"][0]
    assert item["content_rating"] == "explicit"
    return item


def _has_resolution_stage(page: Page, slug: str) -> bool:
    detail = _api(page, f"/api/v1/titles/by-slug/{slug}")
    return any(s["key"] == "resolution" for s in detail["stages"])


def _no_horizontal_overflow(page: Page, screen_width: int) -> tuple[bool, int, int]:
    """Is the page no wider than the window, and the window no wider than the phone's screen?

    With mobile emulation chromium widens the layout viewport (window.innerWidth) to fit content that
    overflows, so scrollWidth <= innerWidth alone would pass a page that overflows; hence the second bound.
    """
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    fits = scroll_width <= inner_width + 1 and inner_width <= screen_width
    return fits, scroll_width, inner_width


def test_reader_follows_guide_to_a_title_reveals_its_ending_and_unlocks_explicit_titles_at_the_gate(
    browser_page: Page, chromium: Browser, live_site: str, screenshot: Screenshot
) -> None:
    page = browser_page
    explicit = _an_explicit_title(chromium, live_site)

    # Before the gate: the explicit title does not exist for this visitor, page and API alike.
    response = page.goto(explicit["url"])
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).not_to_contain_text(explicit["title"])
    screenshot(page, "00-explicit-title-before-gate")
    assert _api(page, EXPLICIT_API)["total"] == 0

    # Home.
    response = page.goto("/")
    assert response is not None
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Know what you are walking into.")
    expect(page.locator(".status-bar")).to_contain_text("18+ titles hidden")
    screenshot(page, "01-home")

    # Home → guide index, through the main navigation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Guide", exact=True).click()
    expect(page).to_have_url(re.compile(r"/guide/$"))
    expect(page.locator("h1")).to_have_text("The genre guide")
    screenshot(page, "02-guide-index")

    # Guide index → the "Subgenres" page.
    page.locator("main ol").get_by_role("link", name="Subgenres", exact=True).click()
    expect(page).to_have_url(re.compile(r"/guide/subgenres/$"))
    expect(page.locator("article h1")).to_have_text("Subgenres")
    screenshot(page, "03-guide-subgenres")

    # Subgenres page → the netorare browse page, through the link in the prose.
    page.locator("article.prose a[href='/browse/?subgenre=netorare']").first.click()
    expect(page).to_have_url(re.compile(r"/browse/\?subgenre=netorare$"))
    expect(page.locator("form.filters input[name=subgenre][value=netorare]")).to_be_checked()
    cards = page.locator("#results .card")
    expect(cards.first).to_be_visible()
    assert cards.count() > 0
    for i in range(cards.count()):
        expect(cards.nth(i).locator(".badge", has_text=re.compile(r"^subgenre: netorare$"))).to_have_count(1)
    screenshot(page, "04-browse-netorare")

    # Browse → a title card (the first one whose formula records a resolution stage).
    links = cards.locator("h3 a")
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    slugs = [h.strip("/").rsplit("/", 1)[-1] for h in hrefs]
    chosen = next((i for i, slug in enumerate(slugs) if _has_resolution_stage(page, slug)), None)
    assert chosen is not None, f"no netorare title records a resolution stage: {slugs}"
    slug, title_name = slugs[chosen], links.nth(chosen).inner_text()
    links.nth(chosen).click()
    expect(page).to_have_url(re.compile(rf"/titles/{slug}/$"))
    expect(page.locator("h1")).to_have_text(title_name)

    # The title page hides the resolution: no note, a hidden marker, a reveal link; the ending axis too.
    resolution = page.locator("#stage-resolution")
    expect(resolution.locator(".hidden-spoiler")).to_be_visible()
    expect(resolution.get_by_role("link", name="Reveal this stage")).to_have_count(1)
    expect(page.locator("table.profile tr", has_text="Ending").locator(".hidden-spoiler")).to_be_visible()
    text_before = page.locator("main").inner_text()
    screenshot(page, "05-title-spoilers-hidden")

    revealed = _api(page, f"/api/v1/titles/by-slug/{slug}?reveal=resolution")
    note = next(s["note"] for s in revealed["stages"] if s["key"] == "resolution")
    assert note.strip(), "the resolution stage should carry a note"
    assert note not in text_before, "the resolution note leaked onto the page before it was revealed"

    # Reveal the resolution stage: the note appears, the URL says so, the ending axis is shown.
    resolution.get_by_role("link", name="Reveal this stage").click()
    expect(page).to_have_url(re.compile(r"[?&]reveal=resolution(?:[&#]|$)"))
    resolution = page.locator("#stage-resolution")
    expect(resolution.locator(".hidden-spoiler")).to_have_count(0)
    expect(resolution).to_contain_text(note)
    expect(page.locator("table.profile tr", has_text="Ending").locator(".hidden-spoiler")).to_have_count(0)
    # Only what was asked for: the revelation stage stays hidden.
    expect(page.locator("#stage-revelation .hidden-spoiler")).to_be_visible()
    screenshot(page, "06-title-resolution-revealed")

    # The age gate, reached from the status bar, sends the visitor back where they were.
    came_from = page.url
    page.locator(".status-bar").get_by_role("link", name="confirm you are 18+").click()
    expect(page).to_have_url(re.compile(r"/age-gate/\?next="))
    expect(page.locator("h1")).to_have_text("18+ titles")
    screenshot(page, "07-age-gate")
    page.get_by_role("button", name="I am 18 or older").click()
    expect(page.locator(".status-bar")).to_contain_text("18+ titles shown")
    assert page.url.split("#")[0] == came_from.split("#")[0]
    screenshot(page, "08-after-age-gate")

    # After the gate: the API lists explicit titles, and the explicit title's page exists.
    after = _api(page, EXPLICIT_API)
    assert after["total"] > 0
    assert explicit["slug"] in {t["slug"] for t in after["items"]}
    response = page.goto(explicit["url"])
    assert response is not None
    assert response.status == 200
    expect(page.locator("h1")).to_have_text(explicit["title"])
    expect(page.locator(".badge.rating-explicit").first).to_be_visible()
    screenshot(page, "09-explicit-title-after-gate")


@pytest.mark.parametrize("step", ["home", "browse", "guide", "title", "title-revealed"])
def test_pages_fit_a_phone_screen_without_horizontal_scrolling(
    chromium: Browser, live_site: str, screenshot: Screenshot, step: str
) -> None:
    context = chromium.new_context(
        base_url=live_site,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = context.new_page()
        response = page.goto("/")
        assert response is not None
        assert response.status == 200
        if step in {"browse", "guide"}:
            response = page.goto(f"/{step}/")
            assert response is not None
            assert response.status == 200
        elif step != "home":
            # A title reached the way a reader would: the first card under "Newest" on the home page.
            page.locator("h2:text-is('Newest') + ul.cards .card h3 a").first.click()
            expect(page).to_have_url(re.compile(r"/titles/[\w-]+/$"))
            expect(page.locator("#formula")).to_be_visible()
            if step == "title-revealed":
                # Every spoiler shown: the longest version of the page (timeline, notes, profile values).
                response = page.goto(page.url + "?reveal=all")
                assert response is not None
                assert response.status == 200
                expect(page.locator(".hidden-spoiler")).to_have_count(0)
        fits, scroll_width, inner_width = _no_horizontal_overflow(page, PHONE["width"])
        screenshot(page, f"phone-{step}")
        assert fits, f"{page.url} is {scroll_width}px wide (window {inner_width}px) on a {PHONE['width']}px phone"
    finally:
        context.close()
