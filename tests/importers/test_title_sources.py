"""The title page's sources partial: attribution links, where sources disagree, spoiler tags kept hidden."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template

from shuraba.accounts.policies import NOTHING_REVEALED, PUBLIC, Reveal, Viewer, Visibility, visibility_of
from shuraba.catalog import selectors
from shuraba.catalog.models import Title
from shuraba.importers.records import SourceTag
from shuraba.importers.runs import records_import
from tests.importers.factories import record

pytestmark = pytest.mark.django_db
ADULT = visibility_of(Viewer(is_adult=True))


def _title(*, adult: bool = False) -> Title:
    anilist = record(
        source="anilist",
        source_id="30001",
        status="releasing",
        chapters=40,
        is_adult=adult,
        cross_ids={"mal": "1"},
        tags=(SourceTag("Love Triangle", rank=85), SourceTag("Revenge", rank=70, spoiler=True)),
    )
    mangadex = record(
        source="mangadex",
        source_id="6b1eb93e-473a-4ab3-9922-1a66d2a29a4a",
        status="finished",
        chapters=42,
        is_adult=adult,
        cross_ids={"anilist": "30001"},
        tags=(SourceTag("Drama"),),
        url="",
    )
    records_import(records=[anilist, mangadex], source="anilist", suggest=False)
    return Title.objects.get(source_snapshots__source_id="30001")


def _render(title: Title, visibility: Visibility, reveal: Reveal = NOTHING_REVEALED) -> str:
    detail = selectors.title_detail(visibility=visibility, reveal=reveal, pk=title.pk)
    return Template("{% load importers %}{% title_sources d %}").render(
        Context({"d": detail, "visibility": visibility})
    )


def test_sources_are_credited_with_links_and_disagreements_marked() -> None:
    html = _render(_title(), PUBLIC)
    assert 'href="https://anilist.co/manga/30001"' in html
    assert 'href="https://mangadex.org/title/6b1eb93e-473a-4ab3-9922-1a66d2a29a4a"' in html
    assert "Data from AniList, MangaDex." in html
    assert "The sources disagree on: status, chapter count." in html
    assert html.count('class="disagree"') == 4  # status and chapters, in both rows
    assert "Love Triangle" in html
    assert "<td>not adult</td>" in html


def test_a_spoiler_flagged_source_tag_stays_hidden_until_tags_are_revealed() -> None:
    title = _title()
    hidden = _render(title, PUBLIC)
    assert "Revenge" not in hidden
    assert "1 spoiler tag from the sources hidden" in hidden
    shown = _render(title, PUBLIC, Reveal(frozenset({"tags"})))
    assert "Revenge" in shown
    assert "spoiler tag" not in shown
    assert "Revenge" in _render(title, visibility_of(Viewer(spoilers="all")))


def test_nothing_is_shown_for_a_title_the_viewer_may_not_see() -> None:
    title = _title(adult=True)
    assert "Sources" in _render(title, ADULT)
    detail = selectors.title_detail(visibility=ADULT, reveal=NOTHING_REVEALED, pk=title.pk)
    html = Template("{% load importers %}{% title_sources d %}").render(Context({"d": detail, "visibility": PUBLIC}))
    assert html.strip() == ""


def test_a_title_without_imports_shows_no_sources_section(open_title: Title) -> None:
    assert _render(open_title, PUBLIC).strip() == ""


def test_a_single_source_is_credited_without_a_comparison() -> None:
    records_import(records=[record(start_date=dt.date(2001, 1, 1))], source="anilist", suggest=False)
    html = _render(Title.objects.get(source_snapshots__source_id="1"), PUBLIC)
    assert "AniList 1" in html
    assert "disagree" not in html


def test_a_tag_one_source_flags_as_a_spoiler_stays_hidden_in_every_sources_row() -> None:
    """Reviewer's finding: MangaDex never flags spoilers; its copy of a tag AniList flags must not print it."""
    anilist = record(source="anilist", source_id="30003", cross_ids={}, tags=(SourceTag("Tragedy", spoiler=True),))
    mangadex = record(
        source="mangadex",
        source_id="00000000-0000-4000-8000-0000000000ff",
        cross_ids={"anilist": "30003"},
        tags=(SourceTag("Tragedy"),),
        url="",
    )
    records_import(records=[anilist, mangadex], source="anilist", suggest=False)
    title = Title.objects.get(source_snapshots__source_id="30003")
    assert title.title_tags.get(tag__slug="tragedy").spoiler != "none"
    html = _render(title, PUBLIC)
    assert "Tragedy" not in html
    assert "spoiler tags from the sources hidden" in html or "spoiler tag from the sources hidden" in html


def test_an_editor_raising_a_tags_spoiler_level_hides_it_in_the_sources_too() -> None:
    title = _title()
    title.title_tags.filter(tag__slug="love-triangle").update(spoiler="major")
    assert "Love Triangle" not in _render(title, PUBLIC)
