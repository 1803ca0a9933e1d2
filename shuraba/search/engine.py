"""Executing a SearchQuery on the in-memory index: bitmap algebra, exact facet counts, sorting.

The visibility policy runs first: the viewer's visible set is the universe every filter, total and facet
count starts from, so nothing hidden is ever counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyroaring import BitMap

from shuraba.accounts.policies import Viewer, hidden_ratings
from shuraba.search.index import POPULARITY_BUCKETS, SearchIndex, popularity_bucket
from shuraba.search.normalize import text_normalize
from shuraba.search.query import DIMENSIONS, RANGE_AXES, SPOILER_DIMENSIONS, Range, SearchQuery

FACET_DIMENSIONS = (*DIMENSIONS, *RANGE_AXES)
TIER_EXACT, TIER_PREFIX, TIER_CONTAINS = 3, 2, 1


@dataclass(frozen=True)
class EngineResult:
    pks: list[int]  # the requested page, in order
    total: int
    facets: dict[str, dict[str, int]]


def visible_slots(index: SearchIndex, viewer: Viewer) -> BitMap:
    """The universe for this viewer: every live title minus what the visibility policy hides."""
    hidden = tuple(sorted(hidden_ratings(viewer)))

    def compute() -> BitMap:
        result = BitMap(index.live)
        for rating in hidden:
            result -= index.values.get(("content_rating", rating), BitMap())
        return result

    return index.cached(("visible", hidden), compute)  # type: ignore[no-any-return]


def _union(bitmaps: list[BitMap]) -> BitMap:
    return BitMap.union(*bitmaps) if len(bitmaps) > 1 else (BitMap(bitmaps[0]) if bitmaps else BitMap())


def _tags(index: SearchIndex, query: SearchQuery, result: BitMap) -> BitMap:
    include = [index.tag_at_least(s, query.min_relevance) for s in query.include_tags]
    if include:
        if query.include_mode == "all":
            for bitmap in sorted(include, key=len):
                result &= bitmap
        else:
            result &= _union(include)
    exclude = [index.tags.get(s) or BitMap() for s in query.exclude_tags]
    if exclude:
        if query.exclude_mode == "any":
            result -= _union(exclude)
        else:
            result -= BitMap.intersection(*exclude) if len(exclude) > 1 else exclude[0]
    return result


def _range_bitmap(index: SearchIndex, name: str, r: Range) -> BitMap:
    if r.is_empty():
        return BitMap()
    if name == "popularity":
        return _popularity(index, r)
    keys = [value for (field, value) in index.numbers if field == name and r.contains(value)]
    return _union([index.numbers[(name, value)] for value in keys])


def _popularity(index: SearchIndex, r: Range) -> BitMap:
    low, high = r.low or 0, r.high
    first, last = popularity_bucket(low), popularity_bucket(high) if high is not None else POPULARITY_BUCKETS - 1
    inner = [index.numbers.get(("popularity-bucket", b)) or BitMap() for b in range(first + 1, last)]
    result = _union(inner)
    column = index.columns["popularity"]
    for bucket in {first, last}:
        slots = np.fromiter(index.numbers.get(("popularity-bucket", bucket)) or BitMap(), dtype=np.int64)
        values = column[slots]
        keep = (values >= low) & (values <= high if high is not None else True)
        result |= BitMap(slots[keep].tolist())
    return result


def _values(index: SearchIndex, query: SearchQuery, result: BitMap) -> BitMap:
    for dimension, f in query.values:
        if f.include:
            result &= _union([index.values.get((dimension, v)) or BitMap() for v in f.include])
        if f.exclude:
            result -= _union([index.values.get((dimension, v)) or BitMap() for v in f.exclude])
    for name, r in query.ranges:
        result &= _range_bitmap(index, name, r)
    return result


def text_tiers(index: SearchIndex, text: str, within: BitMap) -> dict[int, int]:
    """Slots among `within` whose any name contains the normalized text, with their match tier."""
    needle = text_normalize(text)
    if not needle:
        return {}
    grams = list(_needle_grams(needle))
    candidates = BitMap(within)
    for gram in sorted(grams, key=lambda g: len(index.grams.get(g) or ())):
        candidates &= index.grams.get(gram) or BitMap()
        if not candidates:
            return {}
    tiers = {}
    for slot in candidates:
        tier = max((_tier(name, needle) for name in index.names[slot]), default=0)
        if tier:
            tiers[slot] = tier
    return tiers


def _needle_grams(needle: str) -> set[str]:
    """Trigrams every matching name must contain (inner ones only: a match may sit mid-word)."""
    return {needle[i : i + 3] for i in range(len(needle) - 2)}


def _tier(name: str, needle: str) -> int:
    if name == needle:
        return TIER_EXACT
    if name.startswith(needle):
        return TIER_PREFIX
    return TIER_CONTAINS if needle in name else 0


def _facets(index: SearchIndex, result: BitMap, viewer: Viewer) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {}
    for (dimension, key), bitmap in index.values.items():
        if dimension in SPOILER_DIMENSIONS and not viewer.reveal_spoilers:
            continue
        count = result.intersection_cardinality(bitmap)
        if count:
            facets.setdefault(dimension, {})[key] = count
    tags = index.tags if viewer.reveal_spoilers else index.open_tags
    counts = {slug: result.intersection_cardinality(b) for slug, b in tags.items()}
    facets["tags"] = {slug: n for slug, n in counts.items() if n}
    return facets


def _order(index: SearchIndex, query: SearchQuery, slots: np.ndarray, tiers: dict[int, int]) -> np.ndarray:
    """Sort keys, most significant last (np.lexsort); every order ends on the title's pk."""
    pk = index.columns["pk"][slots]
    if query.sort == "title":
        titles = np.array([index.titles[s] for s in slots], dtype=object)
        return np.lexsort((pk, np.argsort(np.argsort(titles, kind="stable"), kind="stable")))
    if query.sort in ("score", "year", "popularity"):
        column = {"score": "score", "year": "date", "popularity": "popularity"}[query.sort]
        values = index.columns[column][slots]
        missing_last = np.where(values < 0, 1, 0)
        return np.lexsort((pk, -values, missing_last))
    tier = np.array([tiers.get(int(s), 0) for s in slots], dtype=np.int64)
    tag_score = np.zeros(len(slots), dtype=np.int64)
    for slug in query.include_tags:
        relevance = index.relevance.get(slug, {})
        tag_score += np.array(
            [relevance.get(int(s), 0) if relevance.get(int(s), 0) >= query.min_relevance else 0 for s in slots],
            dtype=np.int64,
        )
    return np.lexsort((pk, -index.columns["popularity"][slots], -tag_score, -tier))


def engine_search(index: SearchIndex, query: SearchQuery, viewer: Viewer, *, facets: bool = True) -> EngineResult:
    with index.lock:
        result = _values(index, query, _tags(index, query, BitMap(visible_slots(index, viewer))))
        tiers: dict[int, int] = {}
        if query.q:
            tiers = text_tiers(index, query.q, result)
            result &= BitMap(tiers)
        slots = np.fromiter(result, dtype=np.int64, count=len(result))
        order = _order(index, query, slots, tiers)
        page = slots[order[query.offset : query.offset + query.per_page]]
        pks = index.columns["pk"][page].tolist()
        return EngineResult(pks=pks, total=len(result), facets=_facets(index, result, viewer) if facets else {})
