"""The in-memory search index: one compressed bitmap (pyroaring) per tag, dimension value and numeric
value, over dense slot numbers; numpy columns for sorting; trigram bitmaps for title text.

It is built from the database and kept current from the catalog change counter (CatalogChange): each
search first asks for the newest change and re-reads only the titles changed since, so every worker and
machine serving one database agrees within one request after a write.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.urls import reverse
from pyroaring import BitMap

from shuraba.catalog.models import VOCABULARY_CHANGE, CatalogChange
from shuraba.search.cache import Cache
from shuraba.search.loader import TitleRow, rows_load
from shuraba.search.normalize import text_normalize

MISSING = -1
POPULARITY_BUCKETS = 40  # log2 buckets; the edge buckets of a range are checked value by value
COLUMNS = ("score", "popularity", "date", "pk")
MAX_CARD_TEXTS = 50_000  # serialized cards kept (about 20 MB); a changed title drops its own
TAG_WIDTH = 24  # tag codes kept per title in a dense row; a title with more keeps the rest in `overflow`
NO_TAG = int(np.iinfo(np.int16).max)  # fills the dense rows; codes from here on (16,384+ tags) go to `overflow`
RANGE_NUMBERS = ("year", "score", "centrality", "intensity")


def slots_array(bitmap: BitMap) -> np.ndarray:
    """A bitmap's members as a numpy array, without a Python loop."""
    return np.frombuffer(bitmap.to_array(), dtype=np.uint32).astype(np.int64)


def gram_code(gram: str) -> int:
    """A trigram as one integer (three code points of 21 bits each)."""
    return (ord(gram[0]) << 42) | (ord(gram[1]) << 21) | ord(gram[2])


def trigrams(text: str) -> set[int]:
    padded = f" {text} "
    return {gram_code(padded[i : i + 3]) for i in range(len(padded) - 2)}


SEPARATOR = 1  # U+0001 joins names in a batch; no trigram spans it
NEWLINE = 10  # ends every name in the joined text a scan reads (normalized names hold no newline)


