"""Questions about given titles that the index answers at once: which titles bear a name, and which of a
reader's avoid rules hide each of a few thousand titles (their library). Never a listing: callers show
nothing from here without passing the titles through the visibility policy."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pyroaring import BitMap

from shuraba.accounts.policies import Visibility
from shuraba.core.changelog import Version
from shuraba.search.live import search_index
from shuraba.search.storage import SearchIndex

_named: dict[str, tuple[SearchIndex, Version, dict[str, tuple[int, ...]]]] = {}
_named_lock = threading.Lock()


def _names_of(index: SearchIndex, key: Callable[[str], str]) -> dict[str, tuple[int, ...]]:
    pks = index.columns["pk"]
    named: defaultdict[str, set[int]] = defaultdict(set)
    for slot, names in enumerate(index.names):
        for name in names:
            named[key(name)].add(int(pks[slot]))
    return {name: tuple(sorted(titles)) for name, titles in named.items()}


def titles_named(*, key: Callable[[str], str]) -> Mapping[str, tuple[int, ...]]:
    """Every title's names (folded as search folds them, then by `key`) → the titles that bear them, for
    every rating. Kept per process until the catalog changes; too large for the index's cache budget."""
    index = search_index()
    with _named_lock:
        held = _named.get(key.__qualname__)
        if held is None or held[0] is not index or held[1] != index.version:
            with index.lock:
                held = (index, index.version, _names_of(index, key))
            _named[key.__qualname__] = held
        return held[2]


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
