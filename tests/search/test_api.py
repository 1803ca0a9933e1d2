from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from shuraba.accounts.policies import AGE_GATED_RATINGS
from shuraba.catalog import services
from shuraba.catalog.models import Title
from shuraba.search import live as index_module
from shuraba.search.live import search_index
from shuraba.search.schemas import SearchOut
from shuraba.taxonomy.services import TAXONOMY_PATH, taxonomy_sync


def test_search_response_shape_and_text_form(unverified: Client) -> None:
    data = unverified.get("/api/v1/search", {"include": "drama", "ending": "!tragedy", "intensity": "..3"}).json()
    assert set(data) == {"total", "page", "per_page", "items", "facets", "removes", "query", "hidden"}
    assert data["query"] == "drama ending:!tragedy intensity:..3"
    assert data["total"] == len(data["items"]) or data["total"] > data["per_page"]
    assert {"slug", "title", "url"} <= set(data["items"][0])
    assert "id" not in data["items"][0]
    assert sum(data["facets"]["content_rating"].values()) == data["total"]


def test_search_response_validates_against_the_documented_schema(adult: Client) -> None:
    for params in ({}, {"q": "a", "per_page": "100"}, {"include": "drama", "sort": "title"}):
        SearchOut.model_validate(adult.get("/api/v1/search", params).json())


def test_query_text_and_parameters_combine(unverified: Client) -> None:
    both = unverified.get("/api/v1/search", {"query": "subgenre:netorare", "centrality": "core"}).json()
    text_only = unverified.get("/api/v1/search", {"query": "subgenre:netorare centrality:core"}).json()
    assert both["total"] == text_only["total"]
    assert both["query"] == text_only["query"]


def test_facets_never_count_gated_titles_and_hide_spoiler_axes(unverified: Client, adult: Client) -> None:
    young = unverified.get("/api/v1/search").json()
    grown = adult.get("/api/v1/search").json()
    assert "explicit" not in young["facets"]["content_rating"]
    assert "unknown" not in young["facets"]["content_rating"]
    assert young["total"] == Title.objects.exclude(content_rating__in=AGE_GATED_RATINGS).count()
    assert grown["facets"]["content_rating"]["explicit"] > 0
    for data in (young, grown):
        assert "ending" not in data["facets"]
        assert "revelation" not in data["facets"]
    assert {h["reason"] for h in young["hidden"]} == {"age-gate", "spoilers"}
    assert all(h["count"] is None for h in young["hidden"])


def test_spoiler_facets_appear_for_a_viewer_who_shows_spoilers(unverified: Client) -> None:
    unverified.post("/settings/", {"spoilers": "all"})
    data = unverified.get("/api/v1/search").json()
    assert sum(data["facets"]["ending"].values()) > 0


def test_unknown_names_get_the_closest_valid_ones(unverified: Client) -> None:
    response = unverified.get("/api/v1/search", {"include": "revnge"})
    assert response.status_code == 400
    assert response.json()["param"] == "include"
    assert "revenge" in response.json()["detail"]
    response = unverified.get("/api/v1/search", {"subgenre": "netorase,netoraer"})
    assert response.status_code == 400
    assert "netorare" in response.json()["detail"]


def test_limits_are_400_with_the_limit(unverified: Client) -> None:
    many = ",".join(["drama"] * 101)
    assert "at most 100" in unverified.get("/api/v1/search", {"include": many}).json()["detail"]
    assert "100" in unverified.get("/api/v1/search", {"per_page": "101"}).json()["detail"]
    response = unverified.get("/api/v1/search", {"page": "99"})
    assert response.status_code == 400
    assert "past the last page" in response.json()["detail"]
    assert unverified.get("/api/v1/search", {"year": "2020..x"}).json()["param"] == "year"


def test_contradictory_filters_give_an_empty_result_not_an_error(unverified: Client) -> None:
    for params in ({"subgenre": "netorare,!netorare"}, {"intensity": "4..2"}, {"year": "2030.."}):
        response = unverified.get("/api/v1/search", params)
        assert response.status_code == 200, params
        assert response.json()["total"] == 0


def test_a_write_is_visible_to_the_next_search(unverified: Client) -> None:
    assert unverified.get("/api/v1/search", {"q": "Zebra Lighthouse"}).json()["total"] == 0
    title = services.title_create(
        slug="zebra-lighthouse", title="Zebra Lighthouse", source="editor", content_rating="teen"
    )
    services.title_alt_title_add(title=title, kind="romaji", text="Shimauma Tōdai", source="editor")
    assert unverified.get("/api/v1/search", {"q": "shimauma toudai"}).json()["total"] == 1
    services.title_update(title=title, changes={"content_rating": "explicit"}, source="editor")
    assert unverified.get("/api/v1/search", {"q": "zebra"}).json()["total"] == 0
    services.title_delete(title=Title.objects.get(slug="zebra-lighthouse"))
    assert unverified.get("/api/v1/search", {"q": "zebra"}, HTTP_X="1").json()["total"] == 0


