"""Questions about given titles that the index answers at once: which titles bear a name, which of a few
thousand titles (a reader's library) have a name containing some text, their order by name, and which of
a reader's avoid rules hide each of them. Never a listing: callers show
nothing from here without passing the titles through the visibility policy."""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import numpy as np
from pyroaring import BitMap

from shuraba.accounts.policies import Visibility
from shuraba.core.changelog import Version
from shuraba.search.cache import cache_key
from shuraba.search.live import search_index
from shuraba.search.normalize import text_normalize
from shuraba.search.storage import SearchIndex


@dataclass
class _NameMap:
    """Every title's names by key, for one index; brought up to the index's version slot by slot. A key
    most often names one title: `single` keeps it as a plain int (no container per key for the garbage
    collector to walk), `shared` the sorted titles of a key that several bear."""

    index: weakref.ReferenceType[SearchIndex]  # not kept alive by this map once a rebuilt one replaces it
    version: Version
    names: list[tuple[str, ...]]  # per slot, the index's names tuple as last keyed (the same object)
    keys: list[tuple[str, ...]]  # per slot, the keys of those names
    single: dict[str, int] = field(default_factory=dict)  # key -> the first title bearing it
    shared: dict[str, tuple[int, ...]] = field(default_factory=dict)  # key -> every title, when several

    def titles(self, name_key: str) -> tuple[int, ...]:
        shared = self.shared.get(name_key)
        if shared is not None:
            return shared
        single = self.single.get(name_key)
        return () if single is None else (single,)

    def add(self, name_key: str, pk: int) -> None:
        first = self.single.setdefault(name_key, pk)
        if first != pk:
            self.shared[name_key] = tuple(sorted({*self.shared.get(name_key, (first,)), pk}))

    def remove(self, name_key: str, pk: int) -> None:
        left = tuple(title for title in self.titles(name_key) if title != pk)
        self.shared.pop(name_key, None)
        if len(left) > 1:
            self.shared[name_key] = left
        if left:
            self.single[name_key] = left[0]
        else:
            self.single.pop(name_key, None)


_named: dict[str, _NameMap] = {}
_named_lock = threading.Lock()


