"""An XSS corpus through every user-text field of reviews (body, "for readers who", "skip if", a report's note,
an editor's rejection reason), rendered in chromium on every page that shows them: nothing executes (no
dialog, no planted global), chromium logs no error, the CSP reports no violation, and the DOM holds no script,
no event handler and no javascript:/data: link from the corpus."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.steps import sign_up
from tests.e2e.test_csp import LISTEN
from tests.e2e.test_reviews_journey import EDITOR_PASSWORD, sign_in

pytestmark = pytest.mark.browser

SLUG = "the-tea-house-on-dihua-street"
EDITOR = "xss-editor"
PASSWORD = "a-long-xss-password"
# Each payload, if it ran, would open a dialog or set window.__xss.
CORPUS = [
    "<script>alert('script')</script>",
    "<img src=x onerror=\"alert('img')\">",
    "<svg onload=\"alert('svg')\"><script>window.__xss=1</script></svg>",
    "<a href=\"javascript:alert('href')\">js link</a>",
    "[md link](javascript:alert('md'))",
    "[md data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![md image](x\" onerror=\"alert('mdimg'))",
    "[entity link](jav&#x61;script:alert('entity'))",
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "<style>body{background:url(javascript:alert('css'))}</style>",
    "<div style=\"background:url(javascript:alert('style'))\">styled</div>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
    "<details open ontoggle=\"alert('details')\">",
    "&lt;script&gt;alert('entities')&lt;/script&gt;",
    "\u202eevil\u202c gnp.exe \u2066isolate\u2069",
    "<form action=\"javascript:alert('form')\"><button>go</button></form>",
    "<object data=\"data:text/html,<script>alert('object')</script>\"></object>",
    "<input autofocus onfocus=\"alert('focus')\">",
]
# Spoiler-block tricks: a block whose text tries to close the block's HTML, and markers in odd places.
BODY = "\n\n".join(
    [
        *CORPUS,
        ":::spoiler resolution ch. 1\n</div></div><script>alert('escape')</script><div>\n:::",
        ":::spoiler drift\n<details><summary>x</summary><img src=x onerror=alert('nested')></details>\n:::",
        "```\n:::spoiler\n<script>alert('fence')</script>\n```",
    ]
)
SHORT = "<img src=x onerror=alert('short')><script>alert(2)</script>[x](javascript:alert(3))\u202e"


class Watch:
    """Everything a page did that it should not: dialogs, console errors, CSP violations."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.found: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.found.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.found.append(f"page error: {e}"))

    def _dialog(self, dialog: object) -> None:
        self.found.append(f"dialog: {getattr(dialog, 'message', '')}")
        dialog.dismiss()  # type: ignore[attr-defined]

    def check(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None
        assert response.status == 200, f"{url} answered {response.status}"
        self.inspect()

    def inspect(self) -> None:
        """The page as it is now."""
        url = self.page.url
        self.page.wait_for_load_state("load")
        self.found += [f"{url}: csp {v}" for v in self.page.evaluate("window.__csp || []")]
        if self.page.evaluate("window.__xss === 1"):
            self.found.append(f"{url}: the planted global was set")
        self.found += [f"{url}: {bad}" for bad in self.page.evaluate(DOM_CHECK)]


# Inside what readers wrote (review bodies and fields, report notes, reasons): no script, iframe, object,
# style or form element, no on* attribute, no javascript: or data: link.
DOM_CHECK = """
(() => {
  const bad = [];
  for (const root of document.querySelectorAll('article.review, .moderate, table.log, ol.history, main p')) {
    for (const el of root.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      if (['script', 'iframe', 'object', 'embed', 'style', 'math', 'svg'].includes(tag)
          && !el.closest('svg.chart-svg')) bad.push(`<${tag}> in ${root.className || root.tagName}`);
      for (const attr of el.attributes) {
        if (attr.name.startsWith('on')) bad.push(`${attr.name} on <${tag}>`);
        if (['href', 'src', 'action', 'data'].includes(attr.name) && /^\\s*(javascript|data):/i.test(attr.value))
          bad.push(`${attr.name}=${attr.value.slice(0, 30)} on <${tag}>`);
      }
    }
  }
  return bad;
})()
"""


class _Markup(HTMLParser):
    """The elements and attributes of an HTML fragment that could run something."""

    def __init__(self) -> None:
        super().__init__()
        self.unsafe: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "iframe", "object", "embed", "style", "svg", "math", "form", "img"}:
            self.unsafe.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.unsafe.append(f"{name} on <{tag}>")
            if name in {"href", "src"} and re.match(r"\s*(javascript|data):", value or "", re.IGNORECASE):
                self.unsafe.append(f"{name}={value} on <{tag}>")


