"""The autocomplete's one-word path (search/suggest.py) answers what the engine answers: the same titles in
the same order, for every prefix of every word of the sample catalog's names, for a visitor and an adult,
and still after titles change (renamed names read from the appended names, then a rebuilt table)."""

from __future__ import annotations

import pytest

from shuraba.accounts.policies import Viewer, Visibility, visibility_of
from shuraba.catalog import services
from shuraba.catalog.models import Title
from shuraba.core.changelog import changelog_newest as newest_change
from shuraba.search import suggest
from shuraba.search.build import index_build
from shuraba.search.engine import engine_search
from shuraba.search.query import SearchQuery
from shuraba.search.storage import SearchIndex
from shuraba.search.suggest import suggest_slots

LIMIT = 6


def _engine(index: SearchIndex, text: str, visibility: Visibility, limit: int = LIMIT) -> list[int]:
    result = engine_search(index, SearchQuery.build(q=text, per_page=limit), visibility, facets=False)
    slots = {int(pk): slot for slot, pk in enumerate(index.columns["pk"][: index.size].tolist())}
    return [slots[pk] for pk in result.pks]


def _prefixes(index: SearchIndex) -> list[str]:
    words = {w for ws in index.text.name_words for w in ws}
    return sorted({w[:n] for w in words for n in range(1, len(w) + 1)})


def _agree(index: SearchIndex, visibility: Visibility, texts: list[str], limit: int = LIMIT) -> int:
    """How many texts the one-word path answered (each the engine's answer); fails on the first that differs."""
    answered = 0
    for text in texts:
        fast = suggest_slots(index, text, visibility, limit=limit)
        if fast is not None:
            assert fast == _engine(index, text, visibility, limit), text
            answered += 1
    return answered


@pytest.mark.parametrize("adult", [False, True])
def test_every_prefix_of_every_name_word_is_answered_as_the_engine_answers(db: None, adult: bool) -> None:
    index = index_build()
    suggest.table_build(index)
    visibility = visibility_of(Viewer(is_adult=adult))
    texts = _prefixes(index)
    # The small sample has few prefixes shared by six titles; with one title asked, most prefixes are answered.
    assert _agree(index, visibility, texts) >= 40
    assert _agree(index, visibility, texts, limit=1) > len(texts) // 2


def test_the_engine_answers_until_the_table_is_built_in_the_background(db: None) -> None:
    index = index_build()
    visibility = visibility_of(Viewer(is_adult=True))
    assert suggest_slots(index, "a", visibility, limit=1) is None  # no table yet: the engine's to answer
    suggest.build_wait(60)
    assert suggest.prefix_table(index) is not None
    assert suggest_slots(index, "a", visibility, limit=1) == _engine(index, "a", visibility, 1)


def test_several_words_and_too_few_prefix_matches_go_to_the_engine(db: None) -> None:
    index = index_build()
    suggest.table_build(index)
    visibility = visibility_of(Viewer(is_adult=True))
    assert suggest_slots(index, "vermilion thread", visibility, limit=LIMIT) is None
    assert suggest_slots(index, "zqxjv", visibility, limit=LIMIT) is None
    assert suggest_slots(index, "vermillion", visibility, limit=LIMIT) is None  # a typo: the engine's to find


def test_a_gated_title_is_never_in_the_one_word_answer(db: None) -> None:
    index = index_build()
    suggest.table_build(index)
    gated = {
        slot
        for slot, pk in enumerate(index.columns["pk"][: index.size].tolist())
        if Title.objects.filter(pk=pk, content_rating__in=["explicit", "unknown"]).exists()
    }
    assert gated
    visitor = visibility_of(Viewer())
    for text in _prefixes(index):
        assert not gated & set(suggest_slots(index, text, visitor, limit=LIMIT) or ())


def test_renamed_titles_are_suggested_by_their_new_names_before_and_after_a_rebuild(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = index_build()
    visibility = visibility_of(Viewer(is_adult=True))
    suggest.table_build(index)  # built before the change: the new names are appended after it
    titles = list(Title.objects.order_by("pk")[: LIMIT + 1])
    for n, title in enumerate(titles):
        services.title_update(title=title, changes={"title": f"Quuxwort Renamed {n}"}, source="editor")
    index.apply([t.pk for t in titles], newest_change())
    renamed = suggest_slots(index, "quuxw", visibility, limit=LIMIT)
    assert renamed is not None
    assert renamed == _engine(index, "quuxw", visibility)
    assert _agree(index, visibility, _prefixes(index)) > 0  # the old names are gone from every answer
    monkeypatch.setattr(suggest, "REBUILD_AFTER", 0)
    stale = suggest.prefix_table(index)  # past the threshold: still answering while the next is built
    assert stale is not None
    assert stale.built_names < len(index.text.name_words)
    suggest.build_wait(60)
    rebuilt = suggest.prefix_table(index)
    assert rebuilt is not None
    assert rebuilt.built_names == len(index.text.name_words)
    assert suggest_slots(index, "quuxw", visibility, limit=LIMIT) == renamed
