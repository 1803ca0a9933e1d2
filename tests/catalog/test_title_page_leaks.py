"""What a title page must not give away: a hidden stage's level, or a source that only gave hidden facts."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shuraba.catalog import services
from shuraba.catalog.models import Title, TitleTag
from shuraba.taxonomy.models import Tag


@pytest.fixture
def ntr_title(db: None) -> Title:
    """A visible story built on infidelity (centrality incidental or more) with an ending and a resolution:
    where a missing revelation must read as a hidden one."""
    title = (
        Title.objects.filter(content_rating="teen", stages__stage="resolution", axis_values__axis__key="ending")
        .filter(axis_values__axis__key="centrality", axis_values__value__rank__gte=1, chapters__gte=4)
        .order_by("slug")
        .first()
    )
    assert title is not None
    return title


def _page(client: Client, title: Title) -> str:
    response = client.get(f"/titles/{title.slug}/")
    assert response.status_code == 200
    # Forms carry a fresh CSRF token on every response (the status bar's NTR-free switch): not the page's content.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', response.content.decode())


def _revelation(client: Client, title: Title) -> dict[str, object]:
    stages = client.get(f"/api/v1/titles/by-slug/{title.slug}").json()["stages"]
    return next(s for s in stages if s["key"] == "revelation")


def test_a_hidden_minor_revelation_stage_reads_exactly_like_a_missing_one(unverified: Client, ntr_title: Title) -> None:
    open_title = ntr_title
    services.title_stage_remove(title=open_title, stage="revelation", source="editor")
    missing_page, missing_api = _page(unverified, open_title), _revelation(unverified, open_title)
    services.title_stage_set(
        title=open_title,
        stage="revelation",
        chapter_start=3,
        chapter_end=4,
        note="PROBE she reads the messages",
        spoiler="minor",
        source="editor",
    )
    hidden_page, hidden_api = _page(unverified, open_title), _revelation(unverified, open_title)
    assert hidden_api == missing_api
    assert hidden_api["hidden"] is True
    assert hidden_page == missing_page
    # Shown once asked for: the row is there, so the test compared a real hidden stage.
    assert "PROBE" in unverified.get(f"/titles/{open_title.slug}/?reveal=revelation").content.decode()


def test_sources_list_only_sources_of_facts_the_viewer_sees(unverified: Client, open_title: Title) -> None:
    taken = set(TitleTag.objects.filter(title=open_title).values_list("tag_id", flat=True))
    tag = Tag.objects.exclude(pk__in=taken).exclude(category__key="content-warning").order_by("slug").first()
    assert tag is not None
    services.title_tag_set(title=open_title, tag_slug=tag.slug, relevance=80, spoiler="major", source="import:probe")
    assert "import:probe" not in _page(unverified, open_title)
    revealed = unverified.get(f"/titles/{open_title.slug}/?reveal=tags").content.decode()
    assert "Sources of this profile:" in revealed
    assert "import:probe" in revealed.split("Sources of this profile:", 1)[1].split("</p>", 1)[0]


def test_the_browse_note_says_an_ending_filter_shows_which_titles_have_that_ending(unverified: Client) -> None:
    note = unverified.get("/api/v1/search", {"ending": "tragedy"}).json()["hidden"]
    text = " ".join(h["why"] for h in note)
    assert "no count gives" not in text
    assert "filtering on one ending shows which titles have it" in text


def test_a_story_where_no_partner_strays_shows_no_revelation_it_does_not_have(unverified: Client) -> None:
    """Centrality "none" (never a spoiler): a missing revelation is no secret, so no hidden placeholder for it;
    a stage the story has still reads as hidden."""
    title = Title.objects.get(slug="the-persimmon-tree-letters")  # centrality none; no revelation stage
    assert not title.stages.filter(stage="revelation").exists()
    page = _page(unverified, title)
    assert 'id="stage-revelation"' not in page
    assert 'id="stage-resolution"' in page  # it has one, and it stays hidden
    assert "spoiler hidden" in page


def test_in_a_story_built_on_infidelity_a_missing_revelation_still_reads_as_hidden(
    unverified: Client, ntr_title: Title
) -> None:
    services.title_stage_remove(title=ntr_title, stage="revelation", source="editor")
    assert 'id="stage-revelation"' in _page(unverified, ntr_title)


def test_content_warnings_name_consent_and_say_how_many_are_hidden_as_spoilers(
    unverified: Client, ntr_title: Title
) -> None:
    consent = ntr_title.axis_values.filter(axis__key="consent").select_related("value")
    assert consent.exists()
    warning = Tag.objects.filter(category__key="content-warning").exclude(title_tags__title=ntr_title).first()
    assert warning is not None
    services.title_tag_set(title=ntr_title, tag_slug=warning.slug, relevance=70, spoiler="major", source="editor")
    page = _page(unverified, ntr_title)
    listed = page.split('id="warnings"', 1)[1].split("<h2", 1)[0]
    for row in consent:
        assert f"Consent: {row.value.label}</a>" in listed
    assert warning.name not in listed
    assert "1 more warning is a spoiler and hidden" in listed
    revealed = unverified.get(f"/titles/{ntr_title.slug}/?reveal=tags").content.decode()
    assert warning.name in revealed.split('id="warnings"', 1)[1].split("<h2", 1)[0]