def _unsafe_markup(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    return parser.unsafe


@pytest.fixture
def contexts(chromium: Browser, live_site: str) -> Iterator[Callable[[], tuple[Page, Watch]]]:
    opened = []

    def open_page() -> tuple[Page, Watch]:
        context = chromium.new_context(base_url=live_site)
        context.add_init_script(LISTEN)
        opened.append(context)
        page = context.new_page()
        return page, Watch(page)

    yield open_page
    for context in opened:
        context.close()


def _write_review(page: Page, *, body: str, short: str) -> None:
    page.goto(f"/titles/{SLUG}/review/")
    page.get_by_label("Overall score").fill("7")
    page.get_by_label("Verdict").select_option("mixed")
    page.get_by_label("For readers who…").fill(short)
    page.get_by_label("Skip if…").fill(short)
    page.get_by_label("Review", exact=True).fill(body)
    page.get_by_role("button", name=re.compile("Publish|Save")).click()
    expect(page).to_have_url(re.compile(rf"/titles/{SLUG}/reviews/#your-review$"))


def test_the_xss_corpus_executes_nowhere(
    contexts: Callable[[], tuple[Page, Watch]], served_root: Path, live_site: str
) -> None:
    from tests.e2e.test_reviews_journey import served_editor  # noqa: PLC0415 (one helper, one place)

    served_editor(served_root, EDITOR)
    editor, editor_watch = contexts()
    sign_in(editor, EDITOR, EDITOR_PASSWORD)
    _write_review(editor, body=BODY, short=SHORT)  # an editor's review is published at once

    writer, writer_watch = contexts()
    writer.goto("/accounts/signup/")
    sign_up(writer, email="xss-writer@example.test", username="xss-writer", password=PASSWORD)
    _write_review(writer, body=BODY, short=SHORT)  # waits for the editor
    listing = json.loads(writer.request.get(f"{live_site}/api/v1/titles/{SLUG}/reviews").text())
    review_id, writer_id = listing["reviews"][0]["id"], listing["own"]["id"]
    assert listing["reviews"][0]["writer"] == EDITOR
    writer.goto(f"/reviews/{review_id}/report/")
    writer.select_option("select[name=reason]", "other")
    writer.fill("input[name=note], textarea[name=note]", SHORT)
    writer.get_by_role("button", name="Send the report").click()
    expect(writer.locator("h1")).to_contain_text("Thank you")

    editor_watch.check("/moderation/")
    editor.locator("article.review", has_text="by xss-writer").first.wait_for()
    pending = editor.locator("form.moderate", has=editor.locator("input[name=reason]")).first
    pending.locator("input[name=reason]").fill(SHORT)
    pending.get_by_role("button", name="Reject").click()
    expect(editor.locator("main")).to_contain_text("No review is waiting.")

    writer_watch.check(f"/titles/{SLUG}/reviews/")
    expect(writer.locator(f"#review-{writer_id}")).to_contain_text("Rejected by an editor")
    for url in (f"/titles/{SLUG}/", f"/reviews/{writer_id}/history/", f"/reviews/{review_id}/?open=all"):
        writer_watch.check(url)
    for url in ("/moderation/", "/moderation/log/", f"/reviews/{writer_id}/?open=all", "/reviews/"):
        editor_watch.check(url)

    visitor, visitor_watch = contexts()
    for url in (f"/titles/{SLUG}/", f"/titles/{SLUG}/reviews/", "/reviews/", f"/reviews/{review_id}/?open=all"):
        visitor_watch.check(url)
    visitor.goto(f"/reviews/{review_id}/")
    visitor.get_by_role("link", name="Open this spoiler").first.click()  # without htmx: a page with it open
    expect(visitor).to_have_url(re.compile(r"\?open=1#review-"))
    expect(visitor.locator(".spoiler-block").first).to_contain_text("alert('escape')")  # as text
    visitor_watch.inspect()
    api = visitor.request.get(f"{live_site}/api/v1/reviews/{review_id}?open=all")
    html = json.loads(api.text())["body_html"]
    assert _unsafe_markup(html) == []

    found = editor_watch.found + writer_watch.found + visitor_watch.found
    assert not found, "\n".join(found[:30])
