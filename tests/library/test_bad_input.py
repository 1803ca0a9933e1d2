"""Odd input the library's pages and API answer with a 4xx that names it, never a 500: digits that are not
ASCII (Python's isdigit says yes to "²"), JSON numbers and nesting past what Python reads, NUL characters
(PostgreSQL keeps none)."""

from __future__ import annotations

import pytest
from django.test import Client

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.library.models import LibraryEntry


def _csrf(client: Client) -> dict[str, str]:
    client.get("/library/")
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


@pytest.mark.parametrize(
    "url",
    [
        "/library/?page=²",
        "/library/?score_min=²",
        "/api/v1/me/library?page=²",
        "/library/?q=%00",
        "/u/reader/?page=²",
    ],
)
def test_odd_query_values_are_answered_without_a_500(reader_client: Client, url: str) -> None:
    assert reader_client.get(url).status_code in {200, 400}


@pytest.mark.parametrize(
    ("field", "value"),
    [("started_on", "²²²²"), ("notes", "a\x00b"), ("chapters_read", "²")],
)
def test_odd_form_values_are_a_400_that_names_the_field(
    reader: User, reader_client: Client, field: str, value: str
) -> None:
    title = Title.objects.filter(content_rating="teen").order_by("pk").first()
    assert title is not None
    response = reader_client.post(f"/library/titles/{title.slug}/", {"status": "reading", field: value})
    assert response.status_code == 400
    assert f"Not saved: {field}:" in response.content.decode()
    assert not LibraryEntry.objects.filter(user=reader).exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"title": "a-ferry-song-for-two", "chapters_read": ' + "9" * 5000 + "}",
        "[" * 100_000,
        '{"title": "a-ferry-song-for-two", "notes": "a\\u0000b"}',
    ],
)
def test_odd_json_bodies_are_a_400(reader: User, reader_client: Client, body: str) -> None:
    headers = _csrf(reader_client)
    response = reader_client.post("/api/v1/me/library", body, content_type="application/json", **headers)
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not LibraryEntry.objects.filter(user=reader).exists()


def test_an_odd_unmatched_id_is_a_400(reader_client: Client) -> None:
    response = reader_client.post("/library/import/resolve/", {"unmatched": "²", "action": "leave"})
    assert response.status_code == 400
