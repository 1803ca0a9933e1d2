"""Reviews in chromium on the real site (issue 13's bar): reader A, who completed the title, writes a review
with a stage-5 spoiler block; an editor approves it in the moderation queue; reader B at chapter 3 sees the
block folded and opens it; reader C, whose rule hides the title, finds no trace of it in any review list."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.steps import sign_up
from tests.e2e.test_csp import LISTEN, Violations
from tests.served import _site_env

pytestmark = pytest.mark.browser

Screenshot = Callable[[Page, str], Path]
SLUG, NAME = "a-ferry-song-for-two", "A Ferry Song for Two"
RULE = "long-distance-relationship"  # one of the title's tags
SECRET = "She never sends the letter, and the last page is his empty chair."
PASSWORD = "a-long-journey-password"
EDITOR, EDITOR_PASSWORD = "journey-editor", "a-long-editor-password"


def served_editor(served_root: Path, username: str = EDITOR) -> str:
    """An editor account on the served site, made the way an operator makes one (`shuraba createsuperuser`)."""
    env = {**_site_env(served_root / "data"), "DJANGO_SUPERUSER_PASSWORD": EDITOR_PASSWORD}
    shuraba = Path(sys.executable).with_name("shuraba")
    made = subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [str(shuraba), "createsuperuser", "--noinput", "--username", username, "--email", f"{username}@example.test"],
        env=env,
        cwd=served_root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0 or "already taken" in made.stderr, made.stderr
    return username


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header.site")).to_contain_text("Sign out")


@pytest.fixture
def pages(chromium: Browser, live_site: str) -> Iterator[Callable[[], tuple[Page, Violations]]]:
    """Fresh browser contexts (one per reader), each listening for CSP violations."""
    contexts = []

    def open_page() -> tuple[Page, Violations]:
        context = chromium.new_context(base_url=live_site, viewport={"width": 1280, "height": 900})
        context.add_init_script(LISTEN)
        contexts.append(context)
        page = context.new_page()
        return page, Violations(page)

    yield open_page
    for context in contexts:
        context.close()


def _shelve(page: Page, *, status: str, chapters: int) -> None:
    page.goto(f"/library/titles/{SLUG}/")
    page.select_option("select[name=status]", status)
    page.fill("input[name=chapters_read]", str(chapters))
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/library/"))


def test_a_spoiler_block_folds_by_progress_and_a_rule_leaves_no_trace(
    pages: Callable[[], tuple[Page, Violations]], served_root: Path, screenshot: Screenshot
) -> None:
    editor = served_editor(served_root)

    # Reader A completed the title and writes a review with a stage-5 spoiler block.
    a, a_csp = pages()
    a.goto("/accounts/signup/")
    sign_up(a, email="journey-a@example.test", username="journey-a", password=PASSWORD)
    _shelve(a, status="completed", chapters=68)
    a.goto(f"/titles/{SLUG}/")
    a.get_by_role("link", name="Write a review").click()
    expect(a.get_by_label("I had read it to the end")).to_be_checked()  # from the library
    a.get_by_label("Overall score").fill("8")
    a.get_by_label("Verdict").select_option("recommended")
    a.get_by_label("Art").fill("9")
    a.get_by_label("For readers who…").fill("like slow, bittersweet stories")
    a.get_by_label("Review", exact=True).fill(
        f"A gentle story about distance.\n\n:::spoiler stage 5 ch. 60\n{SECRET}\n:::\n\nThe art carries it."
    )
    a.get_by_role("button", name="Publish").click()
    expect(a.locator("#your-review")).to_contain_text("Waiting for an editor")
    expect(a.locator("#your-review")).to_contain_text(SECRET)  # the writer sees their own blocks
    screenshot(a, "reviews-01-written-waiting")
    a_csp.collect()

    # The editor approves it from the queue.
    ed, ed_csp = pages()
    sign_in(ed, editor, EDITOR_PASSWORD)
    ed.get_by_role("link", name="Moderation").click()
    queued = ed.locator("article.review", has_text="like slow, bittersweet stories")
    expect(queued).to_contain_text(SECRET)
    ed.locator("form.moderate").first.get_by_role("button", name="Approve").click()
    expect(ed.locator("main")).to_contain_text("No review is waiting.")
    ed.get_by_role("link", name="The moderation log").click()
    expect(ed.locator("table.log")).to_contain_text("approved")
    ed_csp.collect()

    # Reader B, at chapter 3, sees the block folded and opens it in place.
    b, b_csp = pages()
    b.goto("/accounts/signup/")
    sign_up(b, email="journey-b@example.test", username="journey-b", password=PASSWORD)
    _shelve(b, status="reading", chapters=3)
    b.goto(f"/titles/{SLUG}/reviews/")
    review = b.locator("article.review", has_text="The art carries it.")
    block = review.locator(".spoiler-block")
    expect(block).to_have_class(re.compile(r"folded"))
    expect(block).to_contain_text("Spoiler · the resolution stage · chapter 60")
    assert SECRET not in b.content()  # folded text is not in the page at all
    screenshot(b, "reviews-02-folded-at-chapter-3")
    block.get_by_role("link", name="Open this spoiler").click()
    expect(review.locator(".spoiler-block")).to_contain_text(SECRET)
    expect(b).to_have_url(re.compile(rf"/titles/{SLUG}/reviews/$"))  # opened in place (htmx)
    screenshot(b, "reviews-03-opened")
    review.get_by_role("button", name="Helpful", exact=True).click()
    expect(b.locator("article.review", has_text="The art carries it.")).to_contain_text("1 found it helpful")
    b_csp.collect()

    # Reader C's rule hides the title: no review list shows a trace of it.
    c, c_csp = pages()
    c.goto("/accounts/signup/")
    sign_up(c, email="journey-c@example.test", username="journey-c", password=PASSWORD)
    c.goto("/reviews/")
    expect(c.locator("main")).to_contain_text(NAME)  # before the rule, the review is listed
    c.goto("/settings/avoid/")
    c.fill("textarea[name=rules]", RULE)
    c.get_by_role("button", name="Save rules").click()
    expect(c.locator(".status-bar")).to_contain_text("1 avoid rule")
    for url in ("/reviews/", "/reviews/?picks=1", "/api/v1/reviews", f"/api/v1/titles/{SLUG}/reviews"):
        c.goto(url)
        text = c.content()
        for trace in (NAME, SLUG, "like slow, bittersweet stories", "The art carries it.", SECRET):
            assert trace not in text, f"{url} shows {trace!r}"
    c.goto("/reviews/")
    expect(c.locator(".rules-note")).to_contain_text("1 review of titles your avoid rules hide is not listed.")
    c.goto(f"/titles/{SLUG}/reviews/")
    expect(c.locator("h1")).to_have_text("Hidden by your avoid rules")
    screenshot(c, "reviews-04-hidden-by-a-rule")
    c_csp.collect()

    found = a_csp.found + ed_csp.found + b_csp.found + c_csp.found
    assert not found, "\n".join(found[:20])
