"""The reviews' XSS corpus through every text field of reading lists (name, introduction, item notes, a
suggestion's note) and of pairs (a reason), rendered in chromium wherever they show: nothing executes,
chromium logs no error, the CSP reports no violation, and nothing in the page's main part is a script, a
handler or a javascript:/data: link."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import sign_up
from tests.e2e.test_reviews_xss import BODY, SHORT, Watch, contexts  # noqa: F401 (contexts: a fixture)

pytestmark = pytest.mark.browser

PASSWORD = "a-long-xss-lists-password"
TITLE = "A Ferry Song for Two"
SLUG = "a-ferry-song-for-two"
OTHER, OTHER_SLUG = "A Promise Under the Banyan", "a-promise-under-the-banyan"
# The reviews' check looks inside review markup; a list's reader text is all over the page's main part.
MAIN_CHECK = """
(() => {
  const bad = [];
  for (const el of document.querySelectorAll('main *')) {
    const tag = el.tagName.toLowerCase();
    const ours = el.closest('svg.chart-svg, svg.timeline');  // the site's own charts
    if (['script', 'iframe', 'object', 'embed', 'style', 'math', 'svg'].includes(tag) && !ours)
      bad.push(`<${tag}> ${el.getAttribute('class') || ''}`);
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) bad.push(`${attr.name} on <${tag}>`);
      if (['href', 'src', 'action', 'data'].includes(attr.name) && /^\\s*(javascript|data):/i.test(attr.value))
        bad.push(`${attr.name}=${attr.value.slice(0, 30)} on <${tag}>`);
    }
  }
  return bad;
})()
"""


def _check(page: Page, watch: Watch, url: str) -> None:
    watch.check(url)
    watch.found += [f"{page.url}: {bad}" for bad in page.evaluate(MAIN_CHECK)]


def test_the_xss_corpus_executes_nowhere_in_lists_and_pairs(
    contexts: Callable[[], tuple[Page, Watch]],  # noqa: F811 (the reviews' fixture, imported to share it)
    served_root: Path,
) -> None:
    owner, owner_watch = contexts()
    owner.goto("/accounts/signup/")
    sign_up(owner, email="xss-lists@example.test", username="xss-lists", password=PASSWORD)
    owner.goto("/lists/new/")
    owner.get_by_label("Name").fill(SHORT[:120])
    owner.get_by_label("Introduction").fill(BODY[:5000])
    owner.get_by_role("button", name="Make the list").click()
    expect(owner.locator("h1")).to_contain_text("Edit")
    edit_url = owner.url.split("#")[0]
    add = owner.locator("form[action$='/items/']")
    add.locator("input[name=title]").fill(TITLE)
    add.locator("textarea[name=note]").fill(SHORT)
    add.get_by_role("button", name="Add to the list").click()
    expect(owner.locator("#list-order")).to_contain_text(TITLE)
    list_url = edit_url.removesuffix("edit/")

    fan, fan_watch = contexts()
    fan.goto("/accounts/signup/")
    sign_up(fan, email="xss-fan@example.test", username="xss-fan", password=PASSWORD)
    fan.goto(list_url)
    fan.locator("#suggest-title").fill("A Promise Under the Banyan")
    fan.get_by_label("Why it belongs here").fill(SHORT)
    fan.get_by_role("button", name="Suggest it to the list's owner").click()
    expect(fan).to_have_url(re.compile(r"#suggested$"))
    fan.goto(f"/titles/{SLUG}/")  # and a pair's reason, the other text a reader writes about titles
    fan.get_by_text("Suggest a title for readers who liked this").click()
    fan.locator("#pair-other").fill(OTHER)
    fan.locator("#pair-reason").fill(BODY[:1000])
    fan.get_by_role("button", name="Suggest the pair").click()
    expect(fan).to_have_url(re.compile(r"#pair-\d+$"))

    pages = ("/lists/", f"/titles/{SLUG}/", f"/titles/{SLUG}/pairs/", f"/titles/{OTHER_SLUG}/")
    for url in (edit_url, list_url, *pages):
        _check(owner, owner_watch, url)
    expect(owner.locator("main")).to_contain_text("alert(2)")  # shown, as text
    visitor, visitor_watch = contexts()
    for url in (list_url, "/lists/?q=script", *pages):
        _check(visitor, visitor_watch, url)
    found = owner_watch.found + fan_watch.found + visitor_watch.found
    assert not found, "\n".join(found[:30])
