"""The in-memory search index's storage: one compressed bitmap (pyroaring) per tag, tag spoiler level,
warning severity, dimension value and numeric value, over dense slot numbers; numpy columns for sorting;
a word index (words.py) for title text; the result cards.

It holds facts, never decisions: which assignments a viewer may see is the policy's (accounts/policies.py),
asked by the engine. Built by build.py through the public `*_add` writers; kept current by `apply`.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from pyroaring import BitMap

from shuraba.accounts.policies import SPOILER_LEVELS
from shuraba.catalog.models import Severity
from shuraba.core.changelog import NO_CHANGES, Version
from shuraba.search.cache import Cache, CacheKey, cache_key
from shuraba.search.cards import CardStore, card_of
from shuraba.search.collation import title_sort_key
from shuraba.search.loader import TitleRow, rows_load
from shuraba.search.normalize import text_normalize
from shuraba.search.words import WordIndex

if TYPE_CHECKING:
    from shuraba.accounts.policies import Visibility

MISSING = -1
POPULARITY_BUCKETS = 40  # log2 buckets; the edge buckets of a range are checked value by value
COLUMNS = ("score", "popularity", "date", "pk")
TAG_WIDTH = 24  # tag codes kept per title in a dense row; a title with more keeps the rest in `overflow`
NO_TAG = int(np.iinfo(np.int16).max)  # fills the dense rows; codes from here on (10,922+ tags) go to `overflow`
# Tag counts over more members than this many per tag take one bitmap intersection per tag instead of a
# bincount of the members' rows (measured at 200k titles and 2,073 tags: even near 40,000 members).
TAG_SCAN_PER_TAG = 20
LEVELS = len(SPOILER_LEVELS)  # a tag code is the tag's number * LEVELS + its assignment's spoiler level
LEVEL_CODE = {level: code for code, level in enumerate(SPOILER_LEVELS)}
SPOILER_ONLY = SPOILER_LEVELS[1:]  # levels kept as their own bitmaps (most assignments are not spoilers)
SEVERITIES = tuple(Severity.values)


def slots_array(bitmap: BitMap) -> np.ndarray:
    """A bitmap's members as a numpy array, without a Python loop."""
    return np.frombuffer(bitmap.to_array(), dtype=np.uint32).astype(np.int64)


def popularity_bucket(value: int) -> int:
    return min(POPULARITY_BUCKETS - 1, int(math.log2(value + 1)))


def bitmaps_union(bitmaps: Iterable[BitMap]) -> BitMap:
    """A new bitmap holding the members of all the given ones (none: empty)."""
    return BitMap.union(BitMap(), *bitmaps)


