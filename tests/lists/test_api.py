"""Reading lists over the API: reads through the policy, writes by the owner with their 4xx answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client, override_settings

from shuraba.accounts.models import User
from shuraba.lists.models import ListItem, ReadingList
from tests.lists.conftest import client_of, tragic_and_not


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body) if body is not None else ""
    return getattr(client, method)(url, data=data, content_type="application/json")


def test_a_reader_makes_fills_orders_and_deletes_a_list(reader: User, reader_client: Client) -> None:
    tragic, other = tragic_and_not(2)
    made = _send(
        reader_client, "post", "/api/v1/lists", {"name": "Quiet ones", "intro": "*Slow*", "privacy": "unlisted"}
    )
    assert made.status_code == 201, made.content
    slug = made.json()["slug"]
    assert made.json()["intro_html"].strip() == "<p><em>Slow</em></p>"
    for title in (other[0], other[1], tragic[0]):
        added = _send(reader_client, "post", f"/api/v1/lists/{slug}/items", {"title": title.slug, "note": "why"})
        assert added.status_code == 201, added.content
    moved = _send(reader_client, "patch", f"/api/v1/lists/{slug}/items/{tragic[0].slug}", {"position": 1})
    assert [i["title"] for i in moved.json()["items"]] == [tragic[0].slug, other[0].slug, other[1].slug]
    order = [other[1].slug, tragic[0].slug, other[0].slug]
    assert [
        i["title"]
        for i in _send(reader_client, "put", f"/api/v1/lists/{slug}/order", {"titles": order}).json()["items"]
    ] == order
    assert _send(reader_client, "put", f"/api/v1/lists/{slug}/order", {"titles": order[:2]}).status_code == 400
    assert _send(reader_client, "delete", f"/api/v1/lists/{slug}/items/{other[0].slug}").status_code == 200
    assert ListItem.objects.filter(reading_list__slug=slug).count() == 2
    assert _send(reader_client, "delete", f"/api/v1/lists/{slug}").status_code == 204
    assert not ReadingList.objects.filter(slug=slug).exists()


def test_reads_leave_out_what_the_rules_hide_and_count_it(
    editor: User, reader_client: Client, make_list: Callable[..., ReadingList]
) -> None:
    tragic, other = tragic_and_not(2)
    made = make_list(editor, [*tragic, *other], kind="editorial", starter=True)
    assert (
        _send(reader_client, "put", "/api/v1/me/avoid-rules", {"rules": ["ending:tragedy"], "presets": []}).status_code
        == 200
    )
    body = reader_client.get(f"/api/v1/lists/{made.slug}").json()
    assert (body["total"], body["hidden_by_rules"]) == (4, 2)
    assert {i["title"] for i in body["items"]} == {t.slug for t in other}
    assert body["hidden_per_rule"] == [{"rule": "ending:tragedy", "count": 2}]
    assert all(t.title not in json.dumps(body) for t in tragic)
    listed = reader_client.get("/api/v1/lists?starter=true").json()
    assert [(s["slug"], s["hidden_by_rules"]) for s in listed["lists"]] == [(made.slug, 2)]


def test_every_refusal_is_a_4xx_that_names_the_problem(
    reader: User, reader_client: Client, unverified: Client, make_list: Callable[..., ReadingList]
) -> None:
    _, other = tragic_and_not(1)
    mine = make_list(reader, other, privacy="private")
    assert _send(unverified, "post", "/api/v1/lists", {"name": "x"}).status_code == 401
    assert unverified.get(f"/api/v1/lists/{mine.slug}").status_code == 404
    cases = [
        ("post", "/api/v1/lists", "not json", 400),
        ("post", "/api/v1/lists", [1, 2], 400),
        ("post", "/api/v1/lists", {"name": ""}, 400),
        ("post", "/api/v1/lists", {"name": ["a"]}, 400),
        ("post", "/api/v1/lists", {"name": "x", "user": 1}, 400),
        ("post", "/api/v1/lists", {"name": "x", "kind": "editorial"}, 403),
        ("post", "/api/v1/lists", {"name": "x", "starter": True}, 400),
        ("post", "/api/v1/lists", {"name": "x", "privacy": "secret"}, 400),
        ("patch", f"/api/v1/lists/{mine.slug}", {"name": "y" * 121}, 400),
        ("post", f"/api/v1/lists/{mine.slug}/items", {"title": other[0].slug}, 409),
        ("post", f"/api/v1/lists/{mine.slug}/items", {"title": 5}, 400),
        ("post", f"/api/v1/lists/{mine.slug}/items", {"title": "zzzz not a title zzzz"}, 400),
        ("post", f"/api/v1/lists/{mine.slug}/items", {"title": other[0].slug, "note": "n" * 501}, 400),
        ("patch", f"/api/v1/lists/{mine.slug}/items/{other[0].slug}", {"position": "first"}, 400),
        ("patch", f"/api/v1/lists/{mine.slug}/items/nope", {"note": "x"}, 404),
        ("put", f"/api/v1/lists/{mine.slug}/order", {"titles": "abc"}, 400),
        ("post", f"/api/v1/lists/{mine.slug}/suggestions", {"title": other[0].slug}, 400),
        ("patch", "/api/v1/lists/no-such-list", {"name": "x"}, 404),
    ]
    for method, url, body, status in cases:
        response = _send(reader_client, method, url, body)
        assert response.status_code == status, (method, url, body, response.content)
        assert response.json()["detail"], (method, url)
    stranger = client_of(User.objects.create_user("stranger", password="a-long-reader-password"))
    assert _send(stranger, "patch", f"/api/v1/lists/{mine.slug}", {"name": "taken"}).status_code == 404, "private"
    ReadingList.objects.filter(pk=mine.pk).update(privacy="public")
    assert _send(stranger, "patch", f"/api/v1/lists/{mine.slug}", {"name": "taken"}).status_code == 403
    assert ReadingList.objects.get(pk=mine.pk).name == "A list"


def test_suggestions_over_the_api(reader: User, reader_client: Client, make_list: Callable[..., ReadingList]) -> None:
    _, other = tragic_and_not(2)
    made = make_list(reader, [other[0]])
    fan = client_of(User.objects.create_user("fan", password="a-long-reader-password"))
    sent = _send(fan, "post", f"/api/v1/lists/{made.slug}/suggestions", {"title": other[1].slug, "note": "fits"})
    assert sent.status_code == 201
    assert sent.json()["state"] == "pending"
    assert _send(fan, "get", f"/api/v1/lists/{made.slug}/suggestions").status_code == 403
    waiting = reader_client.get(f"/api/v1/lists/{made.slug}/suggestions").json()
    assert [(s["title"], s["by"], s["note"]) for s in waiting] == [(other[1].slug, "fan", "fits")]
    decided = _send(
        reader_client, "put", f"/api/v1/lists/{made.slug}/suggestions/{waiting[0]['id']}", {"decision": "approve"}
    )
    assert decided.json()["state"] == "approved"
    assert ListItem.objects.filter(reading_list=made, title=other[1]).exists()
    assert (
        _send(
            reader_client, "put", f"/api/v1/lists/{made.slug}/suggestions/{waiting[0]['id']}", {"decision": "maybe"}
        ).status_code
        == 400
    )


@override_settings(LIST_SUGGESTIONS_PER_DAY=1)
def test_suggestions_past_the_daily_limit_answer_429_on_the_api_and_the_page(
    reader: User, make_list: Callable[..., ReadingList]
) -> None:
    _, other = tragic_and_not(3)
    made = make_list(reader, [other[0]])
    fan = client_of(User.objects.create_user("fan", password="a-long-reader-password"))
    url = f"/api/v1/lists/{made.slug}/suggestions"
    assert _send(fan, "post", url, {"title": other[1].slug}).status_code == 201
    refused = _send(fan, "post", url, {"title": other[2].slug})
    assert refused.status_code == 429
    assert "1 suggestions per day" in refused.json()["detail"]
    page = fan.post(f"/lists/{made.slug}/suggest/", {"title": other[2].slug})
    assert page.status_code == 429
    assert "per day" in page.content.decode()


def test_a_session_write_without_the_csrf_token_is_refused(reader: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    response = client.post("/api/v1/lists", data=json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not ReadingList.objects.filter(owner=reader).exists()
