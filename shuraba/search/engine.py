"""Executing a SearchQuery on the in-memory index: bitmap algebra, exact facet counts, sorting.

The visibility policy runs first: the viewer's visible set is the universe every filter, total and facet
count starts from, so nothing hidden is ever counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from pyroaring import BitMap

from shuraba.accounts.policies import Viewer, shown_ratings
from shuraba.search.index import POPULARITY_BUCKETS, SearchIndex, gram_code, popularity_bucket, slots_array
from shuraba.search.normalize import text_normalize
from shuraba.search.query import DIMENSIONS, RANGE_AXES, SPOILER_DIMENSIONS, Range, SearchQuery

FACET_DIMENSIONS = (*DIMENSIONS, *RANGE_AXES)
TIER_EXACT, TIER_PREFIX, TIER_CONTAINS = 3, 2, 1


@dataclass(frozen=True)
class EngineResult:
    pks: list[int]  # the requested page, in order
    total: int
    facets: dict[str, dict[str, int]]
    cards: list[tuple[Any, ...]] = field(default_factory=list, compare=False)  # index.CARD_FIELDS per pk
    facets_json: str = field(default="{}", compare=False)  # `facets`, serialized once per cached result
    items_json: str = field(default="[]", compare=False)  # the page's cards as the search API sends them


def visible_slots(index: SearchIndex, viewer: Viewer) -> BitMap:
    """The universe for this viewer: every live title minus what the visibility policy hides."""
    shown = shown_ratings(viewer)

    def compute() -> BitMap:
        if shown is None:
            return BitMap(index.live)
        return _union([index.values.get(("content_rating", r)) or BitMap() for r in sorted(shown)]) & index.live

    return index.cached(("visible", shown), compute)  # type: ignore[no-any-return]


def _union(bitmaps: list[BitMap]) -> BitMap:
    return BitMap.union(*bitmaps) if len(bitmaps) > 1 else (BitMap(bitmaps[0]) if bitmaps else BitMap())


def _included(index: SearchIndex, slug: str, minimum: int, viewer: Viewer) -> BitMap:
    """Titles an include filter matches. For a viewer who hides spoilers only the tag's non-spoiler
    assignments count: listing the titles that carry "death" as a spoiler would print the spoiler.
    Exclusions use every assignment: avoiding a tag silently avoids it everywhere (DESIGN §3)."""
    matched = index.tag_at_least(slug, minimum)
    return matched if viewer.reveal_spoilers else matched & (index.open_tags.get(slug) or BitMap())


def _tags(index: SearchIndex, query: SearchQuery, result: BitMap, viewer: Viewer) -> BitMap:
    include = [_included(index, s, query.min_relevance, viewer) for s in query.include_tags]
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
    low, high = max(r.low or 0, 0), r.high
    if high is not None and high < low:
        return BitMap()
    first, last = popularity_bucket(low), popularity_bucket(high) if high is not None else POPULARITY_BUCKETS - 1
    inner = [index.numbers.get(("popularity-bucket", b)) or BitMap() for b in range(first + 1, last)]
    result = _union(inner)
    column = index.columns["popularity"]
    for bucket in {first, last}:
        slots = slots_array(index.numbers.get(("popularity-bucket", bucket)) or BitMap())
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


@dataclass(frozen=True)
class TextMatch:
    """Slots whose names contain the text, ascending, with their tier (exact 3, prefix 2, contains 1)."""

    bitmap: BitMap
    slots: np.ndarray
    tiers: np.ndarray

    @classmethod
    def of(cls, tiers: dict[int, int]) -> TextMatch:
        slots = np.fromiter(tiers.keys(), dtype=np.int64, count=len(tiers))
        values = np.fromiter(tiers.values(), dtype=np.int64, count=len(tiers))
        order = np.argsort(slots)
        return cls(BitMap(slots.tolist()), slots[order], values[order])

    @classmethod
    def of_arrays(cls, slots: np.ndarray, tiers: np.ndarray) -> TextMatch:
        """From ascending slots and their tiers."""
        return cls(BitMap(slots.tolist()), slots, tiers)

    def tiers_of(self, slots: np.ndarray) -> np.ndarray:
        found: np.ndarray = self.tiers[np.searchsorted(self.slots, slots)]
        return found


SCAN_ALL_ABOVE = 1 / 3  # trigram candidates above this share of the catalog: scan every name (cached)


def text_match(index: SearchIndex, text: str, within: BitMap) -> TextMatch:
    """Titles among `within` whose any name contains the normalized text: the titles holding every trigram
    of the text are candidates, and a scan of their names confirms them and finds exact and prefix matches."""
    needle = text_normalize(text)
    if not needle:
        return TextMatch.of({})
    grams = list(_needle_grams(needle))
    candidates = BitMap(within)
    for gram in sorted(grams, key=lambda g: len(index.grams.get(g) or ())):
        candidates &= index.grams.get(gram) or BitMap()
        if not candidates:
            return TextMatch.of({})
    if not grams or len(candidates) > SCAN_ALL_ABOVE * index.size:
        return index.cached(("text-scan", needle), lambda: TextMatch.of_arrays(*index.scan_text(needle)), result=True)  # type: ignore[no-any-return]
    return TextMatch.of_arrays(*index.scan_text(needle, slots_array(candidates)))


def _needle_grams(needle: str) -> set[int]:
    """Trigrams every matching name must contain (inner ones only: a match may sit mid-word)."""
    return {gram_code(needle[i : i + 3]) for i in range(len(needle) - 2)}


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
    facets["tags"] = _tag_facets(index, result, viewer)
    return facets


def _tag_facets(index: SearchIndex, result: BitMap, viewer: Viewer) -> dict[str, int]:
    """Count by bincount over the smaller of the result and its complement within the visible set."""
    visible = visible_slots(index, viewer)
    if len(result) * 2 <= len(visible):
        codes = index.tag_code_counts(result)
    else:
        # Keyed by the viewer class, never by an object's identity: an evicted set's id can be reused.
        everything = index.cached(("tag-codes", shown_ratings(viewer)), lambda: index.tag_code_counts(visible))
        codes = everything - index.tag_code_counts(visible - result)
    counts = codes[0::2] + codes[1::2] if viewer.reveal_spoilers else codes[0::2]
    return {index.tag_slugs[number]: int(n) for number in np.flatnonzero(counts).tolist() for n in (counts[number],)}


def _top(keys: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Positions of the keys ranked start..stop (ascending), without sorting everything."""
    if stop >= len(keys) or stop > len(keys) // 4:
        positions: np.ndarray = np.argsort(keys, kind="stable")[start:stop]
        return positions
    head = np.argpartition(keys, stop - 1)[:stop]
    ordered: np.ndarray = head[np.argsort(keys[head], kind="stable")][start:stop]
    return ordered


