"""Browse from the keyboard: the skip link takes a reader past the filter column (about 150 Tab presses
before it) to the results, on a desktop's viewport and a phone's."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

MAX_PRESSES = 400  # a page where the results are never reached stops here instead of looping


def _presses_to_first_result(page: Page, *, use_skip_link: bool) -> int:
    page.goto("/browse/")
    for n in range(1, MAX_PRESSES + 1):
        page.keyboard.press("Tab")
        if use_skip_link and page.evaluate("document.activeElement.getAttribute('href')") == "#results":
            page.keyboard.press("Enter")
        if page.evaluate("!!document.activeElement.closest('#results .cards')"):
            return n
    return MAX_PRESSES


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_the_skip_link_reaches_the_first_result_in_a_few_presses(
    chromium: Browser, live_site: str, viewport: dict[str, int]
) -> None:
    context = chromium.new_context(base_url=live_site, viewport=viewport)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        without = _presses_to_first_result(page, use_skip_link=False)
        with_link = _presses_to_first_result(page, use_skip_link=True)
        assert with_link <= 4, f"{with_link} Tab presses to the first result through the skip link"
        assert with_link < without
        assert page.evaluate("document.activeElement.closest('.card') !== null")
    finally:
        context.close()
