"""Every offered facet count is the total its click gives: for random catalogs and filter sets ("or" groups,
exclusions, tag and weight thresholds), each value's count against the engine's total once that value is
ticked, each "not" against the total once it is excluded, each tag against the total once it is included."""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuraba.accounts.policies import Visibility
from shuraba.search.engine import engine_search
from shuraba.search.facets import facet_count
from shuraba.search.live import search_index
from shuraba.search.query import SPOILER_DIMENSIONS, SearchQuery, ValueFilter
from shuraba.search.storage import SearchIndex
from tests.search.test_engine_matches_reference import (
    DIMENSION_VALUES,
    TAGS,
    _catalog_replace,
    facet_query_strategy,
    query_strategy,
    title_strategy,
    visibilities,
)


def _with_value(query: SearchQuery, dimension: str, f: ValueFilter) -> SearchQuery:
    values = dict(query.values)
    values[dimension] = f
    kept = {k: w for k, w in query.weight_minimums if dimension != "subgenre" or k in f.include}
    return replace(
        query, values=tuple(sorted((d, v) for d, v in values.items() if v)), weight_minimums=tuple(sorted(kept.items()))
    )


def _total(index: SearchIndex, query: SearchQuery, visibility: Visibility) -> int:
    return engine_search(index, query, visibility, facets=False).total


def _dimension_clicks(index: SearchIndex, query: SearchQuery, visibility: Visibility) -> None:
    shown = engine_search(index, query, visibility)
    for dimension, keys in DIMENSION_VALUES.items():
        if not visibility.axis_counted(spoiler=dimension in SPOILER_DIMENSIONS):
            assert dimension not in shown.facets
            assert dimension not in shown.removes
            continue
        f = query.value(dimension)
        for key in keys:
            count = facet_count(shown.facets, query, dimension, key, shown.total)
            # ticking an unticked value adds it to the group; a ticked one counts the results carrying it,
            # the total of that value alone in its group
            include = f.include | {key} if key not in f.include else frozenset({key})
            clicked = _with_value(query, dimension, ValueFilter(include, f.exclude))
            assert _total(index, clicked, visibility) == count, (query, dimension, key)
            if key not in f.exclude:
                removes = shown.removes.get(dimension, {}).get(key, 0)
                excluded = _with_value(query, dimension, ValueFilter(f.include, f.exclude | {key}))
                assert _total(index, excluded, visibility) == shown.total - removes, (query, dimension, key)


def _tag_clicks(index: SearchIndex, query: SearchQuery, visibility: Visibility) -> None:
    shown = engine_search(index, query, visibility)
    for slug in TAGS:
        if slug in query.include_tags:
            continue
        clicked = replace(query, include_tags=(*query.include_tags, slug))  # as the badge's link: no own threshold
        count = facet_count(shown.facets, query, "tags", slug, shown.total)
        assert _total(index, clicked, visibility) == count, (query, slug)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    specs=st.lists(title_strategy, min_size=4, max_size=14),
    queries=st.lists(facet_query_strategy | query_strategy, min_size=1, max_size=3),
    visibility=visibilities,
)
def test_every_facet_count_is_the_total_of_its_click(
    db: None, specs: list[dict[str, object]], queries: list[SearchQuery], visibility: Visibility
) -> None:
    with transaction.atomic():
        _catalog_replace(specs)
        index = search_index()
        for query in queries:
            _dimension_clicks(index, query, visibility)
            _tag_clicks(index, query, visibility)
