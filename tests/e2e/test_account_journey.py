"""A reader's account in chromium on the real site: sign up, sign out, sign in, change the spoiler level
and see the status bar follow, remember a title's reveal and forget it, then delete the account."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import sign_up

pytestmark = pytest.mark.browser

Screenshot = Callable[[Page, str], Path]  # the `screenshot` fixture of conftest.py
USERNAME, EMAIL, PASSWORD = "browser-reader", "browser-reader@example.test", "a-long-browser-password"


def _signed_in(page: Page) -> None:
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
    expect(nav.get_by_role("link", name="Sign in")).to_have_count(0)


def _a_title_with_hidden_spoilers(page: Page) -> str:
    """Open the first netorare title whose page still hides something at this spoiler level; its slug."""
    page.goto("/browse/?subgenre=netorare")
    hrefs = page.locator("#results .card h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for href in hrefs:
        page.goto(href)
        if page.get_by_role("link", name="Reveal all spoilers for this title").count():
            return str(href).strip("/").rsplit("/", 1)[-1]
    raise AssertionError(f"no netorare title hides a spoiler: {hrefs}")


def test_reader_signs_up_signs_out_and_in_changes_spoilers_and_deletes_the_account(
    browser_page: Page, screenshot: Screenshot
) -> None:
    page = browser_page
    page.goto("/")
    expect(page.locator(".status-bar .spoiler-status")).to_have_text("spoilers hidden")

    # Sign up through the real form, reached from the header.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(page.locator("header.site")).to_be_visible()  # allauth's page inside the site's layout
    screenshot(page, "account-01-sign-up")
    sign_up(page, email=EMAIL, username=USERNAME, password=PASSWORD)
    _signed_in(page)
    screenshot(page, "account-02-signed-up")

    # Sign out from the header, then back in with the username.
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    nav.get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=login]", USERNAME)
    page.fill("input[name=password]", "not-the-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=alert]")).to_be_visible()
    screenshot(page, "account-03-sign-in-refused")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    _signed_in(page)

    # The spoiler level, changed on the settings page reached from the status bar, shows in the status bar.
    page.locator(".status-bar").get_by_role("link", name="change").click()
    expect(page).to_have_url(re.compile(r"/settings/"))
    page.get_by_label("Show minor spoilers").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".status-bar .spoiler-status")).to_have_text("minor spoilers shown")
    expect(page.get_by_label("Show minor spoilers")).to_be_checked()
    screenshot(page, "account-04-minor-spoilers")
    page.goto("/guide/")
    expect(page.locator(".status-bar .spoiler-status")).to_have_text("minor spoilers shown")

    # Reveal a title's spoilers, remember them for that title: later visits show them, until forgotten.
    slug = _a_title_with_hidden_spoilers(page)
    page.get_by_role("link", name="Reveal all spoilers for this title").click()
    expect(page.locator(".hidden-spoiler")).to_have_count(0)
    page.get_by_role("button", name="Remember for this title").click()
    expect(page).to_have_url(re.compile(rf"/titles/{slug}/#formula$"))
    expect(page.locator(".hidden-spoiler")).to_have_count(0)
    expect(page.locator(".remember-reveal")).to_contain_text("Remembered for this title: every spoiler")
    screenshot(page, "account-05-reveal-remembered")
    page.goto("/settings/")
    row = page.locator("table.reveals tr", has=page.locator(f"a[href='/titles/{slug}/']"))
    expect(row).to_contain_text("every spoiler")
    row.get_by_role("button", name="Forget").click()
    expect(page.locator("table.reveals")).to_have_count(0)
    page.goto(f"/titles/{slug}/")
    expect(page.locator(".hidden-spoiler").first).to_be_visible()

    # Delete the account: signed out, and the password no longer opens anything.
    page.goto("/settings/")
    page.fill("#delete-password", PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".messages")).to_contain_text("deleted")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()
    screenshot(page, "account-06-deleted")
    page.goto("/accounts/login/")
    page.fill("input[name=login]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=alert]")).to_be_visible()
