"""The browse page's filters in chromium, on a desktop's viewport and a phone's: include and exclude by mouse
and keyboard, chips that remove a filter, Back and Forward, the tag picker, the phone's "Show N results",
errors beside their field with JavaScript on and off, target sizes and the focus ring's contrast."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import Screenshot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
MAX_PRESSES = 300  # past the filters to the first card; a page that never gets there stops
X = "\u00d7"  # the chips' sign: the link's name says "Remove …"


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, chromium: Browser, live_site: str) -> Iterator[Page]:
    viewport = VIEWPORTS[request.param]
    phone = viewport is PHONE
    context = chromium.new_context(base_url=live_site, viewport=viewport, is_mobile=phone)  # type: ignore[arg-type]
    try:
        yield context.new_page()
    finally:
        context.close()


def _phone(page: Page) -> bool:
    return (page.viewport_size or DESKTOP)["width"] < 600


def _filters(page: Page) -> None:
    """Show the filters: on a phone they fold behind the "Filters" button."""
    if _phone(page) and page.get_attribute("#filters-toggle", "aria-expanded") != "true":
        page.click("#filters-toggle")
    expect(page.locator("#filters")).to_be_visible()


def _subgenre(page: Page, name: str) -> Locator:
    """A box of the Subgenre group ("Include Revenge": the Ending group has one of that name too)."""
    return page.locator("#group-subgenre").get_by_role("checkbox", name=name, exact=True)


def _total(page: Page) -> int:
    return int(page.locator("#results-count strong").inner_text())


def _api_total(page: Page) -> int:
    query = urlsplit(page.url).query
    return int(page.request.get(f"/api/v1/titles?{query}").json()["total"])


def test_include_by_mouse_exclude_by_keyboard_and_chips_remove_them(page: Page) -> None:
    page.goto("/browse/")
    _filters(page)
    _subgenre(page, "Include Revenge").click()  # the mouse, on the box's label
    expect(page).to_have_url(re.compile(r"\?subgenre=revenge$"))
    exclude = _subgenre(page, "Exclude Netori")
    exclude.focus()
    page.keyboard.press("Space")  # the keyboard
    expect(page).to_have_url(re.compile(r"subgenre=revenge%2C%21netori$"))
    chips = page.locator("#results ul.chips a.chip:not(.clear)")
    expect(chips).to_have_text([f"Subgenre: Revenge {X}", f"not Subgenre: Netori {X}"])
    assert _total(page) == _api_total(page)

    # Tri-state: including the excluded value unticks its "exclude".
    _subgenre(page, "Include Netori").check()
    expect(page).to_have_url(re.compile(r"subgenre=netori%2Crevenge$"))
    expect(exclude).not_to_be_checked()
    expect(chips).to_have_text([f"Subgenre: Netori {X}", f"Subgenre: Revenge {X}"])

    page.get_by_role("link", name="Remove Subgenre: Revenge").click()
    expect(page).to_have_url(re.compile(r"/browse/\?subgenre=netori$"))
    expect(chips).to_have_text([f"Subgenre: Netori {X}"])
    expect(page.locator("#results-count")).to_be_focused()  # the chip is gone; focus lands on the count
    _filters(page)
    expect(_subgenre(page, "Include Revenge")).not_to_be_checked()
    expect(_subgenre(page, "Include Netori")).to_be_checked()
    assert _total(page) == _api_total(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"subgenre=netori%2Crevenge$"))
    expect(chips).to_have_text([f"Subgenre: Netori {X}", f"Subgenre: Revenge {X}"])
    _filters(page)
    expect(_subgenre(page, "Include Revenge")).to_be_checked()
    page.go_forward()
    expect(chips).to_have_text([f"Subgenre: Netori {X}"])
    _filters(page)
    expect(_subgenre(page, "Include Revenge")).not_to_be_checked()

    page.get_by_role("list", name="Active filters").get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(re.compile(r"/browse/$"))
    expect(chips).to_have_count(0)


def test_the_tag_picker_finds_a_tag_by_typing_and_adds_it(page: Page) -> None:
    page.goto("/browse/")
    _filters(page)
    page.locator("#group-tags > summary").click()
    finder = page.get_by_label("Find a tag")
    finder.press_sequentially("triang")
    rows = page.locator("#tag-list > li:not([hidden])")
    expect(rows).to_have_count(1)
    expect(page.locator("#tag-find-status")).to_have_text("1 tag matches")
    finder.press("Enter")  # to the first tag found
    expect(page).to_have_url(re.compile(r"/browse/$"))  # finding is no search: nothing was submitted
    expect(page.get_by_role("checkbox", name="Include Love Triangle", exact=False)).to_be_focused()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"\?include=love-triangle$"))
    expect(page.locator("#results ul.chips a.chip").first).to_have_text(f"Tag: Love Triangle {X}")
    assert _total(page) == _api_total(page)


def test_the_phone_shows_n_results_and_takes_the_reader_to_them(chromium: Browser, live_site: str) -> None:
    context = chromium.new_context(base_url=live_site, viewport=PHONE, is_mobile=True)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto("/browse/")
        expect(page.locator("#filters .filters-title")).to_be_hidden()  # folded behind "Filters"
        expect(page.locator("#group-subgenre")).to_be_hidden()
        expect(page.locator("#query")).to_be_visible()  # the search box stays out of the fold
        page.click("#filters-toggle")
        page.locator("#group-depth > summary").click()
        page.get_by_label("Include Psychological", exact=True).check()
        expect(page).to_have_url(re.compile(r"depth=psychological"))
        expect(page.locator("#filters-toggle")).to_have_text("Filters (1 active)")
        button = page.locator("#show-results")
        expect(button).to_be_in_viewport()  # sticky: in view however far down the filters one is
        expect(button).to_have_text(f"Show {_api_total(page)} results")
        assert int(page.locator("#show-total").inner_text()) == _total(page)
        button.click()
        expect(page.locator("#group-depth")).to_be_hidden()  # folded again, the search box still there
        expect(page.locator("#query")).to_be_visible()
        expect(page.locator("#results")).to_be_focused()
        expect(page.locator("#results-count")).to_be_in_viewport()
    finally:
        context.close()


def test_an_error_shows_beside_its_field_with_javascript_on(page: Page) -> None:
    page.goto("/browse/?subgenre=revenge")
    _filters(page)
    page.locator("#group-year > summary").click()
    year = page.get_by_label("Year from")
    year.fill("20l5")
    year.press("Enter")
    slot = page.locator("#error-year")
    expect(slot).to_contain_text("year_min: year bound must be a whole number, got '20l5'")
    expect(slot.get_by_role("link", name="Did you mean 2015?")).to_be_visible()
    expect(year).to_have_attribute("aria-invalid", "true")
    expect(year).to_have_value("20l5")  # what was typed stays, to correct
    expect(_subgenre(page, "Include Revenge")).to_be_checked()
    year.fill("2015")
    year.press("Enter")
    expect(slot).to_be_empty()
    expect(year).not_to_have_attribute("aria-invalid", "true")


def test_an_error_shows_beside_its_field_without_javascript(chromium: Browser, live_site: str) -> None:
    context = chromium.new_context(
        base_url=live_site,
        viewport=PHONE,  # type: ignore[arg-type]
        java_script_enabled=False,
    )
    try:
        page = context.new_page()
        page.goto("/browse/?subgenre=revenge")
        page.locator("#group-year > summary").click()
        page.get_by_label("Year from").fill("20l5")
        with page.expect_navigation():
            page.get_by_label("Year from").press("Enter")
        expect(page.locator("#error-year")).to_contain_text("got '20l5'")
        expect(page.get_by_label("Year from")).to_have_value("20l5")
        page.locator("#error-year").get_by_role("link", name="Did you mean 2015?").click()
        expect(page).to_have_url(re.compile(r"year_min=2015"))
        expect(page.locator("#error-year")).to_be_empty()
        # Without JavaScript each chip is a plain link.
        page.get_by_role("link", name="Remove Subgenre: Revenge").click()
        expect(page).to_have_url(re.compile(r"/browse/\?year=2015\.\.$"))
    finally:
        context.close()


def test_every_box_is_a_target_of_at_least_24_px(page: Page) -> None:
    page.goto("/browse/?subgenre=revenge")
    _filters(page)
    page.evaluate("document.querySelectorAll('#filters details').forEach(d => d.open = true)")
    small = page.evaluate(
        """[...document.querySelectorAll('#filters input[type=checkbox], #filters input[type=radio], a.chip')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.name || e.textContent, e.getBoundingClientRect()])
        .filter(([, r]) => r.width < 24 || r.height < 24)
        .map(([n, r]) => `${n} ${r.width}x${r.height}`)"""
    )
    assert small == []


CONTRAST = """el => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const f = v => { v /= 255; return v <= .03928 ? v / 12.92 : ((v + .055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => .2126 * f(r) + .7152 * f(g) + .0722 * f(b);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + .05) / (y + .05); };
  let node = el.parentElement, bg = null;
  while (node) { const c = getComputedStyle(node).backgroundColor;
                 if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') { bg = rgb(c); break; }
                 node = node.parentElement; }
  const s = getComputedStyle(el);
  const ring = ratio(rgb(s.outlineColor), bg || [255, 255, 255]);
  return {tag: el.tagName, id: el.id || el.name || el.textContent.slice(0, 30), style: s.outlineStyle,
          width: parseFloat(s.outlineWidth), ring};
}"""


def test_the_focus_ring_is_at_least_3_to_1_on_every_control_of_the_page(page: Page) -> None:
    """Every control in Tab order from the top to the first result: header, skip links, box, groups, boxes,
    the sort and the chips."""
    page.goto("/browse/?subgenre=revenge&exclude=love-triangle")
    _filters(page)
    seen = set()
    for _ in range(MAX_PRESSES):
        page.keyboard.press("Tab")
        found = page.evaluate(f"({CONTRAST})(document.activeElement)")
        seen.add(found["tag"])
        assert found["style"] != "none", found
        assert found["width"] >= 2, found
        assert found["ring"] >= 3, found
        if page.evaluate("!!document.activeElement.closest('#results .cards')"):
            break
    else:
        pytest.fail(f"the first result is not reached in {MAX_PRESSES} Tab presses")
    assert {"A", "INPUT", "SUMMARY", "SELECT", "BUTTON"} <= seen


def test_screenshots_of_the_filters_and_the_chips(page: Page, screenshot: Screenshot) -> None:
    """Looked at by a person (test-artifacts/e2e/); the numbers are benchmarks/browse_page.py's."""
    page.goto("/browse/?subgenre=revenge&exclude=love-triangle&year_min=20l5")
    _filters(page)
    width = (page.viewport_size or DESKTOP)["width"]
    expect(page.locator("#error-year")).to_contain_text("Did you mean 2015?")
    assert screenshot(page, f"browse-filters-{width}").stat().st_size > 0


def test_the_filters_open_have_no_serious_accessibility_violation(page: Page) -> None:
    """axe-core (bundled by axe-playwright-python) over the page with every group open, so every control of
    the filters is checked, on both viewports; the moderate and minor findings are printed by axe, not here."""
    page.goto("/browse/?subgenre=revenge&exclude=love-triangle&year_min=20l5")
    _filters(page)
    page.evaluate("document.querySelectorAll('#filters details').forEach(d => d.open = true)")
    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]]) for v in violations if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
