"""The index keeps what avoid rules and spoiler levels need (three levels per tag assignment, warning
severities), and its cards are the catalog's cards: the vectorized build, the incremental path and the
catalog's selectors give the same card for every title."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from shuraba.accounts.policies import PUBLIC, Visibility
from shuraba.catalog import selectors, services
from shuraba.catalog.cards import CARD_FIELDS, card_tags_pick
from shuraba.catalog.models import Title, TitleTag
from shuraba.catalog.schemas import TitleCardOut
from shuraba.search.build import _groups, index_build
from shuraba.search.loader import rows_load
from shuraba.search.storage import SearchIndex, slots_array


def _spoil_some_tags() -> None:
    """Give the sample catalog assignments at every spoiler level, on cards' tags and warnings alike."""
    for number, row in enumerate(TitleTag.objects.select_related("title", "tag").order_by("pk")[:60]):
        level = ("none", "minor", "major")[number % 3]
        services.title_tag_set(
            title=row.title,
            tag_slug=row.tag.slug,
            relevance=row.relevance,
            spoiler=level,
            severity=row.severity,
            source="editor",
        )


def _pks(index: SearchIndex, bitmap: object) -> set[int]:
    return set(index.columns["pk"][slots_array(bitmap)].tolist())  # type: ignore[arg-type]


def _incremental() -> SearchIndex:
    index = SearchIndex()
    index.rows_add(rows_load().values())
    return index


def test_three_spoiler_levels_and_severities_are_indexed_on_both_paths(db: None) -> None:
    _spoil_some_tags()
    expected_levels: dict[tuple[str, str], set[int]] = defaultdict(set)
    expected_severities: dict[tuple[str, str], set[int]] = defaultdict(set)
    for title_id, slug, level, severity in TitleTag.objects.values_list("title_id", "tag__slug", "spoiler", "severity"):
        if level != "none":
            expected_levels[(slug, level)].add(title_id)
        if severity:
            expected_severities[(slug, severity)].add(title_id)
    assert {level for _, level in expected_levels} == {"minor", "major"}
    assert expected_severities
    for index in (index_build(), _incremental()):
        assert {k: _pks(index, b) for k, b in index.spoiler_tags.items() if b} == dict(expected_levels)
        assert {k: _pks(index, b) for k, b in index.severities.items() if b} == dict(expected_severities)


def test_a_minor_spoiler_setting_sees_minor_assignments_and_not_major_ones(db: None) -> None:
    _spoil_some_tags()
    index = index_build()
    minor = Visibility(spoilers="minor")
    for (slug, level), bitmap in index.spoiler_tags.items():
        hidden = index.tag_hidden(slug, minor)
        assert (bitmap & hidden == bitmap) == (level == "major") or not bitmap
        assert not bitmap & index.tag_hidden(slug, Visibility(spoilers="all"))


def test_the_build_the_incremental_path_and_the_catalog_give_one_card(db: None) -> None:
    _spoil_some_tags()
    built, incremental = index_build(), _incremental()
    pages = {c.id: c for c in selectors.tag_titles(visibility=PUBLIC, slug="drama", limit=500).items}
    compared = 0
    for pk in Title.objects.values_list("pk", flat=True):
        card = built.cards[built.slot_of[pk]]
        assert card == incremental.cards[incremental.slot_of[pk]], pk
        if pk in pages:
            assert card == tuple(getattr(pages[pk], name) for name in CARD_FIELDS), pk
            compared += 1
    assert compared > 10
    assert any(card and card[-1] for card in built.cards.cards), "no card shows a tag: the test shows nothing"


def test_a_card_never_shows_a_spoiler_or_a_warning() -> None:
    tags = [(90, "Drama", "drama", "none", False), (95, "Death", "death", "minor", False)]
    tags += [(99, "Violence", "violence", "none", True), (10, "Romance", "romance", "none", False)]
    assert card_tags_pick(tags) == ("drama", "romance")


def test_the_api_schema_of_a_card_is_the_card() -> None:
    assert set(TitleCardOut.model_fields) == {"url", *CARD_FIELDS}


def test_a_chunk_without_warnings_builds() -> None:
    """The build groups each chunk's warned assignments by (tag, severity); a chunk with none (the AniList
    collection has no warnings) has no groups, where it used to fail the whole build."""
    assert list(_groups(np.array([], dtype=np.int64))) == []
    groups = [(key, positions.tolist()) for key, positions in _groups(np.array([17, 9, 17], dtype=np.int64))]
    assert groups == [(9, [1]), (17, [0, 2])]
