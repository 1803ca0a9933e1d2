"""Personal API tokens: made on /settings/tokens/ and shown once, sent as a bearer token the API acts as their
reader (their visibility included) without the session's CSRF token; a wrong or revoked token is a 401."""

from __future__ import annotations

import json
import re

from django.test import Client

from shuraba.accounts.models import ApiToken, User
from shuraba.accounts.tokens import UNKNOWN_TOKEN


def _token(reader_client: Client, name: str = "my script") -> str:
    page = reader_client.post("/settings/tokens/", {"name": name}).content.decode()
    found = re.search(r'<code id="new-token">(shb_[^<]+)</code>', page)
    assert found, page[:500]
    return found.group(1)


def test_a_token_is_shown_once_and_kept_only_as_a_digest(reader_client: Client, reader: User) -> None:
    token = _token(reader_client)
    stored = ApiToken.objects.get(user=reader)
    assert token not in (stored.digest, stored.prefix)
    assert stored.prefix == token[:10]
    again = reader_client.get("/settings/tokens/").content.decode()
    assert token not in again
    assert f"{stored.prefix}…" in again


def test_a_bearer_token_writes_as_its_reader_without_a_csrf_token(reader_client: Client, open_title: object) -> None:
    token = _token(reader_client)
    script = Client(enforce_csrf_checks=True)
    auth = {"Authorization": f"Bearer {token}"}
    answer = script.post(
        "/api/v1/me/library",
        json.dumps({"title": open_title.slug}),
        content_type="application/json",
        headers=auth,  # type: ignore[attr-defined]
    )
    assert answer.status_code == 201, answer.content
    assert script.get("/api/v1/me/library", headers=auth).json()["total"] == 1
    assert script.get("/api/v1/me/library").status_code == 401  # no token, no session: nobody


def test_a_wrong_or_revoked_token_is_a_401_and_pages_ignore_the_header(reader_client: Client, reader: User) -> None:
    token = _token(reader_client)
    wrong = Client().get("/api/v1/me/library", headers={"Authorization": "Bearer shb_not-a-token"})
    assert (wrong.status_code, wrong.json()) == (401, {"detail": UNKNOWN_TOKEN})
    stored = ApiToken.objects.get(user=reader)
    assert reader_client.post("/settings/tokens/", {"action": "revoke", "token": stored.pk}).status_code == 200
    revoked = Client().get("/api/v1/me/library", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401
    page = Client().get("/library/", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 302  # a page wants the session: sent to sign in
    assert reader_client.post("/settings/tokens/", {"action": "revoke", "token": "x"}).status_code == 400
    assert reader_client.post("/settings/tokens/", {"name": "  "}).status_code == 400


def test_a_token_sees_what_its_reader_sees(reader_client: Client, gated_title: object) -> None:
    token = _token(reader_client)
    auth = {"Authorization": f"Bearer {token}"}
    slug = gated_title.slug  # type: ignore[attr-defined]
    assert Client().get(f"/api/v1/titles/by-slug/{slug}", headers=auth).status_code == 404  # not 18+ confirmed
    reader_client.post("/settings/avoid/", {"rules": "long-distance-relationship"})
    hidden = Client().get("/api/v1/titles/by-slug/a-ferry-song-for-two", headers=auth)
    assert hidden.status_code == 403  # the reader's own rule, named
