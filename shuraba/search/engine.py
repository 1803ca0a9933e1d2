"""Executing a SearchQuery on the in-memory index: the query's filters (filters.py) as bitmap algebra,
title text, exact facet counts, sorting.

The visibility policy runs first: the visible set is the universe every filter, total and facet count
starts from, so nothing hidden is ever counted. Every cached value is keyed through `cache_key`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from pyroaring import BitMap

from shuraba.accounts.policies import SPOILER_LEVELS, Visibility, rules_waived
from shuraba.search.cache import cache_key
from shuraba.search.facets import facets_count
from shuraba.search.filters import TagHas, query_filters, query_text_filter
from shuraba.search.query import SearchQuery
from shuraba.search.storage import LEVELS, SearchIndex, bitmaps_union, slots_array
from shuraba.search.textscan import TextMatch
from shuraba.search.words import TIER_MAX


@dataclass(frozen=True)
class EngineResult:
    pks: list[int]  # the requested page, in order
    total: int
    facets: dict[str, dict[str, int]]  # what ticking each value gives (facets.py)
    removes: dict[str, dict[str, int]] = field(default_factory=dict)  # what excluding each value takes away
    cards: list[tuple[Any, ...] | None] = field(default_factory=list, compare=False)  # cards.CARD_FIELDS per pk
    facets_json: str = field(default="{}", compare=False)  # `facets`, serialized once per cached result
    removes_json: str = field(default="{}", compare=False)
    items_json: str = field(default="[]", compare=False)  # the page's cards as the search API sends them
    # What the viewer's avoid rules hid from this result: (total, ((rule key, count, unclassified), ...)).
    rules_hidden: tuple[int, tuple[tuple[Any, int, int], ...]] | None = field(default=None, compare=False)


def _rating_slots(index: SearchIndex, visibility: Visibility) -> BitMap:
    shown = visibility.shown_ratings

    def compute() -> BitMap:
        if shown is None:
            return BitMap(index.live)
        return bitmaps_union(index.values.get(("content_rating", r)) or BitMap() for r in sorted(shown)) & index.live

    return index.cached(cache_key("rating-visible", tuple(sorted(shown or ()))), compute)  # type: ignore[no-any-return]


def _rule_slots(index: SearchIndex, visibility: Visibility) -> BitMap:
    """Every slot one of the visibility's avoid rules hides (each rule's bitmap made once per catalog version)."""
    rules: Any = visibility.rules  # accounts.rules.AvoidRule values: they know their bitmaps
    return index.cached(  # type: ignore[no-any-return]
        cache_key("rules-union", tuple(rule.key for rule in rules)),
        lambda: bitmaps_union(rule.bitmap(index) for rule in rules),
    )


def visible_slots(index: SearchIndex, visibility: Visibility) -> BitMap:
    """The universe for this visibility: every live title minus what the visibility policy hides (the age
    gate, then the avoid rules); every filter, total and facet count starts from it."""

    def compute() -> BitMap:
        shown = _rating_slots(index, visibility)
        return shown - _rule_slots(index, visibility) if visibility.rules else shown

    return index.cached(cache_key("visible", visibility=visibility), compute)  # type: ignore[no-any-return]


def _rules_hidden(
    index: SearchIndex, hidden: BitMap, visibility: Visibility
) -> tuple[int, tuple[tuple[Any, int, int], ...]]:
    """How many of a search's matches the rules hid, per rule (and of those, how many only because they
    are not classified yet)."""
    counts = []
    rules: Any = visibility.rules
    for rule in rules:
        matched = hidden & rule.bitmap(index)
        counts.append((rule.key, len(matched), len(matched - rule.bitmap(index, form="exact"))))
    return len(hidden), tuple(counts)


def tag_counts(index: SearchIndex, result: BitMap, visibility: Visibility, minimum: int = 0) -> dict[str, int]:
    """Every shown tag among `result` (a subset of the visible set) at a relevance of `minimum` or more,
    counted over the smaller of the result and its complement within the visible set; only the
    assignments at spoiler levels the visibility shows."""
    visible = visible_slots(index, visibility)
    if len(result) * 2 <= len(visible):
        counts = _tag_numbers(index, result, visibility, minimum)
    else:
        counts = _visible_tag_numbers(index, visibility, minimum) - _tag_numbers(
            index, visible - result, visibility, minimum
        )
    numbers = np.flatnonzero(counts)
    slugs = index.tag_slugs
    return dict(zip((slugs[n] for n in numbers.tolist()), counts[numbers].tolist(), strict=True))


def _tag_numbers(index: SearchIndex, members: BitMap, visibility: Visibility, minimum: int) -> np.ndarray:
    """Per tag number, its shown assignments at the threshold among the members: a bincount of the members'
    tag rows (a cost that grows with the members), or past TAG_SCAN_PER_TAG members a tag, one intersection
    per tag with its shown bitmap at the threshold (a cost that grows with the tags)."""
    if len(members) >= index.tag_scan_per_tag * len(index.tag_slugs):
        bitmaps = _shown_tag_bitmaps(index, visibility, minimum)
        return np.fromiter(map(members.intersection_cardinality, bitmaps), dtype=np.int64, count=len(bitmaps))
    codes = index.tag_code_counts(members, minimum)
    shown = [code for code, level in enumerate(SPOILER_LEVELS) if visibility.assignment_shown(level)]
    counts: np.ndarray = codes[shown[0] :: LEVELS]
    for code in shown[1:]:
        counts = counts + codes[code::LEVELS]
    return counts


def _shown_tag_bitmaps(index: SearchIndex, visibility: Visibility, minimum: int) -> list[BitMap]:
    """Every tag's titles as the visibility shows them at a relevance threshold, in tag-number order."""
    return index.cached(  # type: ignore[no-any-return]
        cache_key("tags-shown-at", minimum, visibility=visibility),
        lambda: [TagHas(slug, minimum).bitmap(index, visibility) for slug in index.tag_slugs],
    )


