"""Reading lists and guides in chromium on the real site (issue 14's bar): an editor publishes a starter list
and puts it in order by dragging and from the keyboard, then writes a guide page with an embedded live list
(previewed, then saved); a reader whose rule hides tragedies sees the honest count on the list, on the home
page and in the guide's embedded list; a second reader's private list is a 404 to everyone else."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import sign_up
from tests.e2e.test_csp import Violations
from tests.e2e.test_reviews_journey import EDITOR_PASSWORD, pages, served_editor, sign_in  # noqa: F401 (pages)

pytestmark = pytest.mark.browser

Screenshot = Callable[[Page, str], Path]
EDITOR = "lists-editor"
PASSWORD = "a-long-lists-password"
LIST_NAME = "Starter list: stories that end in tragedy, and some that do not"
EMBED = '{{ list "subgenre:netorare,revenge" sort:title limit:20 }}'


def _titles(page: Page, live_site: str, ending: str) -> list[tuple[str, str]]:
    """Two titles a visitor may see with this ending: (slug, name)."""
    found = json.loads(page.request.get(f"{live_site}/api/v1/search?per_page=2&ending={ending}").text())
    titles = [(item["slug"], item["title"]) for item in found["items"]]
    assert len(titles) == 2, f"the sample catalog has two visible titles ending in {ending}"
    return titles


def _total(page: Page, live_site: str, query: str) -> int:
    return int(json.loads(page.request.get(f"{live_site}/api/v1/search?per_page=1&query={query}").text())["total"])


def _guide_with_a_live_list(ed: Page) -> str:
    """The editor writes a guide page embedding a live list, previews it, saves it; its address."""
    ed.goto("/guide/")
    ed.get_by_role("link", name="Write a new page").click()
    ed.get_by_label("What it is").select_option("guide")
    ed.get_by_label("Slug").fill("endings-side-by-side")
    ed.get_by_label("Title").fill("Endings side by side")
    ed.get_by_label("Summary").fill("Netorare and revenge, live.")
    ed.get_by_label("Body").fill(f"Compare them.\n\n{EMBED}\n\nThen decide.")
    ed.get_by_role("button", name="Preview").click()
    expect(ed.locator("#preview + p + article .embed .card").first).to_be_visible()
    ed.get_by_role("button", name="Save").click()
    expect(ed.locator("h1")).to_contain_text("History of")
    return "/guide/endings-side-by-side/"


def _order(page: Page) -> list[str]:
    return page.locator("#list-order li[data-item] strong").all_inner_texts()


def test_a_starter_list_a_readers_rule_and_a_private_list(
    pages: Callable[[], tuple[Page, Violations]],  # noqa: F811 (the reviews journey's fixture, shared)
    served_root: Path,
    live_site: str,
    screenshot: Screenshot,
) -> None:
    served_editor(served_root, EDITOR)
    ed, ed_csp = pages()
    sign_in(ed, EDITOR, EDITOR_PASSWORD)
    tragic, other = _titles(ed, live_site, "tragedy"), _titles(ed, live_site, "reconciliation")

    # The editor makes the list, adds four titles with notes, and orders them.
    ed.goto("/lists/")
    ed.get_by_role("link", name="Make a list").click()
    ed.get_by_label("Name").fill(LIST_NAME)
    ed.get_by_label("Introduction").fill("Four stories to *start* with.")
    ed.get_by_label("Whose list").select_option("editorial")
    ed.get_by_label(re.compile("A starter list")).check()
    ed.get_by_role("button", name="Make the list").click()
    expect(ed.locator("h1")).to_contain_text("Edit")
    add = ed.locator("form[action$='/items/']")
    for slug, name in (tragic[0], other[0], tragic[1], other[1]):
        add.locator("input[name=title]").fill(name)
        add.locator("textarea[name=note]").fill(f"Why {slug} is here.")
        add.get_by_role("button", name="Add to the list").click()
        expect(ed.locator("#list-order")).to_contain_text(name)
    assert _order(ed) == [tragic[0][1], other[0][1], tragic[1][1], other[1][1]]
    items = ed.locator("#list-order li[data-item]")
    items.nth(3).drag_to(items.nth(0))
    expect(ed.locator("#order-status")).to_have_text("Order saved.")
    ed.reload()
    assert _order(ed) == [other[1][1], tragic[0][1], other[0][1], tragic[1][1]], "the dragged order was saved"
    ed.locator("#list-order li[data-item]").nth(0).get_by_role("button", name=re.compile("down$")).focus()
    ed.keyboard.press("Enter")  # the keyboard's way, without the script
    expect(ed.locator("#list-order li[data-item] strong").first).to_have_text(tragic[0][1])
    screenshot(ed, "lists-01-editor-orders")
    ed.get_by_role("link", name=LIST_NAME).click()
    list_url = ed.url
    expect(ed.locator(".list-count")).to_have_text("4 of 4 titles shown.")
    guide_url = _guide_with_a_live_list(ed)
    screenshot(ed, "lists-01b-editor-saved-guide")
    ed_csp.collect()

    # A reader whose rule hides tragedies: two of four hidden, said on the list and on the home page.
    reader, reader_csp = pages()
    reader.goto("/accounts/signup/")
    sign_up(reader, email="lists-reader@example.test", username="lists-reader", password=PASSWORD)
    embedded_query = "subgenre:netorare,revenge"
    hidden = _total(reader, live_site, f"{embedded_query} ending:tragedy")
    of = _total(reader, live_site, embedded_query)
    reader.goto("/settings/avoid/")  # (the counts above were read before the reader had a rule)
    reader.fill("textarea[name=rules]", "ending:tragedy")
    reader.get_by_role("button", name="Save rules").click()
    reader.goto(list_url)
    expect(reader.locator(".list-count")).to_contain_text("2 of 4 hidden by your rules")
    expect(reader.locator(".rules-note")).to_contain_text("“ending:tragedy”: 2")
    listed = reader.locator("ol.list-items").inner_text()
    assert other[0][1] in listed
    assert other[1][1] in listed
    for slug, name in tragic:
        assert name not in reader.content()
        assert f"Why {slug} is here." not in reader.content()
    screenshot(reader, "lists-02-reader-hidden-count")
    reader.goto("/")
    expect(reader.locator("#lists + p + ul")).to_contain_text("2 of 4 hidden by your rules")
    reader.goto(guide_url)  # the guide's live list: the same rule, counted the same way
    expect(reader.locator(".embed .rules-note")).to_contain_text(f"{hidden} of {of} hidden by your rules")
    embedded = reader.locator(".embed").inner_text()
    expect(reader.locator(".embed .card").first).to_be_visible()
    for _, name in tragic:
        assert name not in embedded
    screenshot(reader, "lists-03-reader-guide-embed")
    reader_csp.collect()

    # A second reader's private list: theirs alone.
    other_reader, other_csp = pages()
    other_reader.goto("/accounts/signup/")
    sign_up(other_reader, email="lists-private@example.test", username="lists-private", password=PASSWORD)
    other_reader.goto("/lists/new/")
    other_reader.get_by_label("Name").fill("Only for me")
    other_reader.get_by_label("Privacy").select_option("private")
    other_reader.get_by_role("button", name="Make the list").click()
    private_url = other_reader.url.removesuffix("edit/")
    assert other_reader.request.get(private_url).status == 200
    assert reader.request.get(private_url).status == 404
    visitor, visitor_csp = pages()
    assert visitor.request.get(private_url).status == 404
    visitor.goto("/lists/")
    expect(visitor.locator("main")).not_to_contain_text("Only for me")
    expect(visitor.locator("main")).to_contain_text(LIST_NAME)
    visitor_csp.collect()
    other_csp.collect()

    found = ed_csp.found + reader_csp.found + other_csp.found + visitor_csp.found
    assert not found, "\n".join(found[:20])
