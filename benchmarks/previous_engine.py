"""The engine's hot parts as they were before the issue 10 speed work (main at 86abadd), kept callable for
mix_bench.py only, so that one run times the engine and its previous self on the same index, case by case.

`previous_engine()` swaps them in for the length of a `with` block (the benchmark is single-threaded and
holds the index's lock): the tag counts by a bincount of every row, and at a relevance threshold by one
intersection per tag for the candidates; the word
index's match (every kind's words posted, substrings by a scan of every word joined as one string); the
text match's bitmap built from a list; every page by a top-k selection over the result. Not the
product's code: nothing in `shuraba/` imports it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
from pyroaring import BitMap

from shuraba.accounts.policies import SPOILER_LEVELS
from shuraba.search import engine, facets, textscan, words
from shuraba.search.cache import cache_key
from shuraba.search.filters import tag_filter
from shuraba.search.query import SearchQuery
from shuraba.search.storage import LEVELS
from shuraba.search.words import EXACT, SUM_ROOM, query_words


def _tag_counts(index: Any, result: BitMap, visibility: Any, minimum: int = 0) -> dict[str, int]:
    """engine.tag_counts at 86abadd (any relevance): a bincount of the smaller of the result and its
    complement within the visible set, whatever its size."""
    visible = engine.visible_slots(index, visibility)
    if len(result) * 2 <= len(visible):
        codes = index.tag_code_counts(result)
    else:
        every = index.cached(
            cache_key("previous-tag-codes", visibility=visibility), lambda: index.tag_code_counts(visible)
        )
        codes = every - index.tag_code_counts(visible - result)
    shown = [code for code, level in enumerate(SPOILER_LEVELS) if visibility.assignment_shown(level)]
    counts = codes[shown[0] :: LEVELS]
    for code in shown[1:]:
        counts = counts + codes[code::LEVELS]
    numbers = np.flatnonzero(counts)
    slugs = index.tag_slugs
    return dict(zip((slugs[n] for n in numbers.tolist()), counts[numbers].tolist(), strict=True))


def _tags_at(index: Any, members: BitMap, visibility: Any, minimum: int, tags: Any) -> dict[str, int]:
    """facets._tags_at at 86abadd: any-relevance codes name the candidates, each is intersected with its
    bitmap at the threshold."""
    found = _tag_counts(index, members, visibility)
    if minimum <= 0:
        return dict(found)
    at = SearchQuery(min_relevance=minimum)
    bitmaps: dict[str, BitMap] = index.cached(
        cache_key("previous-tags-shown-min", minimum, visibility=visibility),
        lambda: {slug: tag_filter(at, slug).bitmap(index, visibility) for slug in index.tag_slugs},
    )
    counts = {}
    for slug in found:
        count = members.intersection_cardinality(bitmaps[slug])
        if count:
            counts[slug] = count
    return counts


def _containing(self: Any, needle: str) -> list[int]:
    """WordIndex._containing at 86abadd: str.find over every word joined, each hit's owner by bisection."""
    if self._previous_joined_words < len(self.words):
        new = self.words[self._previous_joined_words :]
        lengths = np.array([len(w) + 1 for w in new], dtype=np.int64)
        starts = len(self._previous_joined) + np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        self._previous_joined += "".join(w + "\n" for w in new)
        self._previous_offsets = np.concatenate([self._previous_offsets, starts])
        self._previous_joined_words = len(self.words)
    positions, at = [], self._previous_joined.find(needle)
    while at >= 0:
        positions.append(at)
        at = self._previous_joined.find(needle, at + 1)
    owners: list[int] = words._distinct(np.searchsorted(self._previous_offsets, positions, side="right") - 1).tolist()
    return owners


def _split(self: Any, query: str) -> BitMap:
    """WordIndex._split at 86abadd: every split compound read name by name."""
    found = BitMap()
    for cut in range(1, len(query)):
        a, b = self.word_id.get(query[:cut]), self.word_id.get(query[cut:])
        if a is not None and b is not None:
            both = self.postings[a] & self.postings[b]
            if both:
                found |= self._adjacent(np.array(both.to_array(), dtype=np.int64), a, b)
    return found


def _levels(self: Any, query: Any, i: int) -> dict[int, BitMap]:
    """WordIndex.levels at 86abadd: every kind looked up anew for every query word."""
    q, last = query[i], i == len(query) - 1
    return {
        words.EXACT: self._posted([q]),
        words.PREFIX: self._posted(self._prefixed(q)) if last else BitMap(),
        words.COMPOUND: _split(self, q) | self._posted(words._joins(query, i)),
        words.FOLDED: self._posted(self.words[n] for n in self.folded.get(words.long_vowels_fold(q), ())),
        words.TYPO: self._posted(_typos(self, q)),
        words.SUBSTRING: self._posted(self.words[n] for n in _containing(self, q))
        if words.substring_allowed(q)
        else BitMap(),
    }