def test_every_alternative_title_finds_its_title(unverified: Client) -> None:
    for title in Title.objects.exclude(content_rating__in=AGE_GATED_RATINGS).prefetch_related("alt_titles")[:20]:
        for alt in title.alt_titles.all():
            slugs = [
                i["slug"] for i in unverified.get("/api/v1/search", {"q": alt.text, "per_page": "100"}).json()["items"]
            ]
            assert title.slug in slugs, (title.slug, alt.text)


def _taxonomy_with_a_new_tag(tmp_path: Path) -> Path:
    edited = tmp_path / "taxonomy.toml"
    tag = '[[tags]]\nname = "Lighthouse Keepers"\ncategory = "genre"\ndefinition = "Someone tends a light."\n\n'
    text = TAXONOMY_PATH.read_text()
    start = text.index("[[tags]]")
    edited.write_text(text[:start] + tag + text[start:])
    return edited


def test_a_synced_vocabulary_is_searchable_at_once_and_an_unchanged_sync_rebuilds_nothing(
    unverified: Client, tmp_path: Path
) -> None:
    before = unverified.get("/api/v1/search", {"include": "lighthouse-keepers"})
    assert before.status_code == 400
    assert "unknown tag 'lighthouse-keepers'" in before.json()["detail"]
    index = search_index()
    taxonomy_sync()
    assert search_index() is index  # nothing changed: nothing rebuilt
    taxonomy_sync(path=_taxonomy_with_a_new_tag(tmp_path))
    title = Title.objects.exclude(content_rating__in=AGE_GATED_RATINGS).order_by("pk").first()
    assert title is not None
    services.title_tag_set(title=title, tag_slug="lighthouse-keepers", relevance=80, source="editor")
    after = unverified.get("/api/v1/search", {"include": "lighthouse-keepers"})
    assert after.status_code == 200, after.json()
    assert [i["slug"] for i in after.json()["items"]] == [title.slug]
    assert after.json()["facets"]["tags"]["lighthouse-keepers"] == 1
    assert search_index() is not index  # a new vocabulary: a new index


def test_a_large_index_serves_on_while_a_new_vocabulary_is_built_beside_it(
    unverified: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[bool] = []
    monkeypatch.setattr(index_module, "BACKGROUND_REBUILD_ABOVE", 0)
    monkeypatch.setattr(index_module, "_rebuild_in_background", lambda: started.append(True))
    serving = index_module.search_index()
    taxonomy_sync(path=_taxonomy_with_a_new_tag(tmp_path))
    title = services.title_create(slug="beacon-keeper", title="Beacon Keeper", source="editor", content_rating="teen")
    during = unverified.get("/api/v1/search", {"include": "lighthouse-keepers"})
    assert during.status_code == 400  # still parsed with the vocabulary the serving index knows
    assert unverified.get("/api/v1/search", {"q": "beacon keeper"}).json()["total"] == 1  # titles stay fresh
    assert index_module.search_index() is serving
    assert started == [True]
    index_module._rebuild()  # what the background thread runs
    assert index_module.search_index() is not serving
    assert unverified.get("/api/v1/search", {"include": "lighthouse-keepers"}).status_code == 200
    assert title.pk in index_module.search_index().slot_of


def test_a_failed_rebuild_leaves_the_next_search_to_rebuild(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    index_module.search_index()

    def broken() -> None:
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(index_module, "index_build", broken)
        index_module._rebuild()
    assert index_module._current is None
    assert index_module.search_index().size > 0


def test_a_changed_title_changes_its_card_in_the_next_search(unverified: Client) -> None:
    title = services.title_create(slug="quiet-harbour", title="Quiet Harbour", source="editor", content_rating="teen")
    first = unverified.get("/api/v1/search", {"q": "quiet harbour"}).json()["items"]
    assert [(i["title"], i["year"]) for i in first] == [("Quiet Harbour", None)]
    services.title_update(title=title, changes={"title": "Quiet Harbour Lights"}, source="editor")
    second = unverified.get("/api/v1/search", {"q": "quiet harbour"}).json()["items"]
    assert [i["title"] for i in second] == ["Quiet Harbour Lights"]
    assert second[0]["url"] == "/titles/quiet-harbour/"
    services.title_update(title=title, changes={"content_rating": "explicit"}, source="editor")
    assert unverified.get("/api/v1/search", {"q": "quiet harbour"}).json()["items"] == []
    services.title_update(title=title, changes={"content_rating": "teen"}, source="editor")
    assert len(unverified.get("/api/v1/search", {"q": "quiet harbour"}).json()["items"]) == 1
    services.title_delete(title=Title.objects.get(pk=title.pk))
    assert unverified.get("/api/v1/search", {"q": "quiet harbour"}).json()["items"] == []
