"""Questions about given titles that the index answers at once: which titles bear a name, and which of a
reader's avoid rules hide each of a few thousand titles (their library). Never a listing: callers show
nothing from here without passing the titles through the visibility policy."""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pyroaring import BitMap

from shuraba.accounts.policies import Visibility
from shuraba.core.changelog import Version
from shuraba.search.live import search_index
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


def titles_rules_hide(*, visibility: Visibility, title_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """For each given title a viewer's avoid rules hide, the rules' names (the age gate is not asked)."""
    rules: Any = visibility.rules  # accounts.rules.AvoidRule values: they know their bitmaps
    if not rules:
        return {}
    index = search_index()
    hiding: defaultdict[int, list[str]] = defaultdict(list)
    with index.lock:
        slots = {index.slot_of[pk]: pk for pk in title_ids if pk in index.slot_of}
        asked = BitMap(slots)
        for rule in rules:
            for slot in rule.bitmap(index) & asked:
                hiding[slots[slot]].append(rule.name)
    return {pk: tuple(names) for pk, names in hiding.items()}
