"""Exact facet counts, disjunctive within an "or" group (the way Algolia's and Meilisearch's readers expect).

Groups combine with "and", the values of one group's include set with "or". A value's count is the total
of the query once the value is ticked: for a value outside a non-empty include set S of group G, that is
|others & (S | V)| = |result| + |others & V| - |result & V|, where `others` is the result of every other
filter (G's include removed, G's exclusions kept): one more pass of the filters per such group, cached as
that query's own matches. A ticked value (and any value of a group with nothing ticked) counts
|result & V|. The click's filter is the one the query would use (`filters.value_filter`, `tag_filter`), so a
count and its link agree on every threshold. `removes`: how many of the results excluding a value would take
away, |result & V| at any weight.

A value is listed when it occurs in its group's base set (`others`, or the result); one not listed adds
nothing (`facet_count`). Everything is counted inside the visible set: nothing hidden is counted.
"""

from __future__ import annotations

from collections.abc import Callable

from pyroaring import BitMap

from shuraba.accounts.policies import Visibility
from shuraba.search.cache import cache_key
from shuraba.search.filters import tag_filter, value_filter
from shuraba.search.query import DIMENSIONS, SPOILER_DIMENSIONS, SearchQuery
from shuraba.search.storage import SearchIndex

Counts = dict[str, dict[str, int]]
Others = Callable[[SearchQuery], BitMap]  # a query's matches (the engine's cached `_matches`)
TagCounter = Callable[[SearchIndex, BitMap, Visibility, int], dict[str, int]]  # tags at a relevance threshold


def disjunctive(query: SearchQuery, dimension: str) -> bool:
    """Does ticking a value of this dimension widen the result (an "or" with something already ticked), or
    match it at another threshold than its presence (a subgenre under `min_weight`)?"""
    return bool(query.value(dimension).include) or (dimension == "subgenre" and query.min_weight > 0)


def facet_count(counts: Counts, query: SearchQuery, group: str, key: str, total: int) -> int:
    """The count offered for a value: listed, or (not occurring in the base set) what ticking gives anyway:
    the current total beside a non-empty include set, else 0."""
    listed = counts.get(group, {}).get(key)
    if listed is not None:
        return listed
    if group == "tags":
        ticked = query.include_tags if query.include_mode == "any" else ()
    else:
        ticked = tuple(query.value(group).include)
    return total if ticked and key not in ticked else 0


def facets_count(
    index: SearchIndex, query: SearchQuery, result: BitMap, visibility: Visibility, *, others: Others, tags: TagCounter
) -> tuple[Counts, Counts]:
    """(counts, removes) for every counted value of every dimension and (counts only) every tag."""
    removes: Counts = {}
    for (dimension, key), bitmap in index.values.items():
        if not visibility.axis_counted(spoiler=dimension in SPOILER_DIMENSIONS):
            continue
        count = result.intersection_cardinality(bitmap)
        if count:
            removes.setdefault(dimension, {})[key] = count
    counts: Counts = {}
    for dimension, present in removes.items():
        if dimension not in DIMENSIONS or not disjunctive(query, dimension):
            counts[dimension] = present
    for dimension in DIMENSIONS:
        if disjunctive(query, dimension) and visibility.axis_counted(spoiler=dimension in SPOILER_DIMENSIONS):
            found = _group_counts(index, query, dimension, result, visibility, others=others)
            if found:
                counts[dimension] = found
    counts["tags"] = _tag_counts(index, query, result, visibility, others=others, tags=tags)
    return counts, removes


def _group_counts(
    index: SearchIndex, query: SearchQuery, dimension: str, result: BitMap, visibility: Visibility, *, others: Others
) -> dict[str, int]:
    ticked = query.value(dimension).include
    base = others(query.without_include(dimension)) if ticked else result
    counts: dict[str, int] = {}
    for group, key in [k for k in index.values if k[0] == dimension]:
        click = value_filter(query, group, key).bitmap(index, visibility)
        occurs = base.intersection_cardinality(click)
        if not occurs:
            continue
        within = occurs if base is result else result.intersection_cardinality(click)
        counts[key] = within if key in ticked or not ticked else len(result) + occurs - within
    return counts


def _tag_counts(
    index: SearchIndex,
    query: SearchQuery,
    result: BitMap,
    visibility: Visibility,
    *,
    others: Others,
    tags: TagCounter,
) -> dict[str, int]:
    """Every tag at the threshold its link uses (`min_relevance` for one not included, its own for one that
    is); with include_mode any, an included tag set is an "or" group like a dimension's."""
    group = query.include_mode == "any" and bool(query.include_tags)
    base = others(query.without_include("tags")) if group else result
    counts = _tags_at(index, base, visibility, query.min_relevance, tags)
    if group:
        within = _tags_at(index, result, visibility, query.min_relevance, tags)
        counts = {slug: len(result) + n - within.get(slug, 0) for slug, n in counts.items()}
    for slug in query.include_tags:
        count = result.intersection_cardinality(tag_bitmap(index, query, slug, visibility))
        if count:
            counts[slug] = count
        else:
            counts.pop(slug, None)
    return counts


def tag_bitmap(index: SearchIndex, query: SearchQuery, slug: str, visibility: Visibility) -> BitMap:
    """A tag as the query matches it or would once ticked, kept per threshold and visibility."""
    f = tag_filter(query, slug)
    bitmap: BitMap = index.cached(
        cache_key("tag-shown-min", slug, f.minimum, visibility=visibility), lambda: f.bitmap(index, visibility)
    )
    return bitmap


def _tags_at(
    index: SearchIndex, members: BitMap, visibility: Visibility, minimum: int, tags: TagCounter
) -> dict[str, int]:
    """The shown tags among `members` at a relevance threshold: one tag-code count (a bincount over the
    members' tag rows, the assignments below the threshold masked out) for every tag at once."""
    return tags(index, members, visibility, minimum)
