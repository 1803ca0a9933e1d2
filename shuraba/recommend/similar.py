"""“More like this”: the titles that share most of one title's NTR profile and tags, through the viewer's
visibility and exclusions.

Similarity is the overlap of the profile's values (each 1 point; spoiler axes left out, so the row cannot
hint at an ending) and of the tags assigned without a spoiler level (each 0.5). It is computed once per
title and catalog version for every viewer; the viewer's visible set is applied after."""

from __future__ import annotations

import numpy as np
from pyroaring import BitMap

from shuraba.accounts.policies import Visibility
from shuraba.catalog.cards import TitleCard
from shuraba.recommend.engine import Exclusions, card_of_slot, universe_of
from shuraba.recommend.weights import LIBRARY_AXES
from shuraba.search.cache import cache_key
from shuraba.search.live import search_index
from shuraba.search.query import SPOILER_DIMENSIONS
from shuraba.search.storage import SPOILER_ONLY, SearchIndex, bitmaps_union, slots_array

SIMILAR_SIZE = 6
KEPT = 300  # the most similar slots kept per title, before the viewer's visibility
TAG_POINTS = 0.5
PROFILE_AXES = tuple(a for a in LIBRARY_AXES if a not in SPOILER_DIMENSIONS)


def _ranked(index: SearchIndex, slot: int) -> tuple[np.ndarray, np.ndarray]:
    def compute() -> tuple[np.ndarray, np.ndarray]:
        score = np.zeros(index.size)
        for (dimension, _), bitmap in index.values.items():
            if dimension in PROFILE_AXES and slot in bitmap:
                score[slots_array(bitmap)] += 1.0
        for (name, _), bitmap in index.numbers.items():
            if name in ("intensity", "centrality") and slot in bitmap:
                score[slots_array(bitmap)] += 1.0
        for slug, bitmap in index.tags.items():
            spoilers = bitmaps_union(index.spoiler_tags.get((slug, lv)) or BitMap() for lv in SPOILER_ONLY)
            if slot in bitmap and slot not in spoilers:  # only other titles' plain assignments earn points
                score[slots_array(bitmap - spoilers)] += TAG_POINTS
        score[slot] = 0.0
        order = np.argsort(-score, kind="stable")[:KEPT]
        order = order[score[order] > 0]
        return order, score[order]

    return index.cached(cache_key("recommend-similar", slot), compute)  # type: ignore[no-any-return]


def title_similar(
    *, visibility: Visibility, title_id: int, exclusions: Exclusions, limit: int = SIMILAR_SIZE
) -> tuple[TitleCard, ...]:

    index = search_index()
    with index.lock:  # the index's caches and cards are read under its lock (search.cache)
        slot = index.slot_of.get(title_id)
        if slot is None:
            return ()
        universe = universe_of(index, visibility, (title_id,), exclusions)
        order, _ = _ranked(index, slot)
        cards = (card_of_slot(index, int(s)) for s in order.tolist() if s in universe)
        return tuple(c for c in cards if c is not None)[:limit]
