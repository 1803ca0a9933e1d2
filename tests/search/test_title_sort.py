"""The title sort ignores case and accents ('orange' and 'Ôoku' among the o's, not after Z) in the engine,
the SQL reference and the library alike: one key, search/collation.py."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.accounts.policies import Visibility
from shuraba.catalog import services
from shuraba.catalog.models import Title
from shuraba.library.models import LibraryEntry
from shuraba.library.selectors import LibraryFilters, library_page
from shuraba.search.collation import title_fold
from shuraba.search.engine import engine_search
from shuraba.search.live import search_index
from shuraba.search.query import SearchQuery
from shuraba.search.reference import reference_search

NAMES = ("Zebra Crossing", "orange Evenings", "Ôoku Letters", "Apple Rain", "Oak Shade", "ōoku letters")
# By name without case or accents; 'Ôoku Letters' and 'ōoku letters' fold alike and go by code point.
EXPECTED = ("Apple Rain", "Oak Shade", "Ôoku Letters", "ōoku letters", "orange Evenings", "Zebra Crossing")
ADULT = Visibility(hidden_ratings=frozenset(), spoilers="none")


def _rename(count: int) -> list[Title]:
    titles = list(Title.objects.filter(content_rating="teen").order_by("pk")[:count])
    for title, name in zip(titles, NAMES, strict=True):
        services.title_update(title=title, changes={"title": name}, source="editor")
    return titles


def test_the_fold_drops_case_accents_and_compatibility_forms() -> None:
    assert [title_fold(t) for t in ("Ôoku", "orange", "Straße", "ﬁre", "İstanbul", "ｱｲ")] == [
        "ooku",
        "orange",
        "strasse",
        "fire",
        "istanbul",
        "アイ",
    ]


def test_search_by_title_puts_lowercase_and_accented_names_among_their_letter(unverified: Client, db: None) -> None:
    _rename(len(NAMES))
    items = unverified.get("/api/v1/search", {"sort": "title", "per_page": "100"}).json()["items"]
    names = [item["title"] for item in items if item["title"] in NAMES]
    assert names == list(EXPECTED)


def test_the_engine_and_the_reference_sort_titles_alike(db: None) -> None:
    _rename(len(NAMES))
    query = SearchQuery(sort="title", per_page=100)
    engine = engine_search(search_index(), query, ADULT)
    assert engine.pks == reference_search(query, ADULT, facets=False).pks
    names = dict(Title.objects.values_list("pk", "title"))
    assert [names[pk] for pk in engine.pks if names[pk] in NAMES] == list(EXPECTED)


def test_the_library_sorts_by_title_with_the_same_key(reader: User) -> None:
    titles, now = _rename(len(NAMES)), timezone.now()
    for title in titles:
        LibraryEntry.objects.create(user=reader, title=title, created_at=now, updated_at=now)
    page = library_page(user=reader, visibility=ADULT, filters=LibraryFilters(sort="title"))
    names = dict(Title.objects.values_list("pk", "title"))
    assert [names[row.title_id] for row in page.rows] == list(EXPECTED)