def _keyed(names: tuple[str, ...], key: Callable[[str], str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(map(key, names)))


def _map_build(index: SearchIndex, key: Callable[[str], str]) -> _NameMap:
    names = list(index.names)
    pks: list[int] = index.columns["pk"][: len(names)].tolist()
    held = _NameMap(weakref.ref(index), index.version, names, [_keyed(slot_names, key) for slot_names in names])
    for pk, slot_keys in zip(pks, held.keys, strict=True):
        for name_key in slot_keys:
            held.add(name_key, pk)
    return held


def _map_update(held: _NameMap, index: SearchIndex, key: Callable[[str], str]) -> None:
    """Re-key only the slots whose names changed: the index replaces a title's names tuple when it re-reads
    the title (and never reuses a slot), so an identity check finds them."""
    known = len(held.names)
    for slot, names in enumerate(index.names):
        if slot < known and names is held.names[slot]:
            continue
        pk, old, new = int(index.columns["pk"][slot]), held.keys[slot] if slot < known else (), _keyed(names, key)
        for gone in set(old) - set(new):
            held.remove(gone, pk)
        for added in set(new) - set(old):
            held.add(added, pk)
        if slot < known:
            held.names[slot], held.keys[slot] = names, new
        else:
            held.names.append(names)
            held.keys.append(new)
    held.version = index.version


def titles_named(*, keys: Iterable[str], key: Callable[[str], str]) -> dict[str, tuple[int, ...]]:
    """For each of `keys`, the titles (of every rating) bearing a name that `key` gives that key; the titles'
    names are folded as search folds them before `key` sees them. Keyed once per process, then brought up to
    each catalog change by re-keying only the titles that changed."""
    index = search_index()
    with _named_lock, index.lock:
        held = _named.get(key.__qualname__)
        if held is None or held.index() is not index:
            held = _named[key.__qualname__] = _map_build(index, key)
        elif held.version != index.version:
            _map_update(held, index, key)
        found = {asked: held.titles(asked) for asked in keys}
    return {asked: titles for asked, titles in found.items() if titles}


def _slot_table(index: SearchIndex) -> np.ndarray:
    """pk -> slot (-1: none) as one array, kept until the next catalog change: a dict look-up per title was
    most of a 5,000-entry library's rule check."""

    def build() -> np.ndarray:
        pks = index.columns["pk"][: index.size]
        known = np.flatnonzero(pks >= 0)
        table = np.full(int(pks.max(initial=0)) + 1, -1, dtype=np.int64)
        table[pks[known]] = known
        return table

    table: np.ndarray = index.cached(cache_key("slot-of-pk"), build)
    return table


def _slots_each(index: SearchIndex, title_ids: Sequence[int]) -> np.ndarray:
    """Each given title's slot, in their order; -1 for a title the index has not read yet."""
    table = _slot_table(index)
    asked = np.asarray(title_ids, dtype=np.int64)
    slots = np.full(len(asked), -1, dtype=np.int64)
    known = (asked >= 0) & (asked < len(table))
    slots[known] = table[asked[known]]
    return slots


def _slots(index: SearchIndex, title_ids: Sequence[int]) -> np.ndarray:
    """The given titles' slots, ascending, once each."""
    slots = _slots_each(index, title_ids)
    return np.unique(slots[slots >= 0])


def _name_places(index: SearchIndex) -> np.ndarray:
    """Each slot's place in the catalog's title order (search's title sort: search/collation.py), titles of
    one name sharing a place; kept until the next catalog change."""

    def build() -> np.ndarray:
        ranks = index.rank("title")
        by_rank = np.argsort(ranks, kind="stable")
        names = [index.titles[slot] for slot in by_rank.tolist()]
        first = np.fromiter((k == 0 or names[k] != names[k - 1] for k in range(len(names))), bool, len(names))
        places = np.empty(len(ranks), dtype=np.int64)
        places[by_rank] = np.cumsum(first) - 1
        return places

    places: np.ndarray = index.cached(cache_key("name-place"), build)
    return places


def titles_name_order(*, title_ids: Sequence[int]) -> np.ndarray:
    """Each given title's place by name in the catalog's title order (titles of one name share one; a title
    the index has not read yet comes last): a sort key for a few thousand titles without reading their rows."""
    index = search_index()
    with index.lock:
        slots, places = _slots_each(index, title_ids), _name_places(index)
        return np.where(slots >= 0, places[np.maximum(slots, 0)], len(places))


def titles_rules_hide(*, visibility: Visibility, title_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """For each given title a viewer's avoid rules hide, the rules' names (the age gate is not asked)."""
    rules: Any = visibility.rules  # accounts.rules.AvoidRule values: they know their bitmaps
    if not rules:
        return {}
    index = search_index()
    hiding: defaultdict[int, list[str]] = defaultdict(list)
    with index.lock:
        asked, pks = BitMap(_slots(index, title_ids).tolist()), index.columns["pk"]
        for rule in rules:
            hit = rule.bitmap(index) & asked
            for pk in pks[np.fromiter(hit, dtype=np.int64, count=len(hit))].tolist():
                hiding[pk].append(rule.name)
    return {pk: tuple(names) for pk, names in hiding.items()}


def titles_cards(*, title_ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """The index's card (catalog.cards.CARD_FIELDS) of each given title it has read; one it has not read yet
    is missing (the caller reads its row)."""
    index = search_index()
    with index.lock:
        slots = _slots_each(index, title_ids).tolist()
        cards = [index.cards[slot] if slot >= 0 and slot in index.live else None for slot in slots]
    return {pk: card for pk, card in zip(title_ids, cards, strict=True) if card is not None}


def title_rules_hide(visibility: Visibility, title_id: int) -> tuple[str, ...] | None:
    """The names of the viewer's rules that hide one title, or None when the index has not read it (the
    policy's `title_hidden` asks here first: a bitmap test per rule instead of a query per rule)."""
    rules: Any = visibility.rules
    index = search_index()
    with index.lock:
        slot = int(_slots_each(index, [title_id])[0])
        if slot < 0 or slot not in index.live:
            return None
        return tuple(rule.name for rule in rules if slot in rule.bitmap(index))


def titles_containing(*, text: str, title_ids: Sequence[int]) -> set[int]:
    """Those of the given titles with a name (the title or an alternative one) containing `text`, both
    folded as search folds them (case, marks, long vowels: "kori" finds "Kōri"). The given titles' folded
    names are joined into one text that str.find walks, a few milliseconds for a library's few thousand
    titles, needing none of the whole-catalog scan's arrays (built again after each catalog change, ~1.3 s
    at 200k titles)."""
    needle = "".join(char for char in text_normalize(text) if char >= " ")  # no separator of the joined text
    if not needle:
        return set(title_ids)
    index = search_index()
    with index.lock:
        slots, pks, names = _slots(index, title_ids).tolist(), index.columns["pk"], index.names
        texts = ["\n".join(names[slot]) for slot in slots]
    joined, starts = "\x01".join(texts), list(accumulate((len(t) + 1 for t in texts), initial=0))
    found: list[int] = []
    at = joined.find(needle)
    while at >= 0:
        which = bisect_right(starts, at) - 1
        found.append(slots[which])
        at = joined.find(needle, starts[which + 1])
    return set(pks[found].tolist())