def trigrams_bulk(slot_names: list[tuple[int, tuple[str, ...]]]) -> Iterator[tuple[int, np.ndarray]]:
    """(trigram code, slots) for a batch of titles, computed with numpy instead of per-name sets."""
    padded = [(slot, f" {name} ") for slot, names in slot_names for name in names]
    if not padded:
        return
    joined = "\x01".join(text for _, text in padded)
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lengths = np.array([len(text) + 1 for _, text in padded], dtype=np.int64)
    owners = np.repeat(np.array([slot for slot, _ in padded], dtype=np.int64), lengths)[: len(points)]
    codes = (points[:-2] << 42) | (points[1:-1] << 21) | points[2:]
    keep = (points[:-2] != SEPARATOR) & (points[1:-1] != SEPARATOR) & (points[2:] != SEPARATOR)
    codes, owners = codes[keep], owners[:-2][keep]
    order = np.argsort(codes, kind="stable")
    codes, owners = codes[order], owners[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    for start, stop in zip(starts.tolist(), [*starts[1:].tolist(), len(codes)], strict=True):
        yield int(codes[start]), owners[start:stop]


def popularity_bucket(value: int) -> int:
    return min(POPULARITY_BUCKETS - 1, int(math.log2(value + 1)))


class SearchIndex:
    """Bitmaps over slots; a slot is a title's position, stable for the life of the index."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.version: tuple[int, str] = (0, "")
        self.vocabulary_version: tuple[int, str] = (0, "")  # parse queries with vocab.vocabulary_at(this)
        self.slot_of: dict[int, int] = {}
        self.live = BitMap()
        self.values: dict[tuple[str, str], BitMap] = defaultdict(BitMap)  # (dimension, key)
        self.numbers: dict[tuple[str, int], BitMap] = defaultdict(BitMap)  # (field, value or bucket)
        self.tags: dict[str, BitMap] = defaultdict(BitMap)  # every assignment
        self.open_tags: dict[str, BitMap] = defaultdict(BitMap)  # assignments that are not spoilers
        # slug -> relevance -> slots: "at least r" is a union of a few bitmaps, and no per-title dicts.
        self.levels: dict[str, dict[int, BitMap]] = defaultdict(dict)
        self.grams: dict[int, BitMap] = defaultdict(BitMap)  # trigram code -> slots
        self.names: list[tuple[str, ...]] = []
        self.titles: list[str] = []
        self.cards: list[tuple[Any, ...] | None] = []  # what a result card shows, without the database
        self._card_texts: dict[int, str] = {}  # slot -> the card as the search API sends it (card_json)
        self.columns = {name: np.full(0, MISSING, dtype=np.int64) for name in COLUMNS}
        # Per slot, its tags as codes (tag number * 2, + 1 when a spoiler) for counting facets by bincount.
        self.tag_number: dict[str, int] = {}
        self.tag_slugs: list[str] = []
        self.slot_tags = np.full((0, TAG_WIDTH), NO_TAG, dtype=np.int16)
        self.dense_codes = NO_TAG  # codes below this fit the dense rows (a test lowers it)
        self.overflow: dict[int, list[int]] = {}
        self.overflow_slots = BitMap()
        self._cache = Cache(settings.SEARCH_CACHE_BYTES, results=settings.SEARCH_CACHE_RESULTS)

    @classmethod
    def from_database(cls) -> SearchIndex:
        """Build from every title, a chunk of titles at a time (bounded memory at any catalog size)."""
        from shuraba.search.build import index_fill  # noqa: PLC0415 (build imports this module)

        index = cls()
        index.version = newest_change()
        index.vocabulary_version = newest_vocabulary_change()
        index_fill(index)
        return index

    # --- writing ----------------------------------------------------------------------------------

    def _reserve(self, size: int) -> None:
        current = len(self.columns["pk"])
        if size <= current:
            return
        grown = max(size, current * 2, 64)
        for name, column in self.columns.items():
            self.columns[name] = np.concatenate([column, np.full(grown - current, MISSING, dtype=np.int64)])
        padding = np.full((grown - current, TAG_WIDTH), NO_TAG, dtype=np.int16)
        self.slot_tags = np.concatenate([self.slot_tags, padding])

    def _slot(self, pk: int) -> int:
        slot = self.slot_of.get(pk)
        if slot is None:
            slot = len(self.names)
            self.slot_of[pk] = slot
            self.names.append(())
            self.titles.append("")
            self.cards.append(None)
            self._reserve(slot + 1)
        return slot

    def _remove(self, slot: int) -> None:
        """Take a slot out of every bitmap. Scanning beats remembering per title (memory at 200k titles)."""
        if slot not in self.live:
            return
        for store in (self.values, self.numbers, self.open_tags):
            for bitmap in store.values():
                bitmap.discard(slot)
        for slug, bitmap in self.tags.items():
            if slot in bitmap:
                bitmap.discard(slot)
                for level in self.levels[slug].values():
                    level.discard(slot)
        for gram in set().union(*(trigrams(n) for n in self.names[slot])):
            self.grams[gram].discard(slot)
        self.names[slot] = ()
        self.cards[slot] = None
        self._card_texts.pop(slot, None)
        self.slot_tags[slot] = NO_TAG
        self.overflow.pop(slot, None)
        self.overflow_slots.discard(slot)
        self.live.discard(slot)

    def _insert(self, row: TitleRow) -> None:
        self._insert_many([row])

    def _insert_many(self, rows: Iterable[TitleRow], *, fresh: bool = False) -> None:
        """Index titles (replacing what a slot held). Members are gathered in lists and added to each
        bitmap once per batch: far fewer calls than one add per title and key. `fresh`: the slots are new
        and their tags and profile values were already indexed column-wise (build.index_fill)."""
        pending: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        named: list[tuple[int, tuple[str, ...]]] = []
        for row in rows:
            slot = self._slot(row.pk)
            if not fresh:
                self._remove(slot)
            self._gather(row, slot, pending, fresh=fresh)
            named.append((slot, self.names[slot]))
        for code, owners in trigrams_bulk(named):
            self.grams[code].update(owners)
        stores: dict[str, Any] = {
            "value": self.values,
            "number": self.numbers,
            "tag": self.tags,
            "open": self.open_tags,
        }
        for (kind, *key), slots in pending.items():
            if kind == "level":
                slug, relevance = key
                level = self.levels[slug].get(relevance)
                if level is None:
                    level = self.levels[slug][relevance] = BitMap()
                level.update(slots)
            elif kind == "live":
                self.live.update(slots)
            else:
                stores[kind][key[0] if len(key) == 1 else tuple(key)].update(slots)

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
        names = tuple(dict.fromkeys(text_normalize(n) for n in row.names if n))
        pending["live",].append(slot)
        self.names[slot] = names
        self.titles[slot] = row.title
        self.cards[slot] = _card(row, year)
        self._card_texts.pop(slot, None)
        self.columns["score"][slot] = MISSING if row.score is None else row.score
        self.columns["popularity"][slot] = row.popularity
        self.columns["date"][slot] = MISSING if row.start_date is None else row.start_date.toordinal()
        self.columns["pk"][slot] = row.pk

    def apply(self, changed: list[int], version: tuple[int, str]) -> None:
        """Re-read the changed titles (inserted, updated or deleted) and move to `version`."""
        rows = rows_load(changed)
        with self.lock:
            for pk in changed:
                if pk not in rows and pk in self.slot_of:
                    self._remove(self.slot_of[pk])
            self._insert_many(rows.values())
            self.version = version
            self._cache.clear()

    def _gather_tags(self, row: TitleRow, slot: int, pending: dict[tuple[Any, ...], list[int]]) -> None:
        codes = []
        for slug, relevance, spoiler in row.tags:
            pending["tag", slug].append(slot)
            pending["level", slug, relevance].append(slot)
            if spoiler == "none":
                pending["open", slug].append(slot)
            codes.append(self._tag_code(slug, spoiler))
        fitting = [code for code in codes if code < self.dense_codes]
        rest = fitting[TAG_WIDTH:] + [code for code in codes if code >= self.dense_codes]
        self.slot_tags[slot, : min(len(fitting), TAG_WIDTH)] = fitting[:TAG_WIDTH]
        if rest:
            self.overflow[slot] = rest
            self.overflow_slots.add(slot)

    def _tag_code(self, slug: str, spoiler: str) -> int:
        number = self.tag_number.get(slug)
        if number is None:
            number = self.tag_number[slug] = len(self.tag_slugs)
            self.tag_slugs.append(slug)
        return number * 2 + (0 if spoiler == "none" else 1)

    # --- reading ----------------------------------------------------------------------------------

    def card_json(self, slot: int) -> str:
        """A live slot's card as one JSON object (card_item), serialized once until the title changes."""
        text = self._card_texts.get(slot)
        if text is None:
            card = self.cards[slot]
            if card is None:
                raise KeyError(f"slot {slot} holds no title")
            text = json.dumps(card_item(int(self.columns["pk"][slot]), card), ensure_ascii=False)
            if len(self._card_texts) >= MAX_CARD_TEXTS:
                self._card_texts.clear()
            self._card_texts[slot] = text
        return text

    def scan_text(self, needle: str, among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Every slot (of `among`, ascending, when given) with a name containing `needle`, ascending, and
        its best tier (3 exact, 2 prefix, 1 contains): a vectorized scan of the names joined by newlines,
        all of them or only those of `among` (the trigram candidates)."""
        points, starts, counts = self.cached("joined-names", self._joined_names)
        codes = [ord(char) for char in needle]
        if not codes or max(codes) > np.iinfo(points.dtype).max:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if among is not None:
            points, starts = _gather_names(points, starts, among)
        # Start from the needle's rarest character, then keep the positions where every other one follows.
        rarest = min(range(len(codes)), key=lambda k: counts.get(codes[k], 0))
        found = np.flatnonzero(points == codes[rarest]) - rarest
        found = found[(found > 0) & (found + len(codes) < len(points))]
        for k, code in enumerate(codes):
            if k != rarest and len(found):
                found = found[points[found + k] == code]
        prefix = points[found - 1] == NEWLINE
        tiers = 1 + prefix + (prefix & (points[found + len(codes)] == NEWLINE))
        slots = np.searchsorted(starts, found, side="right") - 1
        if among is not None:
            slots = among[slots]
        first = np.flatnonzero(np.r_[True, slots[1:] != slots[:-1]]) if len(slots) else slots
        best: np.ndarray = np.maximum.reduceat(tiers, first) if len(slots) else tiers.astype(np.int64)
        return slots[first].astype(np.int64), best.astype(np.int64)

    def _joined_names(self) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
        """Every slot's names as code points, each name ending in a newline, after one leading newline;
        each slot's start; how often each code point occurs (to start a scan from the rarest)."""
        parts, starts, offset = ["\n"], [], 1
        for names in self.names:
            joined = "".join(name + "\n" for name in names)
            starts.append(offset)
            parts.append(joined)
            offset += len(joined)
        points = np.frombuffer("".join(parts).encode("utf-32-le"), dtype=np.uint32)
        if len(points) and int(points.max()) <= np.iinfo(np.uint16).max:
            points = points.astype(np.uint16)  # half the memory when every name is in the BMP
        values, counts = np.unique(points, return_counts=True)
        return points, np.array(starts, dtype=np.int64), dict(zip(values.tolist(), counts.tolist(), strict=True))

    def tag_code_counts(self, members: BitMap) -> np.ndarray:
        """How often each tag code occurs among the given slots (index: tag number * 2 + spoiler)."""
        size = 2 * len(self.tag_slugs)
        dense = np.bincount(self.slot_tags[slots_array(members)].ravel(), minlength=NO_TAG + 1)[:NO_TAG]
        counts: np.ndarray = dense[:size] if size <= NO_TAG else np.append(dense, np.zeros(size - NO_TAG, dense.dtype))
        extra = [code for slot in members & self.overflow_slots for code in self.overflow[slot]]
        if extra:
            counts += np.bincount(np.array(extra, dtype=np.int64), minlength=size)[:size]
        return counts

    @property
    def size(self) -> int:
        return len(self.names)

    def tag_at_least(self, slug: str, minimum: int) -> BitMap:
        if minimum <= 0:
            return self.tags.get(slug) or BitMap()
        levels = self.levels.get(slug, {})
        bitmap: BitMap = self.cached(
            ("tag-min", slug, minimum), lambda: BitMap.union(BitMap(), *(b for r, b in levels.items() if r >= minimum))
        )
        return bitmap

    def tag_relevance(self, slug: str, *, open_only: bool) -> np.ndarray:
        """Each slot's relevance for a tag (0 where absent, or a spoiler when `open_only`), as a column."""

        def compute() -> np.ndarray:
            column = np.zeros(self.size, dtype=np.int16)  # a PositiveSmallIntegerField
            for relevance, bitmap in self.levels.get(slug, {}).items():
                members = bitmap & self.open_tags.get(slug, BitMap()) if open_only else bitmap
                column[slots_array(members)] = relevance
            return column

        column: np.ndarray = self.cached(("relevance", slug, open_only), compute)
        return column

    def rank(self, sort: str) -> np.ndarray:
        """Each slot's position in the whole catalog for a sort; every order ends on the pk."""

        def compute() -> np.ndarray:
            pk = self.columns["pk"][: self.size]
            if sort == "title":
                order = sorted(range(self.size), key=lambda s: (self.titles[s], pk[s]))
                order_array = np.array(order, dtype=np.int64)
            else:
                column = {"score": "score", "year": "date", "popularity": "popularity"}[sort]
                values = self.columns[column][: self.size]
                order_array = np.lexsort((pk, -values, np.where(values < 0, 1, 0)))
            ranks = np.empty(self.size, dtype=np.int64)
            ranks[order_array] = np.arange(self.size, dtype=np.int64)
            return ranks

        ranks: np.ndarray = self.cached(("rank", sort), compute)
        return ranks

    def cached(self, key: object, compute: Callable[[], Any], *, result: bool = False) -> Any:
        """Derived data (or with `result`, one search's answer) kept until the next catalog change."""
        return self._cache.get(key, compute, result=result)


NEWEST_SQL = f"SELECT id, token FROM {CatalogChange._meta.db_table} ORDER BY id DESC LIMIT 1"  # noqa: S608
NEWEST_VOCABULARY_SQL = (
    f"SELECT id, token FROM {CatalogChange._meta.db_table} WHERE title_id = %s ORDER BY id DESC LIMIT 1"  # noqa: S608
)


def _version(sql: str, params: tuple[int, ...] = ()) -> tuple[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        newest = cursor.fetchone()
    return (int(newest[0]), str(newest[1]).replace("-", "")) if newest else (0, "")


def newest_change() -> tuple[int, str]:
    """The catalog's version: asked before every search, so plain SQL (no ORM query compilation)."""
    return _version(NEWEST_SQL)


def newest_vocabulary_change() -> tuple[int, str]:
    """The vocabulary's version: the newest change that announced a taxonomy sync (indexed on title_id)."""
    return _version(NEWEST_VOCABULARY_SQL, (VOCABULARY_CHANGE,))


def _still_there(version: tuple[int, str]) -> bool:
    """Is the newest change we saw still in the log with the same token? (Not after a rollback.)"""
    return version[0] == 0 or CatalogChange.objects.filter(pk=version[0], token=version[1]).exists()


CARD_FIELDS = (
    "slug",
    "title",
    "format",
    "status",
    "country",
    "year",
    "content_rating",
    "score",
    "popularity",
    "is_fictional",
    "centrality",
    "subgenres",
    "tags",
)


def _gather_names(points: np.ndarray, starts: np.ndarray, among: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The joined names of the `among` slots only, after one newline, and where each slot begins there."""
    ends = np.append(starts[1:], len(points))
    lengths = ends[among] - starts[among]
    begins = np.concatenate([[1], 1 + np.cumsum(lengths)[:-1]]).astype(np.int64)
    positions = np.repeat(starts[among] - begins, lengths) + np.arange(1, 1 + int(lengths.sum()))
    text = np.empty(len(positions) + 1, dtype=points.dtype)
    text[0] = NEWLINE
    text[1:] = points[positions]
    return text, begins


def card_item(pk: int, card: tuple[Any, ...]) -> dict[str, Any]:
    """A card as the search API's item: catalog.selectors.TitleCard without the description, plus its URL."""
    item = {"id": pk, **dict(zip(CARD_FIELDS, card, strict=True))}
    item["subgenres"], item["tags"] = list(item["subgenres"]), list(item["tags"])
    item["url"] = reverse("title-detail", kwargs={"slug": item["slug"]})
    return item


def _card(row: TitleRow, year: int | None) -> tuple[Any, ...]:
    """The card of a result, in CARD_FIELDS order (catalog.selectors.TitleCard minus id and description)."""
    centrality = next((key for axis, key in row.values if axis == "centrality"), None)
    subgenres = tuple(key for _, _, key in sorted(row.subgenres, key=lambda s: (-s[0], s[1])))
    tags = tuple(slug for _, _, slug in sorted(row.card_tags, key=lambda t: (-t[0], t[1]))[:6])
    return (
        sys.intern(row.slug),
        row.title,
        row.format,
        row.status,
        row.country,
        year,
        row.content_rating,
        row.score,
        row.popularity,
        row.is_fictional,
        centrality,
        subgenres,
        tags,
    )


_current: SearchIndex | None = None
_update_lock = threading.Lock()
_rebuilding: threading.Thread | None = None
BACKGROUND_REBUILD_ABOVE = 20_000  # titles: a larger index is rebuilt beside the one that keeps serving

logger = logging.getLogger(__name__)


def search_index() -> SearchIndex:
    """The process's index, brought up to the database's newest change first."""
    newest = newest_change()
    index = _current
    if index is not None and index.version == newest:  # the common case, without waiting on the lock
        return index
    with _update_lock:
        return _brought_up(newest)


def _brought_up(newest: tuple[int, str]) -> SearchIndex:
    """Under the update lock: the index at `newest`, updated, rebuilt, or still the one it was."""
    global _current  # noqa: PLW0603
    index = _current
    if index is not None and index.version == newest:
        return index
    if index is None or not _still_there(index.version):  # first use, or a rollback the index had seen
        _current = SearchIndex.from_database()
        return _current
    if newest[0] < index.version[0]:  # another thread moved the index past what this one read
        return index
    changed = list(
        dict.fromkeys(
            CatalogChange.objects.filter(pk__gt=index.version[0], pk__lte=newest[0]).values_list("title_id", flat=True)
        )
    )
    if VOCABULARY_CHANGE not in changed:
        index.apply(changed, newest)
        return index
    if index.size <= BACKGROUND_REBUILD_ABOVE:  # a new vocabulary: start over (small: at once)
        _current = SearchIndex.from_database()
        return _current
    # Large: the serving index takes the title changes and keeps parsing with the vocabulary it knows
    # (a vocabulary change hides and reveals nothing: ratings and spoiler flags belong to titles) until
    # the rebuilt one replaces it.
    index.apply([pk for pk in changed if pk != VOCABULARY_CHANGE], newest)
    _rebuild_in_background()
    return index


def _rebuild_in_background() -> None:
    global _rebuilding  # noqa: PLW0603 (at most one rebuild per process)
    if _rebuilding is None or not _rebuilding.is_alive():
        _rebuilding = threading.Thread(target=_rebuild_thread, name="search-index-rebuild", daemon=True)
        _rebuilding.start()


def _rebuild_thread() -> None:
    try:
        _rebuild()
    finally:
        connection.close()  # this thread's own database connection


def _rebuild() -> None:
    """Build a new index and swap it in; the next search applies what changed meanwhile."""
    global _current  # noqa: PLW0603
    try:
        fresh = SearchIndex.from_database()
    except Exception:  # a failed rebuild must not leave the old vocabulary in place for good
        logger.exception("search index rebuild failed; the next search rebuilds")
        with _update_lock:
            _current = None
        return
    with _update_lock:
        _current = fresh
