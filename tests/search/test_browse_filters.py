"""The browse page's filters without JavaScript: chips that each remove one filter, controls named for what
they do, groups that fold, and a wrong value said beside its own field with a "did you mean"."""

from __future__ import annotations

from itertools import pairwise
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from tests.search.formhtml import page_read

SEARCH = {
    "subgenre": "revenge,!netori",
    "perspective": "betrayed",
    "include": "love-triangle>=40",
    "exclude": "childhood-friend",
    "centrality_min": "2",
    "year_min": "2010",
    "sort": "score",
}


def _total(client: Client, url: str) -> int:
    params = {k: v for k, v in parse_qs(urlsplit(url).query).items() if k != "sort"}
    response = client.get("/api/v1/titles", params)
    assert response.status_code == 200, response.content
    return int(response.json()["total"])


def test_each_chip_removes_exactly_its_filter_and_keeps_the_sort(unverified: Client) -> None:
    page = page_read(unverified.get("/browse/", SEARCH).content.decode())
    labels = [label for label, _ in page.chips if label]
    assert labels == [
        "Remove Perspective: Betrayed partner",
        "Remove Subgenre: Revenge",
        "Remove not Subgenre: Netori",
        "Remove Tag: Love Triangle (relevance ≥ 40)",
        "Remove not Tag: Childhood Friend",
        "Remove Centrality: from major",
        "Remove Year: from 2010",
    ]
    for label, url in page.chips:
        if not label:  # "Clear all"
            assert url == "/browse/?sort=score"
            continue
        after = page_read(unverified.get(url).content.decode())
        left = [other for other, _ in after.chips if other]
        assert left == [other for other in labels if other != label], (label, url)
        assert parse_qs(urlsplit(url).query)["sort"] == ["score"]


def test_a_chip_leads_to_the_total_the_api_gives_for_its_search(unverified: Client) -> None:
    page = page_read(unverified.get("/browse/", SEARCH).content.decode())
    for label, url in page.chips:
        html = unverified.get(url).content.decode()
        assert f'<h2 id="results-count" class="results-count"><strong>{_total(unverified, url)}</strong>' in html, label


def test_every_value_offers_include_and_exclude_by_name(unverified: Client) -> None:
    page = page_read(unverified.get("/browse/").content.decode())
    boxes = [c for c in page.controls if c.attrs.get("type") == "checkbox"]
    assert len(boxes) > 150
    for box in boxes:
        negated = box.attrs["value"].startswith("!") or box.attrs["name"] == "exclude"
        verb = "Exclude " if negated else "Include "
        assert box.name.startswith(verb), (box.attrs, box.name)
        assert len(box.name) > len(verb), box.attrs
    names = {b.name for b in boxes}
    assert {"Include Netorare", "Exclude Netorare", "Exclude Tragedy"} <= names
    assert not any(b.name.strip().lower() == "not" for b in boxes)


def test_every_control_of_the_form_has_a_name(unverified: Client) -> None:
    page = page_read(unverified.get("/browse/").content.decode())
    unnamed = [c.attrs for c in page.controls if c.attrs.get("type") != "hidden" and not c.name]
    assert unnamed == []
    assert not [c for c in page.controls if c.tag == "select" and "multiple" in c.attrs]  # no Ctrl-click listboxes


def test_the_tag_picker_submits_the_parameters_the_engine_takes(unverified: Client) -> None:
    page = page_read(unverified.get("/browse/", {"include": "love-triangle>=40"}).content.decode())
    include = {c.attrs["value"] for c in page.controls if c.attrs.get("name") == "include"}
    exclude = {c.attrs["value"] for c in page.controls if c.attrs.get("name") == "exclude"}
    assert "love-triangle>=40" in include  # an included tag keeps its own threshold
    assert "love-triangle" in exclude
    assert len(include) == len(exclude) > 50
    checked = [c.attrs["value"] for c in page.controls if c.attrs.get("name") == "include" and "checked" in c.attrs]
    assert checked == ["love-triangle>=40"]


def test_headings_go_down_one_level_at_a_time(unverified: Client) -> None:
    for params in ({}, SEARCH):
        levels = page_read(unverified.get("/browse/", params).content.decode()).headings
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in pairwise(levels)), levels


def test_groups_fold_except_the_first_and_those_in_use(unverified: Client) -> None:
    html = unverified.get("/browse/", {"ending": "!tragedy"}).content.decode()
    assert '<details class="group" id="group-subgenre" open>' in html
    assert '<details class="group" id="group-ending" open>' in html
    assert '<details class="group" id="group-depth">' in html
    assert '<details class="group" id="group-tags">' in html


def test_a_wrong_year_is_said_beside_the_year_box_with_what_was_typed(unverified: Client) -> None:
    response = unverified.get("/browse/", {"year_min": "abc", "subgenre": "revenge"})
    assert response.status_code == 400
    page = page_read(response.content.decode())
    assert "year_min: year bound must be a whole number, got 'abc'" in page.slot("year")
    year = next(c for c in page.controls if c.attrs.get("name") == "year_min")
    assert year.attrs["value"] == "abc"
    assert year.attrs["aria-invalid"] == "true"
    assert "error-year" in year.attrs["aria-describedby"]
    assert page.slot("tags") == page.slot("subgenre") == ""


def test_a_mistyped_year_offers_the_year_it_likely_meant(unverified: Client) -> None:
    html = unverified.get("/browse/", {"year_min": "20l5", "subgenre": "revenge"}).content.decode()
    page = page_read(html)
    assert "Did you mean 2015?" in page.slot("year")
    assert 'href="/browse/?year_min=2015&amp;subgenre=revenge"' in html
    assert unverified.get("/browse/", {"year_min": "2015", "subgenre": "revenge"}).status_code == 200


def test_a_mistyped_value_offers_the_value_beside_its_group(unverified: Client) -> None:
    response = unverified.get("/browse/", {"subgenre": "netorar,revenge", "perspective": "betrayed"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Did you mean netorare?" in page_read(html).slot("subgenre")
    assert 'href="/browse/?subgenre=netorare%2Crevenge&amp;perspective=betrayed"' in html
    assert '<details class="group" id="group-subgenre" open>' in html


def test_a_bad_threshold_is_said_beside_the_tags(unverified: Client) -> None:
    response = unverified.get("/browse/", {"include": "love-triangle", "min_relevance": "150"})
    assert response.status_code == 400
    page = page_read(response.content.decode())
    assert "min_relevance: must be a whole number from 0 to 100, got '150'" in page.slot("tags")
    assert "Did you mean 100?" in page.slot("tags")


def test_with_htmx_the_error_reaches_its_field_out_of_band(unverified: Client) -> None:
    response = unverified.get("/browse/", {"year_min": "abc"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert response.status_code == 422
    html = response.content.decode()
    assert '<div class="field-error-slot" id="error-year" hx-swap-oob="innerHTML"><p class="field-error"' in html
    assert '<div class="field-error-slot" id="error-tags" hx-swap-oob="innerHTML"></div>' in html  # emptied


def test_a_chip_asks_htmx_for_the_whole_layout(unverified: Client) -> None:
    html = unverified.get("/browse/", {"subgenre": "revenge"}).content.decode()
    assert 'hx-target="#browse" hx-select="#browse" hx-swap="outerHTML" hx-push-url="true"' in html
    whole = unverified.get("/browse/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="browse")
    assert whole.status_code == 200
    assert '<form id="filters"' in whole.content.decode()
    assert "HX-Target" in whole["Vary"]
