"""Login throttling (django-axes) on every login form: after the limit, even the right password is refused."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from shuraba.accounts.models import User

PASSWORD = "a-long-reader-password"


def _fail_until_locked(client: Client, url: str, data: dict[str, str]) -> list[int]:
    return [client.post(url, data).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]


def test_site_login_is_refused_after_the_limit_even_with_the_right_password(reader: User) -> None:
    client = Client()
    statuses = _fail_until_locked(client, "/accounts/login/", {"login": "reader", "password": "wrong"})
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = client.post("/accounts/login/", {"login": "reader", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    assert not client.get("/").context["user"].is_authenticated


def test_site_login_by_email_counts_against_the_same_name_in_any_case(reader: User) -> None:
    client = Client()
    _fail_until_locked(client, "/accounts/login/", {"login": "Reader@Example.test", "password": "wrong"})
    assert client.post("/accounts/login/", {"login": "reader@example.test", "password": PASSWORD}).status_code == 429


def test_admin_login_is_refused_after_the_limit_even_with_the_right_password(editor: User) -> None:
    client = Client()
    data = {"username": "ed", "password": "wrong", "next": "/admin/"}
    statuses = _fail_until_locked(client, "/admin/login/", data)
    assert statuses[-1] == 429
    locked = client.post("/admin/login/", {**data, "password": "a-long-editor-password"})
    assert locked.status_code == 429
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_a_lockout_holds_one_name_only(reader: User, editor: User) -> None:
    client = Client()
    _fail_until_locked(client, "/accounts/login/", {"login": "reader", "password": "wrong"})
    assert client.post("/accounts/login/", {"login": "ed", "password": "a-long-editor-password"}).status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(reader: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"login": "reader", "password": "wrong"})
    assert client.post("/accounts/login/", {"login": "reader", "password": PASSWORD}).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/accounts/login/", {"login": "reader", "password": "wrong"}).status_code == 200
