"""The visibility policy, end to end: every page and endpoint, as an unverified visitor and as an adult.

No explicit or unknown-rated title may appear for the unverified visitor, anywhere; no ending,
revelation or spoiler tag may appear for anyone who has not revealed it.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from shuraba.accounts.models import User
from shuraba.accounts.policies import AGE_GATED_RATINGS
from shuraba.catalog.models import FormulaStage, Title, TitleTag
from shuraba.preferences.questions import QUESTIONS
from shuraba.search.query import SPOILER_DIMENSIONS
from tests.urlmap import (
    NOT_EVERY_READERS,
    SIGNED_IN_API,
    SIGNED_IN_ONLY,
    WALK_REVIEW_SPOILER,
    concrete_urls,
    gated_urls,
    planted_queries,
    signed_in_urls,
    url_patterns,
)

PATTERNS = sorted(name for name, _ in url_patterns())
# Patterns whose URL ends in a title's number (a review's or list item's number is another sequence).
TITLE_ID_PATTERNS = {"api-1:title_by_id"}


def test_every_public_url_pattern_is_walked(db: None) -> None:
    assert set(PATTERNS) == set(concrete_urls())


def _gated_markers() -> list[str]:
    markers = []
    for title in Title.objects.filter(content_rating__in=AGE_GATED_RATINGS).prefetch_related("alt_titles"):
        markers += [f"/titles/{title.slug}/", f'"{title.slug}"', title.title]
        markers += [alt.text for alt in title.alt_titles.all() if len(alt.text) >= 6]
    return markers


def _spoiler_texts() -> list[str]:
    """Unrevealed stage notes, and the starter list's reasons that name a spoiler axis's value (an ending)."""
    notes = FormulaStage.objects.exclude(spoiler="none").exclude(note="").values_list("note", flat=True)
    reasons = [a.reason for q in QUESTIONS for a in q.answers if a.effect and a.effect.dimension in SPOILER_DIMENSIONS]
    return [n for n in notes if len(n) > 20] + reasons


def _signed_in_api_refused(client: Client, pattern: str) -> None:
    method, url = SIGNED_IN_API[pattern]
    response = getattr(client, method)(url)
    assert response.status_code == 401, pattern
    assert response.json()["detail"].startswith("sign in to "), pattern


def _fetch(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url, follow=True)  # a former numeric title id redirects to the slug
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("pattern", PATTERNS)
def test_unverified_visitor_never_sees_gated_titles_or_spoilers(unverified: Client, pattern: str) -> None:
    gated = {t.slug for t in Title.objects.filter(content_rating__in=AGE_GATED_RATINGS)}
    assert gated, "the sample catalog must contain gated titles for this test to mean anything"
    gated_ids = {str(t.pk) for t in Title.objects.filter(slug__in=gated)}
    markers, spoilers = _gated_markers(), _spoiler_texts()
    if pattern in SIGNED_IN_API:
        _signed_in_api_refused(unverified, pattern)
        return
    for url in concrete_urls()[pattern]:
        status, body = _fetch(unverified, url)
        if pattern in SIGNED_IN_ONLY:
            direct = unverified.get(url)
            assert (direct.status_code, direct["Location"].split("?")[0]) == (302, "/accounts/login/"), url
            continue
        if (
            url in gated_urls()
            or any(url.rstrip("/").endswith(slug) for slug in gated)
            or (pattern in TITLE_ID_PATTERNS and url.rstrip("/").split("/")[-1] in gated_ids)
        ):
            assert status == 404, url
            continue
        assert status == 200, url
        leaked = [m for m in markers if m in body]
        assert not leaked, f"{url} shows gated title(s): {leaked[:3]}"
        assert not [s for s in spoilers if s in body], (
            f"{url} shows an unrevealed spoiler (a stage note or an ending named in a reason)"
        )
        if pattern != "review-block":  # the block's own address is the visitor opening it
            assert WALK_REVIEW_SPOILER not in body, f"{url} shows a folded review spoiler block"


@pytest.mark.parametrize("pattern", PATTERNS)
def test_adult_sees_gated_titles_but_still_no_spoilers(adult: Client, pattern: str) -> None:
    spoilers = _spoiler_texts()
    if pattern in SIGNED_IN_API:
        _signed_in_api_refused(adult, pattern)
        return
    for url in concrete_urls()[pattern]:
        if pattern in SIGNED_IN_ONLY:
            assert adult.get(url).status_code == 302, url  # sent to sign in
            continue
        status, body = _fetch(adult, url)
        assert status == 200, url
        assert not [s for s in spoilers if s in body], (
            f"{url} shows an unrevealed spoiler (a stage note or an ending named in a reason)"
        )


@pytest.mark.parametrize("pattern", sorted(SIGNED_IN_ONLY))
def test_signed_in_reader_pages_show_no_gated_titles_or_spoilers(reader_client: Client, pattern: str) -> None:
    markers, spoilers = _gated_markers(), _spoiler_texts()
    for url in signed_in_urls()[pattern]:
        status, body = _fetch(reader_client, url)
        if pattern in NOT_EVERY_READERS:
            assert status == 404, url
            continue
        assert status in {200, 302}, url  # the password "set" page sends a reader with a password to "change"
        assert not [m for m in markers if m in body], url
        assert not [s for s in spoilers if s in body], url


@pytest.mark.parametrize("name", ["gated creator", "gated typo", "ntr-free hides", "no-tragedy hides"])
def test_each_planted_query_of_the_walks_finds_its_title_for_a_viewer_who_may_see_it(adult: Client, name: str) -> None:
    """The walks type these into the box and the autocomplete (tests/urlmap.py): each must find its hidden
    title once nothing hides it, or the walks' 'not shown' would prove nothing."""
    text, slug = planted_queries()[name]
    suggested = adult.get("/api/v1/search/suggest", {"q": text, "limit": "20"}).json()["titles"]
    assert slug in [t["slug"] for t in suggested], (name, text)
    found = adult.get("/api/v1/search", {"query": text, "per_page": "100"}).json()["items"]
    assert slug in [t["slug"] for t in found], (name, text)
    page = adult.get("/browse/", {"query": text, "per_page": "100"}).content.decode()
    assert f"/titles/{slug}/" in page, (name, text)


