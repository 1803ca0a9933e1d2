"""Every page under the Content-Security-Policy, in chromium: a crawl from the home page through every
same-site link (a few URLs per URL pattern), as an anonymous visitor and as an 18+ reader who shows
spoilers, with every CSP violation collected; htmx's live filtering and the Swagger UI must work under it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.urlmap import SIGNED_IN_API, SIGNED_IN_ONLY, url_patterns

pytestmark = pytest.mark.browser

PER_PATTERN = 4  # distinct URLs visited per URL pattern: enough for every template and its variants
NOT_PAGES = {"healthz", "api-1:openapi-json", "api-1:titles_list", "api-1:title_by_id", "api-1:title_by_slug"}
NOT_PAGES |= {"api-1:taxonomy", "api-1:search", "api-1:avoid_rules_get", "api-1:avoid_rules_put"}
NOT_PAGES |= {"api-1:title_reviews", "api-1:reviews_recent", "api-1:review_get", "api-1:title_votes", "api-1:suggest"}
# Downloads, and allauth's pages that only a mailed key, a signed-in reader or a finished flow reaches.
NOT_PAGES |= {"avoid-rules-export", "settings-export", *SIGNED_IN_ONLY, *SIGNED_IN_API}
NOT_PAGES |= {
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
}
# A reader's profile and shared entries: the served site has no readers, so no link reaches them
# (tests/library/test_profile.py checks that they carry no inline style or script).
NOT_PAGES |= {"profile", "entry-shared"}
# Nor reviews: a review's own page and its spoiler blocks are checked under the CSP by the reviews journey.
NOT_PAGES |= {"review-detail", "review-block"}
# Feeds, the sitemap and the lists' API are XML and JSON, not pages (tests/feeds and tests/lists read them).
NOT_PAGES |= {"reviews-rss", "reviews-atom", "title-reviews-rss", "title-reviews-atom", "lists-rss", "lists-atom"}
NOT_PAGES |= {"sitemap", "sitemap-section", "api-1:lists_index", "api-1:list_get", "api-1:title_pairs"}
# A title's whole pairs page is linked from a title with more than five pairs, which the served sample has not;
# the lists' XSS journey loads it under the CSP.
NOT_PAGES |= {"title-pairs"}
NOT_PAGES |= {"api-1:preferences_get", "api-1:preferences_put"}  # JSON; the quiz's pages are linked from /settings/
NOT_PAGES |= {"api-1:recommendations_get"}  # JSON; For you itself is linked from the home page
PAGES = {name for name, _ in url_patterns()} - NOT_PAGES
# Registered before any page script runs; a violation anywhere in the page's life lands in window.__csp.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _pattern(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


class Violations:
    """CSP violations from the page's own listener and from chromium's console, per URL."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.found: list[str] = []
        page.on("console", self._console)

    def _console(self, message: object) -> None:
        text = getattr(message, "text", "")
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.found.append(f"{self.page.url}: console: {text}")

    def collect(self) -> None:
        self.found += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__csp || []")]


def _context(chromium: Browser, live_site: str) -> BrowserContext:
    context = chromium.new_context(base_url=live_site)
    context.add_init_script(LISTEN)
    return context


def _crawl(page: Page, violations: Violations, live_site: str) -> dict[str, list[str]]:
    """Breadth first from `/` over same-site links, at most PER_PATTERN URLs per pattern; returns them."""
    seen: dict[str, list[str]] = {}
    queue, queued = ["/"], {"/"}
    while queue:
        url = queue.pop(0)
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, f"{url} answered {response.status}"
        violations.collect()
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(urljoin(live_site + url, href))
            if f"{target.scheme}://{target.netloc}" != live_site:
                continue
            local = target.path + (f"?{target.query}" if target.query else "")
            name = _pattern(target.path)
            if name not in PAGES or local in queued or len(seen.setdefault(name, [])) >= PER_PATTERN:
                continue
            seen[name].append(local)
            queue.append(local)
            queued.add(local)
    return seen


def _live_filtering_works(page: Page, violations: Violations) -> None:
    page.goto("/browse/")
    before = page.locator("#results").inner_text()
    with page.expect_response(lambda r: "/browse/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("form.filters input[name=subgenre][value=netorare]").check()
    expect(page.locator("#results")).not_to_have_text(before)
    expect(page).to_have_url(re.compile(r"/browse/\?subgenre=netorare$"))  # htmx pushed the shareable URL
    violations.collect()


def _swagger_ui_works(page: Page, violations: Violations) -> None:
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.locator(".swagger-ui .opblock").count() >= 5
    violations.collect()


@pytest.fixture
def anonymous(chromium: Browser, live_site: str) -> Iterator[Page]:
    context = _context(chromium, live_site)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def adult_with_spoilers(chromium: Browser, live_site: str) -> Iterator[Page]:
    context = _context(chromium, live_site)
    try:
        page = context.new_page()
        page.goto("/age-gate/")
        page.get_by_role("button", name="I am 18 or older").click()
        expect(page.locator(".status-bar")).to_contain_text("18+ titles shown")
        page.goto("/settings/")
        page.get_by_label("Show all spoilers, endings included").check()
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".status-bar")).to_contain_text("all spoilers shown")
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("viewer", ["anonymous", "adult_with_spoilers"])
def test_every_page_loads_under_the_csp_without_a_violation(
    request: pytest.FixtureRequest, live_site: str, viewer: str
) -> None:
    page: Page = request.getfixturevalue(viewer)
    violations = Violations(page)
    seen = _crawl(page, violations, live_site)
    _live_filtering_works(page, violations)
    _swagger_ui_works(page, violations)
    assert not violations.found, "\n".join(violations.found[:20])
    unreached = PAGES - set(seen) - {"home"}
    assert not unreached, f"no link reaches these pages, so the crawl missed them: {sorted(unreached)}"