def _visible_tag_numbers(index: SearchIndex, visibility: Visibility, minimum: int) -> np.ndarray:
    """Per tag number, its count over the visible set at a relevance threshold, once per visibility and
    threshold. With rules that hide fewer titles than they leave, the counts without the rules (one entry
    for every rule set) minus the hidden titles' counts: the first search after a rule change then counts
    what the rules hide, not the whole catalog again."""

    def compute() -> np.ndarray:
        visible = visible_slots(index, visibility)
        hidden = _rating_slots(index, visibility) & _rule_slots(index, visibility) if visibility.rules else None
        if hidden is None or len(hidden) >= len(visible):
            return _tag_numbers(index, visible, visibility, minimum)
        waived = _visible_tag_numbers(index, rules_waived(visibility), minimum)
        counts: np.ndarray = waived - _tag_numbers(index, hidden, visibility, minimum)
        return counts

    return index.cached(cache_key("tag-numbers", minimum, visibility=visibility), compute)  # type: ignore[no-any-return]


def _top(keys: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Positions of the keys ranked start..stop (ascending), without sorting everything."""
    if stop >= len(keys) or stop > len(keys) // 4:
        positions: np.ndarray = np.argsort(keys, kind="stable")[start:stop]
        return positions
    head = np.argpartition(keys, stop - 1)[:stop]
    ordered: np.ndarray = head[np.argsort(keys[head], kind="stable")][start:stop]
    return ordered


def _relevance_keys(
    index: SearchIndex, query: SearchQuery, slots: np.ndarray, text: TextMatch | None, visibility: Visibility
) -> np.ndarray:
    """One int64 per title: text tier desc, then included-tag relevance desc, then popularity order."""
    if not query.include_tags and text is None:  # nothing to weigh: the popularity order alone
        popularity: np.ndarray = index.rank("popularity")[slots]
        return popularity
    tag_score = np.zeros(len(slots), dtype=np.int64)
    for slug in query.include_tags:
        relevance = index.tag_relevance(slug, visibility)[slots]
        tag_score += np.where(relevance >= query.tag_minimum(slug), relevance, 0)
    tier = text.tiers_of(slots) if text is not None else np.zeros(len(slots), dtype=np.int64)
    most = 100 * max(1, len(query.include_tags))
    primary = (TIER_MAX - tier) * (most + 1) + (most - tag_score)
    keys: np.ndarray = primary * (index.size + 1) + index.rank("popularity")[slots]
    return keys


def _page_in_order(index: SearchIndex, sort: str, slots: np.ndarray, start: int, stop: int) -> np.ndarray | None:
    """The page of a large result in a sort's global order: walk the catalog's order and keep the result's
    members, until the page is full (a few times `stop` / share of the catalog, never a sort of the result).
    None where that would read more than a quarter of the catalog (a small result, a deep page)."""
    size = index.size
    reach = stop * size // max(1, len(slots)) * 3 // 2 + 64
    if reach > size // 4:
        return None
    member = np.zeros(size, dtype=bool)
    member[slots] = True
    order = index.order(sort)
    while True:
        head = order[:reach]
        hits = head[member[head]]
        if len(hits) >= stop or reach >= size:
            page: np.ndarray = hits[start:stop]
            return page
        reach = min(size, reach * 2)


def _page(
    index: SearchIndex, query: SearchQuery, slots: np.ndarray, text: TextMatch | None, visibility: Visibility
) -> np.ndarray:
    start, stop = query.offset, query.offset + query.per_page
    weighed = query.sort == "relevance" and (query.include_tags or text is not None)
    sort = "popularity" if query.sort == "relevance" else query.sort  # relevance without text or tags
    if not weighed:  # an order of the catalog's own
        page = _page_in_order(index, sort, slots, start, stop)
        if page is not None:
            return page
    keys = _relevance_keys(index, query, slots, text, visibility) if weighed else index.rank(sort)[slots]
    ordered: np.ndarray = slots[_top(keys, start, stop)]
    return ordered


def _filtered(
    index: SearchIndex, query: SearchQuery, visibility: Visibility, universe: BitMap
) -> tuple[BitMap, TextMatch | None]:
    result = BitMap(universe)
    for f in query_filters(query):
        result = f.apply(index, visibility, result)
    text_filter = query_text_filter(query)
    if text_filter is None:
        return result, None
    text = text_filter.match(index, result)
    result &= text.bitmap
    return result, text


Matches = tuple[BitMap, "TextMatch | None", "tuple[int, tuple[tuple[Any, int, int], ...]] | None"]


def _matches(index: SearchIndex, query: SearchQuery, visibility: Visibility) -> Matches:
    """The matches, and what the avoid rules hid of them. With rules, the filters and the text scan run
    once over every title the age gate shows, and the matches split into what the rules leave and what
    they hid: the same answer as filtering each side apart, at the cost of one search."""
    if not visibility.rules:
        result, text = _filtered(index, query, visibility, visible_slots(index, visibility))
        return result, text, None
    shown, text = _filtered(index, query, visibility, _rating_slots(index, visibility))
    ruled = _rule_slots(index, visibility)
    return shown - ruled, text, _rules_hidden(index, shown & ruled, visibility)


def _cached_matches(index: SearchIndex, query: SearchQuery, visibility: Visibility) -> Matches:
    filters = replace(query, sort="relevance", page=1, per_page=1)
    return index.cached(  # type: ignore[no-any-return]
        cache_key("matches", filters, visibility=visibility),
        lambda: _matches(index, query, visibility),
        result=True,
    )


def _facets(
    index: SearchIndex, query: SearchQuery, result: BitMap, visibility: Visibility
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    def others(without: SearchQuery) -> BitMap:
        matches: BitMap = _cached_matches(index, without, visibility)[0]
        return matches

    return facets_count(index, query, result, visibility, others=others, tags=tag_counts)


def engine_search(
    index: SearchIndex, query: SearchQuery, visibility: Visibility, *, facets: bool = True, as_json: bool = False
) -> EngineResult:
    """Results and facets are cached per filter set and visibility until the next catalog change (index
    caches are dropped on every change): the next page or another sort of the same search, or the same
    popular search from another reader, only sorts and slices. `as_json`: fill `items_json`."""
    with index.lock:
        filters = replace(query, sort="relevance", page=1, per_page=1)
        result, text, rules_hidden = _cached_matches(index, query, visibility)
        slots = slots_array(result)
        page = _page(index, query, slots, text, visibility) if query.offset < len(slots) else slots[:0]
        pks = index.columns["pk"][page].tolist()
        page_slots = page.tolist()
        store = index.cards
        cards = [store.cards[slot] for slot in page_slots]
        items = "[" + ", ".join(map(store.json, page_slots, pks)) + "]" if as_json else "[]"
        if not facets:
            return EngineResult(
                pks=pks, total=len(result), facets={}, cards=cards, items_json=items, rules_hidden=rules_hidden
            )
        counts, removes = index.cached(
            cache_key("facets", filters, visibility=visibility),
            lambda: _facets(index, query, result, visibility),
            result=True,
        )
        text_json, removes_json = index.cached(
            cache_key("facets-json", filters, visibility=visibility),
            lambda: (json.dumps(counts, ensure_ascii=False), json.dumps(removes, ensure_ascii=False)),
            result=True,
        )
        return EngineResult(
            pks=pks,
            total=len(result),
            facets=counts,
            removes=removes,
            cards=cards,
            facets_json=text_json,
            removes_json=removes_json,
            items_json=items,
            rules_hidden=rules_hidden,
        )
