"""The in-memory search index: one compressed bitmap (pyroaring) per tag, dimension value and numeric
value, over dense slot numbers; numpy columns for sorting; trigram bitmaps for title text.

It is built from the database and kept current from the catalog change counter (CatalogChange): each
search first asks for the newest change and re-reads only the titles changed since, so every worker and
machine serving one database agrees within one request after a write.
"""

from __future__ import annotations

import math
import sys
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from pyroaring import BitMap

from shuraba.catalog.models import CatalogChange
from shuraba.search.loader import TitleRow, rows_load
from shuraba.search.normalize import text_normalize

MISSING = -1
POPULARITY_BUCKETS = 40  # log2 buckets; the edge buckets of a range are checked value by value
COLUMNS = ("score", "popularity", "date", "pk")
RANGE_NUMBERS = ("year", "score", "centrality", "intensity")


def trigrams(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def popularity_bucket(value: int) -> int:
    return min(POPULARITY_BUCKETS - 1, int(math.log2(value + 1)))


class SearchIndex:
    """Bitmaps over slots; a slot is a title's position, stable for the life of the index."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.version: tuple[int, str] = (0, "")
        self.slot_of: dict[int, int] = {}
        self.live = BitMap()
        self.values: dict[tuple[str, str], BitMap] = defaultdict(BitMap)  # (dimension, key)
        self.numbers: dict[tuple[str, int], BitMap] = defaultdict(BitMap)  # (field, value or bucket)
        self.tags: dict[str, BitMap] = defaultdict(BitMap)  # every assignment
        self.open_tags: dict[str, BitMap] = defaultdict(BitMap)  # assignments that are not spoilers
        self.relevance: dict[str, dict[int, int]] = defaultdict(dict)  # slug -> slot -> relevance
        self.grams: dict[str, BitMap] = defaultdict(BitMap)
        self.names: list[tuple[str, ...]] = []
        self.titles: list[str] = []
        self.columns = {name: np.full(0, MISSING, dtype=np.int64) for name in COLUMNS}
        self._keys: list[tuple[tuple[Any, ...], ...]] = []  # per slot: what to undo on removal
        self._caches: dict[object, object] = {}

    @classmethod
    def from_database(cls) -> SearchIndex:
        index = cls()
        index.version = newest_change()
        rows = rows_load()
        index._reserve(len(rows))
        for row in rows.values():
            index._insert(row)
        return index

    # --- writing ----------------------------------------------------------------------------------

    def _reserve(self, size: int) -> None:
        current = len(self.columns["pk"])
        if size <= current:
            return
        grown = max(size, current * 2, 64)
        for name, column in self.columns.items():
            self.columns[name] = np.concatenate([column, np.full(grown - current, MISSING, dtype=np.int64)])

    def _slot(self, pk: int) -> int:
        slot = self.slot_of.get(pk)
        if slot is None:
            slot = len(self.names)
            self.slot_of[pk] = slot
            self.names.append(())
            self.titles.append("")
            self._keys.append(((), (), (), ()))
            self._reserve(slot + 1)
        return slot

    def _remove(self, slot: int) -> None:
        values, numbers, tags, open_tags = self._keys[slot]
        for key in values:
            self.values[key].discard(slot)
        for key in numbers:
            self.numbers[key].discard(slot)
        for slug in tags:
            self.tags[slug].discard(slot)
            self.relevance[slug].pop(slot, None)
        for slug in open_tags:
            self.open_tags[slug].discard(slot)
        for gram in set().union(*(trigrams(n) for n in self.names[slot])):
            self.grams[gram].discard(slot)
        self._keys[slot] = ((), (), (), ())
        self.names[slot] = ()
        self.live.discard(slot)

    def _insert(self, row: TitleRow) -> None:
        slot = self._slot(row.pk)
        self._remove(slot)
        fields = (
            ("content_rating", row.content_rating),
            ("status", row.status),
            ("format", row.format),
            ("country", row.country),
            ("length", row.length),
        )
        values: tuple[tuple[str, str], ...] = tuple((sys.intern(d), k) for d, k in (*row.values, *fields) if k)
        year = row.start_date.year if row.start_date else None
        numbers: tuple[tuple[str, int], ...] = tuple(
            (name, value)
            for name, value in (
                ("year", year),
                ("score", row.score),
                ("centrality", row.ranks.get("centrality")),
                ("intensity", row.ranks.get("intensity")),
                ("popularity-bucket", popularity_bucket(row.popularity)),
            )
            if value is not None
        )
        tags = tuple(sys.intern(slug) for slug, _, _ in row.tags)
        open_tags = tuple(sys.intern(slug) for slug, _, spoiler in row.tags if spoiler == "none")
        for key in values:
            self.values[key].add(slot)
        for number in numbers:
            self.numbers[number].add(slot)
        for slug, relevance, _ in row.tags:
            self.tags[slug].add(slot)
            self.relevance[slug][slot] = relevance
        for slug in open_tags:
            self.open_tags[slug].add(slot)
        names = tuple(dict.fromkeys(text_normalize(n) for n in row.names if n))
        for gram in set().union(*(trigrams(n) for n in names)):
            self.grams[gram].add(slot)
        self._keys[slot] = (values, numbers, tags, open_tags)
        self.names[slot] = names
        self.titles[slot] = row.title
        self.columns["score"][slot] = MISSING if row.score is None else row.score
        self.columns["popularity"][slot] = row.popularity
        self.columns["date"][slot] = MISSING if row.start_date is None else row.start_date.toordinal()
        self.columns["pk"][slot] = row.pk
        self.live.add(slot)

    def apply(self, changed: list[int], version: tuple[int, str]) -> None:
        """Re-read the changed titles (inserted, updated or deleted) and move to `version`."""
        rows = rows_load(changed)
        with self.lock:
            for pk in changed:
                if pk in rows:
                    self._insert(rows[pk])
                elif pk in self.slot_of:
                    self._remove(self.slot_of[pk])
            self.version = version
            self._caches.clear()

    # --- reading ----------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self.names)

    def tag_at_least(self, slug: str, minimum: int) -> BitMap:
        if minimum <= 0:
            return self.tags.get(slug) or BitMap()
        bitmap: BitMap = self.cached(
            ("tag-min", slug, minimum),
            lambda: BitMap(s for s, r in self.relevance.get(slug, {}).items() if r >= minimum),
        )
        return bitmap

    def cached(self, key: object, compute: Callable[[], Any]) -> Any:
        if key not in self._caches:
            self._caches[key] = compute()
        return self._caches[key]


def newest_change() -> tuple[int, str]:
    newest = CatalogChange.objects.order_by("-pk").values_list("pk", "token").first()
    return (newest[0], str(newest[1])) if newest else (0, "")


def _still_there(version: tuple[int, str]) -> bool:
    """Is the newest change we saw still in the log with the same token? (Not after a rollback.)"""
    return version[0] == 0 or CatalogChange.objects.filter(pk=version[0], token=version[1]).exists()


_current: SearchIndex | None = None
_update_lock = threading.Lock()


def search_index() -> SearchIndex:
    """The process's index, brought up to the database's newest change first."""
    global _current  # noqa: PLW0603 (one index per process, swapped whole on rebuild)
    newest = newest_change()
    with _update_lock:
        index = _current
        if index is not None and index.version == newest:
            return index
        if index is None or newest[0] < index.version[0] or not _still_there(index.version):
            _current = SearchIndex.from_database()
            return _current
        changed = list(
            dict.fromkeys(
                CatalogChange.objects.filter(pk__gt=index.version[0], pk__lte=newest[0]).values_list(
                    "title_id", flat=True
                )
            )
        )
        index.apply(changed, newest)
        return index


def search_index_reset() -> None:
    """Forget the index (tests that swap databases; the next search rebuilds)."""
    global _current  # noqa: PLW0603
    with _update_lock:
        _current = None
