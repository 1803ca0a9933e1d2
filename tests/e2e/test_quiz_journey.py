"""The preference quiz in chromium on the real site: a newcomer takes it from the home page, gets the starter
list at once, confirms the avoid rule an answer proposes, and the list no longer shows what the rule hides."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

Screenshot = Callable[[Page, str], Path]  # the `screenshot` fixture of conftest.py


def _starter_names(page: Page) -> list[str]:
    return page.locator("ol.starter h2 a").all_inner_texts()


def test_a_newcomer_takes_the_quiz_and_confirms_a_proposed_rule(browser_page: Page, screenshot: Screenshot) -> None:
    page = browser_page
    # The NTR titles, found while nothing is avoided.
    page.goto("/browse/?subgenre=netorare&sort=score&per_page=100")
    ntr_names = set(page.locator("#results .card h3 a").all_inner_texts())
    assert ntr_names, "the sample must hold NTR titles for this journey to mean anything"

    page.goto("/")
    page.get_by_role("link", name="Take the preference quiz").click()
    expect(page.locator("h1")).to_have_text("What do you want to read?")
    page.get_by_label("For psychological depth").check()
    page.get_by_label("Reconciliation", exact=True).check()
    page.get_by_label("Revenge", exact=True).check()
    page.get_by_label("Acceptance", exact=True).check()
    page.get_by_label("Open", exact=True).check()
    page.get_by_label("None: no infidelity at all").check()
    screenshot(page, "quiz-01-answers")
    page.get_by_role("button", name="Show my starter list").click()

    expect(page.locator("h1")).to_have_text("Your starter list")
    expect(page.locator("ol.starter li.starter-item").first).to_be_visible()
    expect(page.locator("ul.reasons").first).to_contain_text("no infidelity — your limit")
    expect(page.locator("main")).not_to_contain_text("revenge ending")  # the ending filters, unnamed
    proposed = page.locator("section.proposed")
    expect(proposed).to_contain_text("NTR-free")
    expect(proposed).to_contain_text("No tragic endings")
    screenshot(page, "quiz-02-starter")

    # Nothing is avoided until confirmed: widen the answers and NTR titles come back.
    page.goto("/quiz/")
    page.get_by_label("Core: the story is about it").check()
    page.get_by_role("button", name="Save my answers and show the list").click()
    assert set(_starter_names(page)) & ntr_names

    # Confirm the proposed NTR-free rule (offered again by the narrower answer), then widen once more.
    page.goto("/quiz/")
    page.get_by_label("None: no infidelity at all").check()
    page.get_by_role("button", name="Save my answers and show the list").click()
    page.get_by_label("NTR-free").check()
    page.get_by_role("button", name="Add the ticked rules").click()
    expect(page.locator(".messages, main").first).to_contain_text("Added to your avoid rules: NTR-free")
    expect(page.locator("section.proposed")).not_to_contain_text("NTR-free")
    page.goto("/quiz/")
    page.get_by_label("Core: the story is about it").check()
    page.get_by_role("button", name="Save my answers and show the list").click()
    names = _starter_names(page)
    assert names
    assert not set(names) & ntr_names
    expect(page.locator(".status-bar form.switch button")).to_have_text("NTR-free: on")
    screenshot(page, "quiz-03-after-rule")
