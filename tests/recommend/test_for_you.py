"""`/for-you/`, its forms, the API, the title page's panel and row, the settings page and the data export."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.test import Client

from shuraba.accounts.models import User
from shuraba.accounts.rules import rules_parse
from shuraba.catalog.models import Credit, Title
from shuraba.library.services import entry_save
from shuraba.recommend.models import NeverCreator, NotInterested
from shuraba.recommend.training import recommend_train

QUIZ = {"motives": ["intensity"], "endings": ["revenge", "reconciliation"], "consent": "no-coercion"}
ITEM = re.compile(r'<li class="rec-item" id="rec-([\w-]+)"')


def _slugs(client: Client, url: str = "/for-you/") -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return ITEM.findall(response.content.decode())


def _ntr_slugs() -> set[str]:
    rule = rules_parse([], ["ntr-free"]).rules[0]
    return set(Title.objects.filter(rule.condition()).values_list("slug", flat=True))


def test_a_visitor_without_answers_is_sent_to_the_quiz(unverified: Client) -> None:
    page = unverified.get("/for-you/").content.decode()
    assert 'href="/quiz/"' in page
    assert not ITEM.findall(page)


def test_a_visitor_with_quiz_answers_gets_quiz_only_titles_with_reasons_and_no_buttons(unverified: Client) -> None:
    unverified.post("/quiz/", QUIZ)
    page = unverified.get("/for-you/").content.decode()
    assert ITEM.findall(page)
    reasons = " ".join(re.findall(r'<ul class="reasons">(.*?)</ul>', page, re.S))
    assert "ending" not in reasons  # the default setting hides spoilers: an ending row gives no reason at all
    assert "Not interested</button>" not in page


def test_not_interested_takes_a_title_out_and_undo_brings_it_back(reader: User, reader_client: Client) -> None:
    reader_client.post("/quiz/", QUIZ)
    first = _slugs(reader_client)[0]
    response = reader_client.post("/for-you/not-interested/", {"title": first, "action": "add"})
    assert response.status_code == 302
    assert first not in _slugs(reader_client)
    assert f'href="/titles/{first}/"' not in reader_client.get("/quiz/starter/").content.decode()
    assert NotInterested.objects.filter(user=reader, title__slug=first).exists()
    reader_client.post("/for-you/not-interested/", {"title": first, "action": "undo"})
    assert first in _slugs(reader_client)


def test_with_htmx_the_item_is_replaced_by_what_was_done_and_its_undo(reader_client: Client) -> None:
    reader_client.post("/quiz/", QUIZ)
    first = _slugs(reader_client)[0]
    response = reader_client.post(
        "/for-you/not-interested/", {"title": first, "action": "add"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<li class="rec-item rec-done"')
    assert 'name="action" value="undo"' in body


def test_never_this_creator_takes_out_every_title_they_made(reader: User, reader_client: Client) -> None:
    reader_client.post("/quiz/", QUIZ)
    slugs = _slugs(reader_client)
    credit = Credit.objects.filter(title__slug__in=slugs).select_related("creator").first()
    assert credit is not None
    reader_client.post("/for-you/never-creator/", {"creator": credit.creator.slug})
    theirs = set(Credit.objects.filter(creator=credit.creator).values_list("title__slug", flat=True))
    assert not set(_slugs(reader_client)) & theirs
    assert NeverCreator.objects.filter(user=reader, creator=credit.creator).exists()


def test_bad_form_input_is_a_4xx_with_a_message(reader_client: Client, unverified: Client) -> None:
    assert reader_client.post("/for-you/not-interested/", {"title": "no-such-title"}).status_code == 404
    bad = reader_client.post("/for-you/not-interested/", {"title": "x", "action": "maybe"})
    assert bad.status_code == 400
    assert "undo" in bad.content.decode()
    assert reader_client.post("/for-you/never-creator/", {"creator": "nobody-at-all"}).status_code == 400
    assert unverified.post("/for-you/not-interested/", {"title": "x"}).status_code == 302  # to sign in


def test_a_hidden_title_cannot_be_marked_and_is_never_proposed(reader_client: Client, gated_title: Title) -> None:
    assert reader_client.post("/for-you/not-interested/", {"title": gated_title.slug}).status_code == 404
    reader_client.post("/quiz/", {"motives": ["intensity", "depth"]})
    assert gated_title.slug not in _slugs(reader_client)


def test_an_ntr_free_reader_sees_no_ntr_title_for_them_nor_more_like_this(reader_client: Client) -> None:
    reader_client.post("/settings/avoid/", {"rules": "", "presets": ["ntr-free"]})
    reader_client.post("/quiz/", {"motives": ["depth"], "lengths": ["short", "medium", "long"]})
    ntr = _ntr_slugs()
    slugs = _slugs(reader_client)
    assert slugs
    assert not set(slugs) & ntr
    shown = Title.objects.exclude(slug__in=ntr).filter(content_rating__in=["all-ages", "teen"]).first()
    assert shown is not None
    page = reader_client.get(f"/titles/{shown.slug}/").content.decode()
    row = page.split('id="more-like-this"')[1].split("</section>")[0] if 'id="more-like-this"' in page else ""
    assert not set(re.findall(r'href="/titles/([\w-]+)/"', row)) & ntr


def test_the_title_page_says_will_i_like_this_axis_by_axis_without_naming_a_hidden_ending(
    unverified: Client, open_title: Title
) -> None:
    unverified.post("/quiz/", {"endings": ["revenge", "tragedy"], "motives": ["intensity"]})
    page = unverified.get(f"/titles/{open_title.slug}/").content.decode()
    panel = page.split('id="will-i-like"')[1].split("</section>")[0]
    assert "% fit" in panel
    assert "ending: not shown (you hide spoilers)" in panel
    ending = open_title.axis_values.get(axis__key="ending").value.label
    assert ending.lower() not in panel.lower()
    assert "intensity" in panel


def test_more_like_this_lists_titles_that_share_the_profile(adult: Client) -> None:
    title = Title.objects.filter(axis_values__axis__key="subgenre", content_rating="teen").first()
    assert title is not None
    page = adult.get(f"/titles/{title.slug}/").content.decode()
    row = page.split('id="more-like-this"')[1].split("</section>")[0]
    assert f'href="/titles/{title.slug}/"' not in row
    assert re.findall(r'href="/titles/([\w-]+)/"', row)


def test_the_settings_page_lists_what_was_set_aside_with_undo_and_the_export_carries_it(
    reader: User, reader_client: Client
) -> None:
    title = Title.objects.filter(content_rating="teen").order_by("slug").first()
    credit = Credit.objects.select_related("creator").first()
    assert title is not None
    assert credit is not None
    reader_client.post("/for-you/not-interested/", {"title": title.slug})
    reader_client.post("/for-you/never-creator/", {"creator": credit.creator.slug})
    page = reader_client.get("/settings/").content.decode()
    section = page.split('id="set-aside"')[1].split("</section>")[0]
    assert title.title in section
    assert credit.creator.name in section
    assert section.count('value="undo"') == 2
    export = json.loads(reader_client.get("/settings/export.json").content)
    assert export["not_interested"]["titles"][0]["title"] == title.slug
    assert export["never_creators"][0]["creator"] == credit.creator.slug


def _csrf_client(user: User) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/quiz/")
    return client, client.cookies["csrftoken"].value


def test_the_api_gives_items_with_reasons_and_marks_not_interested_with_undo(reader: User) -> None:
    client, token = _csrf_client(reader)
    client.put(
        "/api/v1/me/preferences", json.dumps(QUIZ), content_type="application/json", headers={"X-CSRFToken": token}
    )
    got = client.get("/api/v1/me/recommendations?limit=5").json()
    assert got["based_on"] == "quiz only"
    assert 0 < len(got["items"]) <= 5
    assert all(item["reasons"] for item in got["items"])
    slug = got["items"][0]["slug"]
    url = f"/api/v1/me/recommendations/{slug}/not-interested"
    assert client.post(url).status_code == 403  # no CSRF header
    assert client.post(url, headers={"X-CSRFToken": token}).json() == {"title": slug, "not_interested": True}
    assert slug not in [i["slug"] for i in client.get("/api/v1/me/recommendations").json()["items"]]
    assert client.delete(url, headers={"X-CSRFToken": token}).json()["not_interested"] is False


def test_the_api_refuses_bad_input_with_a_message(reader: User, unverified: Client) -> None:
    client, token = _csrf_client(reader)
    for limit in ("0", "51", "many"):
        response = client.get(f"/api/v1/me/recommendations?limit={limit}")
        assert response.status_code == 400
        assert "limit" in response.json()["detail"]
    missing = client.post("/api/v1/me/recommendations/no-such-title/not-interested", headers={"X-CSRFToken": token})
    assert missing.status_code == 404
    assert unverified.post("/api/v1/me/recommendations/x/not-interested").status_code == 401
    assert unverified.get("/api/v1/me/recommendations").json()["based_on"] == "nothing"


def test_a_trained_model_adds_co_reader_reasons_that_name_a_title_of_the_reader_s_library(
    reader: User, reader_client: Client, model_dir: Path
) -> None:
    flat = User.objects.create_user("flat", password="a-long-flat-password")  # gives everything a 10: left out
    titles = list(Title.objects.filter(content_rating__in=["all-ages", "teen"]).order_by("slug")[:8])
    for number in range(4):  # four readers who scored the same six titles 8 or more
        other = User.objects.create_user(f"other{number}", password="a-long-other-password")
        for place, title in enumerate(titles[:6]):  # scores that vary: a well-kept library
            entry_save(user=other, title=title, changes={"status": "completed", "score": 8 + (place + number) % 3})
    for title in titles:
        entry_save(user=flat, title=title, changes={"status": "completed", "score": 10})
    entry_save(user=reader, title=titles[0], changes={"status": "completed", "score": 9})
    trained = recommend_train()
    assert trained.readers == 4
    page = reader_client.get("/for-you/").content.decode()
    assert f"readers who scored {titles[0].title} 8+ scored it 8+" in page.replace("&#x27;", "'")
    assert titles[0].slug not in ITEM.findall(page)  # in the library: never proposed
