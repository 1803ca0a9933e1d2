"""The library in chromium on the real site: sign up, add a title from a card without leaving the page
(htmx), see a wrong value said in place, filter the library and go Back, import a MAL list, match the entry
nothing matched, and find it all on the library page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import sign_up
from tests.e2e.test_csp import LISTEN, Violations

pytestmark = pytest.mark.browser

Screenshot = Callable[[Page, str], Path]  # the `screenshot` fixture of conftest.py
USERNAME, EMAIL, PASSWORD = "shelf-reader", "shelf-reader@example.test", "a-long-shelf-password"
KNOWN, UNKNOWN = "A Ferry Song for Two", "A Title Nobody Wrote"


def _mal_file(folder: Path, known: str) -> Path:
    blocks = "".join(
        f"<manga><manga_mangadb_id>0</manga_mangadb_id><manga_title><![CDATA[{name}]]></manga_title>"
        f"<my_read_chapters>{chapters}</my_read_chapters><my_score>{score}</my_score>"
        f"<my_start_date>2024-03-00</my_start_date><my_finish_date>0000-00-00</my_finish_date>"
        f"<my_status>{status}</my_status><my_times_read>0</my_times_read></manga>"
        for name, chapters, score, status in ((known, 40, 8, "Reading"), (UNKNOWN, 3, 0, "Dropped"))
    )
    path = folder / "mangalist.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8" ?><myanimelist><myinfo><user_export_type>2</user_export_type>'
        f"</myinfo>{blocks}</myanimelist>",
        encoding="utf-8",
    )
    return path


def test_a_reader_keeps_a_library_and_imports_a_list(
    browser_page: Page, screenshot: Screenshot, tmp_path: Path
) -> None:
    page = browser_page
    page.context.add_init_script(LISTEN)  # the signed-in pages are outside the CSP crawl: checked here
    violations = Violations(page)
    page.goto("/accounts/signup/")
    sign_up(page, email=EMAIL, username=USERNAME, password=PASSWORD)

    # From a card, without leaving the search: the form answers in place.
    page.goto("/browse/?sort=title")
    card = page.locator("#results .card").first
    name = card.locator("h3 a").inner_text()
    card.locator("form.library-quick select[name=status]").select_option("reading")
    card.locator("form.library-quick button", has_text="Add").click()
    expect(card.locator("form.library-quick")).to_contain_text(f"Added “{name}” to your library.")
    expect(page).to_have_url(re.compile(r"/browse/\?sort=title$"))
    violations.collect()
    screenshot(page, "library-01-card-added")

    # On a title page, a wrong value is said in place (the browser's own check is taken away first).
    page.goto("/titles/a-ferry-song-for-two/")
    quick = page.locator("form.library-quick.full")
    quick.locator("button", has_text="Add").click()
    expect(page.locator("form.library-quick.full")).to_contain_text("Added")
    chapters = page.locator("form.library-quick.full input[name=chapters_read]")
    chapters.evaluate("input => input.removeAttribute('min')")
    chapters.fill("-3")
    page.locator("form.library-quick.full button", has_text="Save").click()
    expect(page.locator("form.library-quick.full .error")).to_contain_text("Not saved: chapters_read is -3")
    violations.collect()
    screenshot(page, "library-02-error-in-place")

    # The library, filtered; Back brings the form back as it was.
    page.goto("/library/")
    expect(page.locator("table.library tbody tr")).to_have_count(2)
    page.locator("input[name=status][value=reading]").check()
    page.locator("form.library-filters button", has_text="Apply").click()
    expect(page).to_have_url(re.compile(r"status=reading"))
    expect(page.locator("table.library tbody tr")).to_have_count(1)
    page.go_back()
    expect(page.locator("table.library tbody tr")).to_have_count(2)
    page.go_forward()
    expect(page.locator("input[name=status][value=reading]")).to_be_checked()

    # A MAL list: one entry matches by its title, one waits for the reader.
    page.goto("/library/import/")
    page.set_input_files("input[name=file]", str(_mal_file(tmp_path, KNOWN)))
    page.locator("main form button", has_text="Import").click()
    expect(page.locator(".messages")).to_contain_text(
        "Imported: 0 added, 1 updated, 0 unchanged, 1 waiting to be matched, 0 rejected."
    )
    waiting = page.locator("ul.unmatched > li").first
    expect(waiting).to_contain_text(UNKNOWN)
    waiting.locator("input[type=search]").fill("Vermilion")
    waiting.locator("button", has_text="Search").click()
    page.locator("ul.unmatched > li").first.locator("button", has_text="This is it").first.click()
    expect(page.locator(".messages")).to_contain_text("Matched:")
    expect(page.locator("main")).to_contain_text("Nothing is waiting.")
    violations.collect()
    screenshot(page, "library-03-import")

    page.goto("/library/?sort=title")
    rows = page.locator("table.library tbody tr")
    expect(rows.filter(has_text=KNOWN)).to_contain_text("2024-03")
    expect(rows.filter(has_text="Vermilion Thread")).to_contain_text("Dropped")
    page.set_viewport_size({"width": 390, "height": 800})
    violations.collect()
    screenshot(page, "library-04-phone")
    assert violations.found == []