def _relevance_keys(
    index: SearchIndex, query: SearchQuery, slots: np.ndarray, text: TextMatch | None, *, open_only: bool
) -> np.ndarray:
    """One int64 per title: text tier desc, then included-tag relevance desc, then popularity order."""
    if not query.include_tags and text is None:  # nothing to weigh: the popularity order alone
        popularity: np.ndarray = index.rank("popularity")[slots]
        return popularity
    tag_score = np.zeros(len(slots), dtype=np.int64)
    for slug in query.include_tags:
        relevance = index.tag_relevance(slug, open_only=open_only)[slots]
        tag_score += np.where(relevance >= query.min_relevance, relevance, 0)
    tier = text.tiers_of(slots) if text is not None else np.zeros(len(slots), dtype=np.int64)
    most = 100 * max(1, len(query.include_tags))
    primary = (TIER_EXACT - tier) * (most + 1) + (most - tag_score)
    keys: np.ndarray = primary * (index.size + 1) + index.rank("popularity")[slots]
    return keys


def _page(
    index: SearchIndex, query: SearchQuery, slots: np.ndarray, text: TextMatch | None, *, open_only: bool
) -> np.ndarray:
    keys = (
        _relevance_keys(index, query, slots, text, open_only=open_only)
        if query.sort == "relevance"
        else index.rank(query.sort)[slots]
    )
    page: np.ndarray = slots[_top(keys, query.offset, query.offset + query.per_page)]
    return page


def _matches(index: SearchIndex, query: SearchQuery, viewer: Viewer) -> tuple[BitMap, TextMatch | None]:
    result = _values(index, query, _tags(index, query, BitMap(visible_slots(index, viewer)), viewer))
    text = None
    if query.q:
        text = text_match(index, query.q, result)
        result &= text.bitmap
    return result, text


def engine_search(
    index: SearchIndex, query: SearchQuery, viewer: Viewer, *, facets: bool = True, as_json: bool = False
) -> EngineResult:
    """Results and facets are cached per filter set and viewer class until the next catalog change
    (index caches are dropped on every change): the next page or another sort of the same search, or
    the same popular search from another reader, only sorts and slices. `as_json`: fill `items_json`."""
    with index.lock:
        key = (replace(query, sort="relevance", page=1, per_page=1), shown_ratings(viewer), viewer.reveal_spoilers)
        result, text = index.cached(("matches", key), lambda: _matches(index, query, viewer), result=True)
        slots = slots_array(result)
        page = (
            _page(index, query, slots, text, open_only=not viewer.reveal_spoilers)
            if query.offset < len(slots)
            else slots[:0]
        )
        pks = index.columns["pk"][page].tolist()
        page_slots = page.tolist()
        cards = [index.cards[slot] for slot in page_slots]
        items = "[" + ", ".join(index.card_json(slot) for slot in page_slots) + "]" if as_json else "[]"
        if not facets:
            return EngineResult(pks=pks, total=len(result), facets={}, cards=cards, items_json=items)
        counts = index.cached(("facets", key), lambda: _facets(index, result, viewer), result=True)
        text = index.cached(("facets-json", key), lambda: json.dumps(counts, ensure_ascii=False), result=True)
        return EngineResult(pks=pks, total=len(result), facets=counts, cards=cards, facets_json=text, items_json=items)
