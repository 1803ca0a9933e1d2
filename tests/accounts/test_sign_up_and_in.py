"""Accounts through allauth's real forms: sign up, sign in and out, password reset, and that no form tells
whether an email address has an account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from shuraba.accounts.models import User

PASSWORD = "a-long-reader-password"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _signup(client: Client, *, username: str, email: str, password: str = PASSWORD) -> object:
    return client.post(
        "/accounts/signup/", {"username": username, "email": email, "password1": password, "password2": password}
    )


def _page(response: object) -> str:
    """A response's HTML without its per-request CSRF token, so two answers can be compared whole."""
    return CSRF.sub("", response.content.decode())  # type: ignore[attr-defined]


def test_sign_up_signs_the_reader_in_and_keeps_the_login_url(unverified: Client) -> None:
    response = _signup(unverified, username="newreader", email="new@example.test")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert unverified.get("/settings/").context["user"].username == "newreader"
    assert unverified.get("/accounts/login/").status_code == 302  # signed in: the login page sends you on


def test_sign_in_by_username_or_email_and_sign_out(unverified: Client, reader: User) -> None:
    for login in ("reader", "reader@example.test"):
        response = unverified.post("/accounts/login/", {"login": login, "password": PASSWORD})
        assert response.status_code == 302, login
        assert unverified.get("/").context["user"].is_authenticated
        assert unverified.post("/accounts/logout/").status_code == 302
        assert not unverified.get("/").context["user"].is_authenticated


def test_account_pages_render_inside_the_site_layout(unverified: Client) -> None:
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        html = unverified.get(url).content.decode()
        assert '<header class="site">' in html, url
        assert 'class="status-bar"' in html, url
        assert "<script" not in html, url  # the forms work without JavaScript, and under a strict CSP


def test_sign_up_with_a_taken_email_answers_like_a_new_one(unverified: Client, reader: User) -> None:
    fresh = _signup(Client(), username="someone", email="someone@example.test")
    taken = _signup(Client(), username="other", email="reader@example.test")
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])  # type: ignore[index, attr-defined]


def test_sign_in_failure_is_the_same_page_for_a_known_and_an_unknown_email(reader: User) -> None:
    known = Client().post("/accounts/login/", {"login": "reader@example.test", "password": "wrong-password"})
    unknown = Client().post("/accounts/login/", {"login": "nobody@example.test", "password": "wrong-password"})
    assert known.status_code == unknown.status_code == 200
    assert 'role="alert"' in known.content.decode()
    assert _page(known).replace("reader@example.test", "X") == _page(unknown).replace("nobody@example.test", "X")


def test_password_reset_answers_alike_and_mails_only_the_address_asked(reader: User) -> None:
    known = Client().post("/accounts/password/reset/", {"email": "reader@example.test"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.test"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["reader@example.test"], ["nobody@example.test"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


def test_password_reset_link_sets_a_new_password(reader: User) -> None:
    client = Client()
    client.post("/accounts/password/reset/", {"email": "reader@example.test"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    new = "another-long-password"
    response = client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password(new)


def test_password_change_needs_the_old_password(reader_client: Client, reader: User) -> None:
    new = "another-long-password"
    wrong = reader_client.post(
        "/accounts/password/change/", {"oldpassword": "nope", "password1": new, "password2": new}
    )
    assert wrong.status_code == 200
    assert 'role="alert"' in wrong.content.decode()
    right = reader_client.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert right.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password(new)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/signup/", {}),
        ("/accounts/signup/", {"username": "x y", "email": "not-an-email", "password1": "1", "password2": "2"}),
        ("/accounts/signup/", {"username": "a" * 300, "email": "a@example.test", "password1": "p", "password2": "p"}),
        ("/accounts/login/", {}),
        ("/accounts/login/", {"login": "\x00", "password": "x"}),
        ("/accounts/password/reset/", {"email": "not-an-email"}),
        ("/accounts/password/reset/", {}),
    ],
)
def test_account_forms_answer_bad_input_with_a_message(unverified: Client, url: str, data: dict[str, str]) -> None:
    response = unverified.post(url, data)
    assert response.status_code in {200, 400}, (url, data)
    assert 'role="alert"' in response.content.decode() or "errorlist" in response.content.decode(), (url, data)


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory", ACCOUNT_PREVENT_ENUMERATION=True)
def test_with_mandatory_verification_a_taken_email_gets_the_same_check_your_mail_page(reader: User) -> None:
    fresh = _signup(Client(), username="someone", email="someone@example.test")
    taken = _signup(Client(), username="other", email="reader@example.test")
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])  # type: ignore[index, attr-defined]
    assert fresh["Location"] == "/accounts/confirm-email/"  # type: ignore[index]
    assert not User.objects.filter(username="other").exists()  # no second account: the owner is mailed instead
    assert len(mail.outbox) == 2
