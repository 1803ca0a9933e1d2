"""The browse page's shape in chromium, on a desktop's viewport (1280 by 800) and a phone's (390 by 844): the filter
column's height in CSS px, and the Tab presses from the top of the page to the first result, without the skip
link and with it. Not a timing; a count and a length, printed for benchmarks/RESULTS.md.

    python benchmarks/browse_page.py http://127.0.0.1:8000   # a served site (`shuraba serve`)
"""

from __future__ import annotations

import sys

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
MAX_PRESSES = 400


def presses_to_first_result(page: Page, url: str, *, skip_link: bool) -> int:
    page.goto(url)
    for n in range(1, MAX_PRESSES + 1):
        page.keyboard.press("Tab")
        if skip_link and page.evaluate("document.activeElement.getAttribute('href')") == "#results":
            page.keyboard.press("Enter")
        if page.evaluate("!!document.activeElement.closest('#results .cards')"):
            return n
    return MAX_PRESSES


def column_height(page: Page, url: str) -> tuple[float, float]:
    """The filter column's height as the page opens, and once shown (on a phone the filters fold behind
    a "Filters" button)."""
    page.goto(url)
    height = "document.querySelector('#filters').getBoundingClientRect().height"
    shown = float(page.evaluate(height))
    toggle = page.locator("#filters-toggle")
    if toggle.count() and toggle.is_visible():
        toggle.click()
        return shown, float(page.evaluate(height))
    return shown, shown


def main(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        print("| viewport | filter column height (px) | shown (px) | Tabs to the first result | with the skip link |")
        print("|---|---|---|---|---|")
        for name, viewport in VIEWPORTS.items():
            context = browser.new_context(base_url=base, viewport=viewport)  # type: ignore[arg-type]
            page = context.new_page()
            height, shown = column_height(page, "/browse/")
            without = presses_to_first_result(page, "/browse/", skip_link=False)
            with_link = presses_to_first_result(page, "/browse/", skip_link=True)
            size = f"{viewport['width']}x{viewport['height']}"
            print(f"| {name} {size} | {height:,.0f} | {shown:,.0f} | {without} | {with_link} |")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
