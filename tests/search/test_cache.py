from __future__ import annotations

import numpy as np
from django.test import override_settings
from pyroaring import BitMap

from shuraba.accounts.policies import Viewer, visibility_of
from shuraba.catalog import services
from shuraba.catalog.models import Title
from shuraba.core.changelog import changelog_newest as newest_change
from shuraba.search.build import index_build, index_fill
from shuraba.search.cache import Cache, nbytes
from shuraba.search.engine import engine_search
from shuraba.search.query import SORTS, SearchQuery
from shuraba.search.reference import reference_search
from shuraba.search.storage import SearchIndex
from shuraba.taxonomy.models import Tag


def _column(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.int64)


def test_least_recently_used_values_leave_first_when_the_budget_is_spent() -> None:
    cache = Cache(budget=3 * nbytes(_column(1000)))
    calls: list[str] = []

    def compute(name: str) -> np.ndarray:
        calls.append(name)
        return _column(1000)

    for name in ("a", "b", "c"):
        cache.get(name, lambda name=name: compute(name))
    cache.get("a", lambda: compute("a"))  # a is now the most recently used
    cache.get("d", lambda: compute("d"))  # b leaves
    assert calls == ["a", "b", "c", "d"]
    cache.get("a", lambda: compute("a"))
    cache.get("b", lambda: compute("b"))
    assert calls == ["a", "b", "c", "d", "b"]
    assert cache.used <= cache.budget
    assert len(cache) == 3


def test_a_value_larger_than_the_budget_is_answered_but_not_kept() -> None:
    cache = Cache(budget=1000)
    first = cache.get("big", lambda: _column(10_000))
    assert len(first) == 10_000
    assert (len(cache), cache.used) == (0, 0)


def test_results_can_be_switched_off_while_derived_data_is_kept() -> None:
    cache = Cache(budget=10_000_000, results=False)
    counted = [0]

    def compute() -> BitMap:
        counted[0] += 1
        return BitMap(range(0, 100_000, 7))

    for _ in range(3):
        cache.get("result", compute, result=True)
        cache.get("derived", compute)
    assert counted[0] == 4  # three fresh results, one derived value
    assert len(cache) == 1


def test_sizes_count_what_containers_hold() -> None:
    facets = {f"tag-{n}": n for n in range(2000)}
    assert nbytes(facets) > 2000 * 50
    assert nbytes((_column(1000), "x" * 5000)) > 8000 + 5000
    assert nbytes(BitMap(range(100_000))) < nbytes(_column(100_000))


def test_a_small_budget_bounds_the_index_and_changes_no_answer(db: None) -> None:
    """Evictions under a tight budget, with viewer classes taking turns, must never hand one class's
    counts to another: every answer equals the SQL reference's, JSON included."""

    queries = [SearchQuery(), SearchQuery(exclude_tags=("drama",)), SearchQuery(q="a"), SearchQuery(q="ko")]
    queries += [
        SearchQuery(include_tags=(slug,), sort=sort, per_page=100)
        for slug in Tag.objects.order_by("slug").values_list("slug", flat=True)[:8]
        for sort in SORTS
    ]
    viewers = (Viewer(), Viewer(is_adult=True, spoilers="all"), Viewer(is_adult=True))
    viewers += (Viewer(spoilers="all"),)
    visibilities = tuple(visibility_of(viewer) for viewer in viewers)
    roomy = index_build()
    with override_settings(SEARCH_CACHE_BYTES=60_000):
        tight = index_build()
    for round_number in range(2):
        for number, query in enumerate(queries):
            viewer = visibilities[(number + round_number) % len(visibilities)]
            got, roomy_got = (engine_search(i, query, viewer, as_json=True) for i in (tight, roomy))
            assert got == reference_search(query, viewer), (query, viewer)
            assert (got.facets_json, got.items_json) == (roomy_got.facets_json, roomy_got.items_json)
            assert got.items_json.count('"url"') == len(got.pks)
    assert tight._cache.dropped > 0  # the budget was spent and entries left
    assert roomy._cache.dropped == 0


def test_tag_codes_beyond_the_dense_rows_are_counted_the_same(db: None) -> None:
    narrow = SearchIndex()
    narrow.dense_codes = 7  # only the first three codes fit the dense rows: the rest take the overflow path
    narrow.version = newest_change()
    index_fill(narrow)
    assert narrow.overflow_slots
    title = Title.objects.order_by("pk").first()
    assert title is not None
    services.title_update(title=title, changes={"popularity": 12345}, source="editor")
    narrow.apply([title.pk], newest_change())
    wide = index_build()
    for viewer in (visibility_of(Viewer()), visibility_of(Viewer(is_adult=True, spoilers="all"))):
        for query in (SearchQuery(), SearchQuery(q="a"), SearchQuery(sort="title", per_page=100)):
            assert engine_search(narrow, query, viewer).facets == engine_search(wide, query, viewer).facets
