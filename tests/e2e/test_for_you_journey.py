""" "For you" in chromium on the real site: a newcomer signs up, takes the quiz, gets the starter list, marks
one title "not interested" (htmx replaces it in place) and it is gone on reload, from the starter list and
from "For you"; with the NTR-free preset on, no NTR title is in "For you" or in a title's "More like this"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import sign_up

pytestmark = pytest.mark.browser

Screenshot = Callable[[Page, str], Path]  # the `screenshot` fixture of conftest.py


def test_a_newcomer_marks_a_starter_title_not_interested_and_it_stays_gone(
    browser_page: Page, screenshot: Screenshot
) -> None:
    page = browser_page
    page.goto("/browse/?subgenre=netorare&sort=score&per_page=100")
    ntr_names = set(page.locator("#results .card h3 a").all_inner_texts())
    assert ntr_names, "the sample must hold NTR titles for this journey to mean anything"

    page.goto("/accounts/signup/")
    sign_up(page, email="foryou@example.test", username="foryou-newcomer", password="a-long-newcomer-password")
    page.goto("/quiz/")
    page.get_by_label("For the intensity").check()
    page.get_by_label("For psychological depth").check()
    page.get_by_role("button", name="Show my starter list").click()
    expect(page.locator("h1")).to_have_text("Your starter list")
    first = page.locator("ol.starter li.starter-item").first
    name = first.locator("h2 a").inner_text()
    first.get_by_role("button", name="Not interested").click()
    expect(page.locator("li.rec-done").first).to_contain_text(f"“{name}” will not be proposed again.")
    screenshot(page, "foryou-01-not-interested")
    page.reload()
    assert name not in page.locator("ol.starter h2 a").all_inner_texts()
    page.goto("/for-you/")
    names = page.locator("ol.for-you li.rec-item h2 a").all_inner_texts()
    assert names
    assert name not in names
    expect(page.locator("ol.for-you ul.reasons").first).to_be_visible()
    screenshot(page, "foryou-02-for-you")

    page.locator(".status-bar form.switch button").click()  # NTR-free on, from the status bar
    expect(page.locator(".status-bar form.switch button")).to_have_text("NTR-free: on")
    page.goto("/for-you/")
    names = page.locator("ol.for-you li.rec-item h2 a").all_inner_texts()
    assert names
    assert not set(names) & ntr_names
    page.locator("ol.for-you li.rec-item h2 a").first.click()
    expect(page.locator("#will-i-like")).to_be_visible()
    similar = page.locator("ul.more-like-this li a").all_inner_texts()
    assert similar, "a title of the sample shares its profile with others"
    assert not set(similar) & ntr_names
    screenshot(page, "foryou-03-title-panel")

    page.goto("/settings/")
    section = page.locator("section[aria-labelledby=set-aside]")
    expect(section).to_contain_text(name)
