"""Steps the browser journeys share."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def sign_up(page: Page, *, email: str, username: str, password: str) -> None:
    """Fill allauth's sign-up form on the current page and land signed in on the home page."""
    page.fill("input[name=email]", email)
    page.fill("input[name=username]", username)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