class SearchIndex:
    """Bitmaps over slots; a slot is a title's position, stable for the life of the index."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.version: Version = NO_CHANGES
        self.vocabulary_version: Version = NO_CHANGES  # parse queries with vocab.vocabulary_at(this)
        self.slot_of: dict[int, int] = {}
        self.live = BitMap()
        self.values: dict[tuple[str, str], BitMap] = defaultdict(BitMap)  # (dimension, key)
        self.numbers: dict[tuple[str, int], BitMap] = defaultdict(BitMap)  # (field, value or bucket)
        self.tags: dict[str, BitMap] = defaultdict(BitMap)  # every assignment
        self.spoiler_tags: dict[tuple[str, str], BitMap] = defaultdict(BitMap)  # (slug, minor|major)
        self.severities: dict[tuple[str, str], BitMap] = defaultdict(BitMap)  # (slug, a warning's severity)
        # Facts only avoid rules read (never counted in facets): credited creators, subgenre weights, and
        # pending classification suggestions (evidence for a title not classified yet).
        self.creators: dict[str, BitMap] = defaultdict(BitMap)  # creator slug
        self.weights: dict[tuple[str, float], BitMap] = defaultdict(BitMap)  # (subgenre key, weight)
        self.suggested: dict[tuple[str, str], BitMap] = defaultdict(BitMap)  # (axis, value key)
        # slug -> relevance -> slots: "at least r" is a union of a few bitmaps, and no per-title dicts.
        self.relevance_levels: dict[str, dict[int, BitMap]] = defaultdict(dict)
        self.text = WordIndex()  # every name's words (title text search)
        self.names: list[tuple[str, ...]] = []
        self.titles: list[str] = []
        self.cards = CardStore()
        self.columns = {name: np.full(0, MISSING, dtype=np.int64) for name in COLUMNS}
        # Per slot, its tags as codes (tag number * LEVELS + spoiler level) for counting facets by bincount,
        # and beside each code its assignment's relevance (a count at a threshold masks the codes below it).
        self.tag_number: dict[str, int] = {}
        self.tag_slugs: list[str] = []
        self.slot_tags = np.full((0, TAG_WIDTH), NO_TAG, dtype=np.int16)
        self.slot_relevance = np.zeros((0, TAG_WIDTH), dtype=np.uint8)  # relevance is 0..100
        self.dense_codes = NO_TAG  # codes below this fit the dense rows (a test lowers it)
        self.tag_scan_per_tag = TAG_SCAN_PER_TAG  # engine._tag_numbers' switch (a test lowers it)
        self.overflow: dict[int, list[tuple[int, int]]] = {}  # slot -> (code, relevance)
        self.overflow_slots = BitMap()
        self._cache = Cache(settings.SEARCH_CACHE_BYTES, results=settings.SEARCH_CACHE_RESULTS)

    # --- the builder's writers ----------------------------------------------------------------------

    def reserve(self, size: int) -> None:
        """Room for `size` slots in the columns and dense tag rows."""
        current = len(self.columns["pk"])
        if size <= current:
            return
        grown = max(size, current * 2, 64)
        for name, column in self.columns.items():
            self.columns[name] = np.concatenate([column, np.full(grown - current, MISSING, dtype=np.int64)])
        padding = np.full((grown - current, TAG_WIDTH), NO_TAG, dtype=np.int16)
        self.slot_tags = np.concatenate([self.slot_tags, padding])
        self.slot_relevance = np.concatenate([self.slot_relevance, np.zeros(padding.shape, dtype=np.uint8)])

    def slot_for(self, pk: int) -> int:
        """A title's slot, a new one for a title the index has not seen."""
        slot = self.slot_of.get(pk)
        if slot is None:
            slot = len(self.names)
            self.slot_of[pk] = slot
            self.names.append(())
            self.titles.append("")
            self.cards.grow()
            self.reserve(slot + 1)
        return slot

    def tag_code(self, slug: str, level: str) -> int:
        number = self.tag_number.get(slug)
        if number is None:
            number = self.tag_number[slug] = len(self.tag_slugs)
            self.tag_slugs.append(slug)
        return number * LEVELS + LEVEL_CODE[level]

    def values_add(self, dimension: str, key: str, slots: Any) -> None:
        self.values[(dimension, key)].update(slots)

    def numbers_add(self, name: str, value: int, slots: Any) -> None:
        self.numbers[(name, value)].update(slots)

    def tag_add(self, slug: str, slots: Any, *, level: str) -> None:
        """Slots carrying a tag at one spoiler level."""
        self.tags[slug].update(slots)
        if level != SPOILER_LEVELS[0]:
            self.spoiler_tags[(slug, level)].update(slots)

    def relevance_add(self, slug: str, relevance: int, slots: Any) -> None:
        levels = self.relevance_levels[slug]
        bitmap = levels.get(relevance)
        if bitmap is None:
            bitmap = levels[relevance] = BitMap()
        bitmap.update(slots)

    def severity_add(self, slug: str, severity: str, slots: Any) -> None:
        self.severities[(slug, severity)].update(slots)

    def tag_codes_put(self, slots: np.ndarray, codes: np.ndarray, relevance: np.ndarray) -> None:
        """Each slot's tag codes and their relevance: the first TAG_WIDTH dense ones in its row, the rest in
        the overflow."""
        order = np.argsort(slots, kind="stable")
        slots, codes, relevance = slots[order], codes[order], relevance[order]
        starts = np.flatnonzero(np.r_[True, slots[1:] != slots[:-1]])
        position = np.arange(len(slots)) - np.repeat(starts, np.diff(np.r_[starts, len(slots)]))
        fits = (position < TAG_WIDTH) & (codes < self.dense_codes)
        self.slot_tags[slots[fits], position[fits]] = codes[fits]
        self.slot_relevance[slots[fits], position[fits]] = relevance[fits]
        rest = zip(slots[~fits].tolist(), codes[~fits].tolist(), relevance[~fits].tolist(), strict=True)
        for slot, code, level in rest:
            self.overflow.setdefault(slot, []).append((code, level))
            self.overflow_slots.add(slot)

    def rows_add(self, rows: Iterable[TitleRow], *, fresh: bool = False) -> None:
        """Index titles (replacing what a slot held). Members are gathered in lists and added to each
        bitmap once per batch: far fewer calls than one add per title and key. `fresh`: the slots are new
        and their tags and profile values were already indexed column-wise (build.py)."""
        pending: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for row in rows:
            slot = self.slot_for(row.pk)
            if not fresh:
                self._remove(slot)
            self._gather(row, slot, pending, fresh=fresh)
        for (kind, *key), slots in pending.items():
            if kind == "live":
                self.live.update(slots)
            elif kind == "value":
                self.values_add(key[0], key[1], slots)
            elif kind == "number":
                self.numbers_add(key[0], key[1], slots)
            elif kind == "tag":
                self.tag_add(key[0], slots, level=key[1])
            elif kind == "relevance":
                self.relevance_add(key[0], key[1], slots)
            elif kind == "severity":
                self.severity_add(key[0], key[1], slots)
            else:
                self.rule_fact_add(kind, key, slots)

    def rule_fact_add(self, kind: str, key: list[Any], slots: Any) -> None:
        """A fact only avoid rules read: a creator, a subgenre's weight, a pending suggestion."""
        if kind == "creator":
            self.creators[key[0]].update(slots)
        elif kind == "weight":
            self.weights[(key[0], key[1])].update(slots)
        else:
            self.suggested[(key[0], key[1])].update(slots)

    # --- keeping current ----------------------------------------------------------------------------

    def apply(self, changed: Iterable[int], version: Version) -> None:
        """Re-read the changed titles (inserted, updated or deleted) and move to `version`."""
        changed = list(changed)
        rows = rows_load(changed)
        with self.lock:
            for pk in changed:
                if pk not in rows and pk in self.slot_of:
                    self._remove(self.slot_of[pk])
            self.rows_add(rows.values())
            self.version = version
            self._cache.clear()

    def _remove(self, slot: int) -> None:
        """Take a slot out of every bitmap. Scanning beats remembering per title (memory at 200k titles)."""
        if slot not in self.live:
            return
        stores: tuple[dict[Any, BitMap], ...] = (
            self.values,
            self.numbers,
            self.spoiler_tags,
            self.severities,
            self.creators,
            self.weights,
            self.suggested,
        )
        for store in stores:
            for bitmap in store.values():
                bitmap.discard(slot)
        for slug, bitmap in self.tags.items():
            if slot in bitmap:
                bitmap.discard(slot)
                for level in self.relevance_levels[slug].values():
                    level.discard(slot)
        self.text.slot_remove(slot)
        self.names[slot] = ()
        self.cards.put(slot, None)
        self.slot_tags[slot] = NO_TAG
        self.slot_relevance[slot] = 0
        self.overflow.pop(slot, None)
        self.overflow_slots.discard(slot)
        self.live.discard(slot)

    def _gather(self, row: TitleRow, slot: int, pending: dict[tuple[Any, ...], list[int]], *, fresh: bool) -> None:
        fields = (
            ("content_rating", row.content_rating),
            ("status", row.status),
            ("format", row.format),
            ("country", row.country),
            ("length", row.length),
        )
        for dimension, key in fields if fresh else (*row.values, *fields):
            if key:
                pending["value", dimension, key].append(slot)
        year = row.start_date.year if row.start_date else None
        for name, number in (
            ("year", year),
            ("score", row.score),
            ("centrality", row.ranks.get("centrality")),
            ("intensity", row.ranks.get("intensity")),
            ("popularity-bucket", popularity_bucket(row.popularity)),
        ):
            if number is not None:
                pending["number", name, number].append(slot)
        if not fresh:
            self._gather_tags(row, slot, pending)
        for creator in row.creators:
            pending["creator", creator].append(slot)
        for weight, _, key in row.subgenres:
            pending["weight", key, weight].append(slot)
        for axis, key in row.suggested:
            pending["suggested", axis, key].append(slot)
        pending["live",].append(slot)
        self.names[slot] = tuple(dict.fromkeys(text_normalize(n) for n in row.names if n))
        self.text.slot_put(slot, row.names, row.creator_names)
        self.titles[slot] = row.title
        self.cards.put(slot, card_of(row, year))
        self.columns["score"][slot] = MISSING if row.score is None else row.score
        self.columns["popularity"][slot] = row.popularity
        self.columns["date"][slot] = MISSING if row.start_date is None else row.start_date.toordinal()
        self.columns["pk"][slot] = row.pk

    def _gather_tags(self, row: TitleRow, slot: int, pending: dict[tuple[Any, ...], list[int]]) -> None:
        codes, relevances = [], []
        for slug, relevance, level, severity in row.tags:
            pending["tag", slug, level].append(slot)
            pending["relevance", slug, relevance].append(slot)
            if severity:
                pending["severity", slug, severity].append(slot)
            codes.append(self.tag_code(slug, level))
            relevances.append(relevance)
        if codes:
            slots = np.full(len(codes), slot, dtype=np.int64)
            self.tag_codes_put(slots, np.array(codes, dtype=np.int64), np.array(relevances, dtype=np.int64))

    # --- reading ------------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self.names)

    def cached(self, key: CacheKey, compute: Callable[[], Any], *, result: bool = False) -> Any:
        """Derived data (or with `result`, one search's answer) kept until the next catalog change."""
        return self._cache.get(key, compute, result=result)

    def text_match(self, text: str, within: BitMap) -> tuple[np.ndarray, np.ndarray]:
        """Slots of `within` whose names match the query text, ascending, and their tiers (words.py)."""
        return self.text.match(text, within)

    def tag_code_counts(self, members: BitMap, minimum: int = 0) -> np.ndarray:
        """How often each tag code occurs among the given slots (index: tag number * LEVELS + level), counting
        only assignments at a relevance of `minimum` or more: one bincount for every tag at once."""
        size = LEVELS * len(self.tag_slugs)
        codes = self._tag_rows_at(minimum)[slots_array(members)]
        dense = np.bincount(codes.ravel(), minlength=NO_TAG + 1)[:NO_TAG]
        counts: np.ndarray = dense[:size] if size <= NO_TAG else np.append(dense, np.zeros(size - NO_TAG, dense.dtype))
        overflow = members & self.overflow_slots
        extra = [code for slot in overflow for code, relevance in self.overflow[slot] if relevance >= minimum]
        if extra:
            counts += np.bincount(np.array(extra, dtype=np.int64), minlength=size)[:size]
        return counts

    def _tag_rows_at(self, minimum: int) -> np.ndarray:
        """The dense tag rows with every code below a relevance threshold blanked (NO_TAG), made once per
        threshold: a count at a threshold then reads as few bytes as one at any relevance."""
        if minimum <= 0:
            return self.slot_tags

        def compute() -> np.ndarray:
            rows: np.ndarray = np.where(self.slot_relevance >= minimum, self.slot_tags, np.int16(NO_TAG))
            return rows

        rows: np.ndarray = self.cached(cache_key("tag-rows-at", minimum), compute)
        return rows

    def tag_at_least(self, slug: str, minimum: int) -> BitMap:
        """Slots with any assignment of the tag at this relevance or more (spoiler or not)."""
        if minimum <= 0:
            return self.tags.get(slug) or BitMap()
        levels = self.relevance_levels.get(slug, {})
        bitmap: BitMap = self.cached(
            cache_key("tag-min", slug, minimum), lambda: bitmaps_union(b for r, b in levels.items() if r >= minimum)
        )
        return bitmap

    def tag_hidden(self, slug: str, visibility: Visibility) -> BitMap:
        """Slots whose assignment of the tag is at a spoiler level this visibility does not show."""
        hidden = [level for level in SPOILER_ONLY if not visibility.assignment_shown(level)]
        if not hidden:
            return BitMap()
        bitmap: BitMap = self.cached(
            cache_key("tag-hidden", slug, visibility=visibility),
            lambda: bitmaps_union(self.spoiler_tags.get((slug, level)) or BitMap() for level in hidden),
        )
        return bitmap

    def tag_relevance(self, slug: str, visibility: Visibility) -> np.ndarray:
        """Each slot's relevance for a tag, as a column: 0 where absent or at a level the visibility hides."""

        def compute() -> np.ndarray:
            column = np.zeros(self.size, dtype=np.int16)  # a PositiveSmallIntegerField
            hidden = self.tag_hidden(slug, visibility)
            for relevance, bitmap in self.relevance_levels.get(slug, {}).items():
                column[slots_array(bitmap - hidden if hidden else bitmap)] = relevance
            return column

        column: np.ndarray = self.cached(cache_key("relevance", slug, visibility=visibility), compute)
        return column

    def order(self, sort: str) -> np.ndarray:
        """Every slot in the order of a sort (the inverse of `rank`)."""

        def compute() -> np.ndarray:
            ranks = self.rank(sort)
            order = np.empty(len(ranks), dtype=np.int64)
            order[ranks] = np.arange(len(ranks), dtype=np.int64)
            return order

        order: np.ndarray = self.cached(cache_key("order", sort), compute)
        return order

    def rank(self, sort: str) -> np.ndarray:
        """Each slot's position in the whole catalog for a sort; every order ends on the pk."""

        def compute() -> np.ndarray:
            pk = self.columns["pk"][: self.size]
            if sort == "title":
                keys = [title_sort_key(self.titles[s], int(pk[s])) for s in range(self.size)]
                order = sorted(range(self.size), key=keys.__getitem__)
                order_array = np.array(order, dtype=np.int64)
            else:
                column = {"score": "score", "year": "date", "popularity": "popularity"}[sort]
                values = self.columns[column][: self.size]
                order_array = np.lexsort((pk, -values, np.where(values < 0, 1, 0)))
            ranks = np.empty(self.size, dtype=np.int64)
            ranks[order_array] = np.arange(self.size, dtype=np.int64)
            return ranks

        ranks: np.ndarray = self.cached(cache_key("rank", sort), compute)
        return ranks
