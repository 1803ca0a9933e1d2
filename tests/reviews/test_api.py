"""The reviews API: read a title's reviews and one review through the viewer's policy; write, change, vote on
and report as a signed-in reader with the CSRF token; every refusal a 4xx naming what to fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shuraba.accounts.apikit import CSRF_FAILED
from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.reviews import services
from shuraba.reviews.models import Review
from tests.reviews.conftest import BODY, OPEN_SLUG, client_of, fields

URL = f"/api/v1/titles/{OPEN_SLUG}/reviews"
NEW = {"score": 8, "verdict": "recommended", "body": BODY, "finished": True, "art": 9}


def _post(client: Client, url: str, body: object, **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def _csrf_client(user: User) -> tuple[Client, dict[str, str]]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/settings/")  # sets the csrftoken cookie
    return client, {"X-CSRFToken": client.cookies["csrftoken"].value}


def test_a_reader_writes_a_review_as_json_and_reads_it_back(make_reader: Callable[..., User]) -> None:
    writer = make_reader("writer", trusted=True)
    client, csrf = _csrf_client(writer)
    assert _post(client, URL, NEW).json() == {"detail": CSRF_FAILED}
    response = _post(client, URL, NEW, **csrf)
    assert response.status_code == 201, response.json()
    made = response.json()
    assert (made["state"], made["score"], made["dimensions"]["art"], made["body"]) == ("published", 8, 9, BODY)
    assert made["blocks"] == [{"number": 1, "stage": "resolution", "chapter": 20, "folded": False}]
    assert _post(client, URL, NEW, **csrf).status_code == 409
    listing = client.get(URL).json()
    assert listing["own"]["id"] == made["id"]
    assert listing["summary"]["histogram"]["8"] == 1


def test_others_get_folded_blocks_and_never_the_source(make_reader: Callable[..., User], unverified: Client) -> None:
    writer = make_reader("writer", trusted=True)
    review = services.review_write(user=writer, title=Title.objects.get(slug=OPEN_SLUG), fields=fields())
    for client in (unverified, client_of(make_reader("behind", chapters=2))):
        shown = client.get(URL).json()["reviews"][0]
        assert shown["body"] is None
        assert shown["blocks"][0]["folded"] is True
        assert "The ending turns on the letter." not in json.dumps(shown)
    opened = unverified.get(f"/api/v1/reviews/{review.pk}?open=1").json()
    assert "The ending turns on the letter." in opened["body_html"]
    assert opened["body"] is None


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ({**NEW, "score": 0}, "score", "a whole number from 1 to 10"),
        ({**NEW, "score": True}, "score", "whole numbers, not true or false"),
        ({**NEW, "verdict": "meh"}, "verdict", "Select a valid choice"),
        ({**NEW, "body": ":::spoiler\nx"}, "body", "is not closed"),
        ({**NEW, "body": "   "}, "body", "write the review itself"),
        ({**NEW, "mood": "sad"}, "mood", "unknown field"),
        ({**NEW, "finished": "yes"}, "finished", "true or false"),
        ({"verdict": "mixed", "body": "x"}, "score", "give an overall score"),
        ([1, 2], "body", "a JSON object"),
    ],
)
def test_a_body_that_does_not_read_is_a_400_naming_the_field(
    make_reader: Callable[..., User], body: object, param: str, words: str
) -> None:
    client, csrf = _csrf_client(make_reader("writer"))
    response = _post(client, URL, body, **csrf)
    assert response.status_code == 400
    assert response.json()["param"] == param
    assert words in response.json()["detail"]
    assert not Review.objects.filter(user__username="writer").exists()


def test_a_visitor_is_told_to_sign_in_and_a_hidden_title_is_a_404(
    unverified: Client, make_reader: Callable[..., User], gated_title: Title
) -> None:
    assert _post(unverified, URL, NEW).status_code == 401
    client, csrf = _csrf_client(make_reader("writer"))
    assert _post(client, f"/api/v1/titles/{gated_title.slug}/reviews", NEW, **csrf).status_code == 404
    assert unverified.get(f"/api/v1/titles/{gated_title.slug}/reviews").status_code == 404
    assert unverified.get("/api/v1/titles/no-such-title/reviews").status_code == 404


def test_a_writer_changes_their_review_and_nobody_else_may(make_reader: Callable[..., User]) -> None:
    writer = make_reader("writer", trusted=True)
    review = services.review_write(user=writer, title=Title.objects.get(slug=OPEN_SLUG), fields=fields())
    client, csrf = _csrf_client(writer)
    url = f"/api/v1/reviews/{review.pk}"
    changed = client.patch(url, json.dumps({"score": 5}), content_type="application/json", headers=csrf)
    assert (changed.status_code, changed.json()["score"], changed.json()["verdict"]) == (200, 5, "recommended")
    other, other_csrf = _csrf_client(make_reader("other"))
    refused = other.patch(url, json.dumps({"score": 1}), content_type="application/json", headers=other_csrf)
    assert refused.status_code == 403
    assert other.delete(url, headers=other_csrf).status_code == 403
    assert client.delete(url, headers=csrf).status_code == 204
    assert not Review.objects.filter(pk=review.pk).exists()


def test_votes_and_reports_over_the_api(make_reader: Callable[..., User]) -> None:
    writer = make_reader("writer", trusted=True)
    review = services.review_write(user=writer, title=Title.objects.get(slug=OPEN_SLUG), fields=fields())
    client, csrf = _csrf_client(make_reader("voter"))
    url = f"/api/v1/reviews/{review.pk}"
    voted = client.put(f"{url}/helpful", json.dumps({"helpful": True}), content_type="application/json", headers=csrf)
    assert (voted.json()["helpful_yes"], voted.json()["my_vote"]) == (1, True)
    bad = client.put(f"{url}/helpful", json.dumps({"helpful": "yes"}), content_type="application/json", headers=csrf)
    assert bad.status_code == 400
    assert _post(client, f"{url}/reports", {"reason": "spam"}, **csrf).status_code == 201
    assert _post(client, f"{url}/reports", {"reason": "spam"}, **csrf).status_code == 409
    assert _post(client, f"{url}/reports", {"reason": "bored"}, **csrf).status_code == 400
