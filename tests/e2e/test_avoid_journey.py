"""Avoid rules in chromium on the real site: sign up, turn on NTR-free from the status bar, search, open a tag
page and a direct link to an NTR title (the interstitial), change the spoiler level; sign out and the rules
still apply."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import sign_up

pytestmark = pytest.mark.browser

Screenshot = Callable[[Page, str], Path]  # the `screenshot` fixture of conftest.py
USERNAME, EMAIL, PASSWORD = "avoiding-reader", "avoiding-reader@example.test", "a-long-avoiding-password"


def test_ntr_free_holds_on_every_surface_and_after_sign_out(browser_page: Page, screenshot: Screenshot) -> None:
    page = browser_page
    # An NTR title to follow a direct link to later, found while nothing is avoided.
    page.goto("/browse/?subgenre=netorare")
    ntr_href = str(page.locator("#results .card h3 a").first.get_attribute("href"))
    ntr_name = page.locator("#results .card h3 a").first.inner_text()

    page.goto("/accounts/signup/")
    sign_up(page, email=EMAIL, username=USERNAME, password=PASSWORD)

    # One click in the status bar.
    switch = page.locator(".status-bar form.switch button")
    expect(switch).to_have_text("NTR-free: off")
    switch.click()
    expect(page.locator(".status-bar form.switch button")).to_have_text("NTR-free: on")
    expect(page.locator(".status-bar form.switch button")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "avoid-01-ntr-free-on")

    # Search: the NTR title is gone, and the page says how many the rule hid and which rule.
    page.goto("/browse/?subgenre=netorare")
    expect(page.locator("#results .card")).to_have_count(0)
    note = page.locator(".rules-note").first
    expect(note).to_contain_text("hidden by your avoid rules")
    expect(note).to_contain_text("“NTR-free”")
    expect(page.locator("#results")).to_contain_text("Your avoid rules hide every title that matches")
    screenshot(page, "avoid-02-search")
    page.goto("/browse/")
    expect(page.locator("#results")).not_to_contain_text(ntr_name)

    # A tag page lists no NTR title either and says so.
    page.goto("/taxonomy/tags/infidelity/")
    expect(page.locator("ul.cards .card")).to_have_count(0)
    expect(page.locator(".rules-note")).to_contain_text("“NTR-free”")

    # A direct link: the interstitial names the rule and shows no profile fact; "show it once" opens it.
    page.goto(ntr_href)
    expect(page.locator("h1")).to_have_text("Hidden by your avoid rules")
    expect(page.locator("main")).to_contain_text("“NTR-free”")
    expect(page.locator("main")).not_to_contain_text(ntr_name)
    expect(page.locator("meta[name=robots]")).to_have_attribute("content", "noindex")
    screenshot(page, "avoid-03-interstitial")
    page.get_by_role("link", name="Show it once").click()
    expect(page.locator("h1")).to_have_text(ntr_name)
    page.goto(ntr_href)
    expect(page.locator("h1")).to_have_text("Hidden by your avoid rules")

    # The spoiler level changes; the rules stay.
    page.goto("/settings/")
    page.get_by_label("Show minor spoilers").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".status-bar .spoiler-status")).to_have_text("minor spoilers shown")
    expect(page.locator(".status-bar form.switch button")).to_have_text("NTR-free: on")

    # Signed out, the browser keeps the rules in force.
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.locator(".status-bar form.switch button")).to_have_text("NTR-free: on")
    page.goto(ntr_href)
    expect(page.locator("h1")).to_have_text("Hidden by your avoid rules")
    screenshot(page, "avoid-04-signed-out")