def test_adult_lists_include_gated_titles(adult: Client, unverified: Client) -> None:
    gated = Title.objects.filter(content_rating__in=AGE_GATED_RATINGS).count()
    adult_total = adult.get("/api/v1/titles").json()["total"]
    unverified_total = unverified.get("/api/v1/titles").json()["total"]
    assert adult_total == Title.objects.count()
    assert unverified_total == Title.objects.count() - gated


@pytest.mark.parametrize("client_name", ["unverified", "adult"])
def test_title_pages_and_api_hide_ending_revelation_and_spoiler_tags(
    client_name: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(client_name)
    hidden_tags = TitleTag.objects.exclude(spoiler="none").select_related("title", "tag")
    visible = (
        Title.objects.all() if client_name == "adult" else Title.objects.exclude(content_rating__in=AGE_GATED_RATINGS)
    )
    for title in visible:
        html = client.get(f"/titles/{title.slug}/").content.decode()
        assert "/browse/?ending=" not in html, title.slug
        assert "/browse/?revelation=" not in html, title.slug
        for row in hidden_tags.filter(title=title):
            assert f"/taxonomy/tags/{row.tag.slug}/" not in html, (title.slug, row.tag.slug)
        data = client.get(f"/api/v1/titles/by-slug/{title.slug}").json()
        profile = {axis["key"]: axis for axis in data["profile"]}
        for key in ("ending", "revelation"):
            assert profile[key]["hidden"] is True, (title.slug, key)
            assert profile[key]["values"] == [], (title.slug, key)
        for stage in data["stages"]:
            if stage["spoiler"] != "none":
                assert stage["hidden"]
                assert stage["note"] == ""
                assert stage["chapter_start"] is None
        assert {t["slug"] for t in data["tags_detail"] + data["warnings"]}.isdisjoint(
            {r.tag.slug for r in hidden_tags.filter(title=title)}
        )
        assert "ending" not in json.dumps(data["tags"])


def test_revealing_one_stage_shows_only_that_stage(unverified: Client, open_title: Title) -> None:
    resolution = open_title.stages.get(stage="resolution")
    html = unverified.get(f"/titles/{open_title.slug}/?reveal=resolution").content.decode()
    assert resolution.note in html
    ending = open_title.axis_values.get(axis__key="ending").value.key
    assert f"/browse/?ending={ending}" in html
    revelation = open_title.stages.filter(stage="revelation").first()
    if revelation is not None and revelation.spoiler != "none":
        assert revelation.note not in html
    assert "/browse/?revelation=" not in html


def test_reveal_all_in_the_api_shows_ending_and_spoiler_tags(unverified: Client, open_title: Title) -> None:
    data = unverified.get(f"/api/v1/titles/by-slug/{open_title.slug}?reveal=all").json()
    ending = next(a for a in data["profile"] if a["key"] == "ending")
    assert not ending["hidden"]
    assert [v["key"] for v in ending["values"]] == [open_title.axis_values.get(axis__key="ending").value.key]
    assert data["hidden_tag_count"] == 0


def test_global_spoiler_setting_reveals_everywhere(unverified: Client, open_title: Title) -> None:
    assert unverified.post("/settings/", {"spoilers": "all"}).status_code == 302
    note = open_title.stages.get(stage="resolution").note
    assert note in unverified.get(f"/titles/{open_title.slug}/").content.decode()
    assert unverified.post("/settings/", {"spoilers": "none"}).status_code == 302
    assert note not in unverified.get(f"/titles/{open_title.slug}/").content.decode()


def test_the_old_yes_no_spoiler_field_still_means_all_or_none(unverified: Client, open_title: Title) -> None:
    note = open_title.stages.get(stage="resolution").note
    assert unverified.post("/settings/", {"reveal_spoilers": "on"}).status_code == 302
    assert note in unverified.get(f"/titles/{open_title.slug}/").content.decode()
    assert unverified.post("/settings/", {"reveal_spoilers": "off"}).status_code == 302
    assert note not in unverified.get(f"/titles/{open_title.slug}/").content.decode()


def test_age_gate_can_be_left_again(adult: Client, gated_title: Title) -> None:
    assert adult.get(f"/titles/{gated_title.slug}/").status_code == 200
    adult.post("/age-gate/", {"confirm": "leave"})
    assert adult.get(f"/titles/{gated_title.slug}/").status_code == 404


def test_signed_in_reader_keeps_the_age_confirmation_on_the_account(editor_client: Client, gated_title: Title) -> None:
    assert editor_client.get(f"/titles/{gated_title.slug}/").status_code == 404
    editor_client.post("/age-gate/", {"confirm": "yes"})
    editor_client.session.flush()

    user = User.objects.get(username="ed")
    assert user.age_confirmed_at is not None
    fresh = Client()
    fresh.force_login(user)
    assert fresh.get(f"/titles/{gated_title.slug}/").status_code == 200


def test_filtering_on_a_spoiler_axis_filters_without_printing_the_value(unverified: Client) -> None:
    data = unverified.get("/api/v1/titles?ending=tragedy&per_page=100").json()
    assert data["total"] > 0
    tragic = set(
        Title.objects.filter(axis_values__axis__key="ending", axis_values__value__key="tragedy")
        .exclude(content_rating__in=AGE_GATED_RATINGS)
        .values_list("slug", flat=True)
    )
    assert {item["slug"] for item in data["items"]} == tragic
    assert "tragedy" not in json.dumps(data["items"])