def _typos(self: Any, query: str) -> list[str]:
    budget = words.typo_budget(query)
    if not budget:
        return []
    found = []
    for length in range(len(query) - budget, len(query) + budget + 1):
        shape = self._previous_shapes.get((query[0], length))
        if shape:
            hits = words.extract(
                query, shape, scorer=words.DamerauLevenshtein.distance, score_cutoff=budget, limit=None
            )
            found += [word for word, _, _ in hits]
    return found


def _match(self: Any, text: str, within: BitMap) -> tuple[np.ndarray, np.ndarray]:
    """WordIndex.match at 86abadd."""
    query = query_words(text)
    empty = np.zeros(0, dtype=np.int64)
    if not query:
        return empty, empty
    levels = [_levels(self, query, i) for i in range(len(query))]
    names = BitMap.intersection(*(BitMap.union(*lv.values()) for lv in levels))
    numbers = words._array(names)
    if len(numbers):
        shown = np.zeros(int(self.name_slot[numbers].max()) + 1, dtype=bool)
        inside = words._array(within)
        shown[inside[inside < len(shown)]] = True
        numbers = numbers[shown[self.name_slot[numbers]]]
    if not len(numbers):
        return empty, empty
    kinds = np.zeros((len(query), len(numbers)), dtype=np.int64)
    scratch = np.zeros(len(self.name_words), dtype=np.int8)
    for i, found in enumerate(levels):
        scratch[:] = 0
        for kind in sorted(found):
            scratch[words._array(found[kind] & names)] = kind
        kinds[i] = scratch[numbers]
    whole = np.zeros(len(numbers), dtype=np.int64)
    same_length = np.frombuffer(self.name_len, dtype=np.int64)[numbers] == len(query)
    exact = np.flatnonzero((kinds == EXACT).all(axis=0) & same_length)
    whole[exact] = [self.name_words[n] == query for n in numbers[exact].tolist()]
    tiers = ((kinds.min(axis=0) * SUM_ROOM + kinds.sum(axis=0)) * 2 + whole) * 2 + self.name_title[numbers]
    slots = self.name_slot[numbers]
    best = np.zeros(int(slots.max()) + 1, dtype=np.int64)
    np.maximum.at(best, slots, tiers)
    found_slots = np.flatnonzero(best)
    return found_slots.astype(np.int64), best[found_slots]


def previous_prepare(index: Any) -> None:
    """The previous matcher's own lookups (built once, outside any timing)."""
    text = index.text
    text._previous_joined, text._previous_joined_words = "", 0
    text._previous_offsets = np.zeros(0, dtype=np.int64)
    shapes: dict[tuple[str, int], list[str]] = {}
    for word in text.words:
        shapes.setdefault((word[0], len(word)), []).append(word)
    text._previous_shapes = shapes
    _containing(text, "\n\n")  # joins every word once


def _page(index: Any, query: Any, slots: np.ndarray, text: Any, visibility: Any) -> np.ndarray:
    """engine._page at 86abadd: every page by a top-k selection over the result's keys."""
    keys = (
        engine._relevance_keys(index, query, slots, text, visibility)
        if query.sort == "relevance"
        else index.rank(query.sort)[slots]
    )
    page: np.ndarray = slots[engine._top(keys, query.offset, query.offset + query.per_page)]
    return page


def _of_arrays(cls: Any, slots: np.ndarray, tiers: np.ndarray) -> Any:
    """TextMatch.of_arrays at 86abadd: the bitmap from a list of ints."""
    return cls(BitMap(slots.tolist()), slots, tiers)


@contextlib.contextmanager
def previous_engine() -> Iterator[None]:
    """The previous hot parts in place of the current ones, for the block."""
    match = textscan.TextMatch.__dict__["of_arrays"]
    saved = facets._tags_at, words.WordIndex.match, engine._page, engine.tag_counts
    facets._tags_at, words.WordIndex.match, engine._page, engine.tag_counts = _tags_at, _match, _page, _tag_counts  # type: ignore[assignment,method-assign]
    textscan.TextMatch.of_arrays = classmethod(_of_arrays)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        facets._tags_at, words.WordIndex.match, engine._page, engine.tag_counts = saved  # type: ignore[method-assign]
        textscan.TextMatch.of_arrays = match  # type: ignore[method-assign]
