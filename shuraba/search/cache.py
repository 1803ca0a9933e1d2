"""What the search index derives and remembers, least recently used first out, within a byte budget.

Two kinds of entries: derived data (sort ranks, relevance columns, the visible set) that any search may
reuse, and results (one filter set's matches and facet counts) that only the same search reuses; results
can be switched off (settings.SEARCH_CACHE_RESULTS) so that benchmarks can measure cold answers. Sizes are
estimates (numpy's nbytes, sys.getsizeof, summed over containers), good enough to bound memory.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from shuraba.accounts.policies import Visibility


class CacheKey(NamedTuple):
    """What a cached value depends on. Made only by `cache_key` (a tuple: hashed in C on the hot path)."""

    kind: str
    visibility: tuple[Any, ...] | None
    parts: tuple[Hashable, ...]


def cache_key(kind: str, *parts: Hashable, visibility: Visibility | None = None) -> CacheKey:
    """The one maker of search cache keys. A value that depends on what the viewer may see names the
    visibility, and is keyed by `Visibility.key` (never by fields picked at the call site), so two
    viewers share an entry exactly when they see the same things."""
    return CacheKey(kind, None if visibility is None else visibility.key, parts)


def nbytes(value: object) -> int:
    """An estimate of the memory a cached value holds."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + 112
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(nbytes(k) + nbytes(v) for k, v in value.items())
    if isinstance(value, tuple | list):
        return sys.getsizeof(value) + sum(nbytes(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return 64 + sum(nbytes(getattr(value, f.name)) for f in fields(value))
    return sys.getsizeof(value)  # str, int, BitMap (pyroaring reports its serialized size)


class Cache:
    def __init__(self, budget: int, *, results: bool = True) -> None:
        self.budget = budget
        self.results = results
        self.used = 0
        self.dropped = 0  # entries evicted to stay within the budget
        self._entries: OrderedDict[CacheKey, tuple[Any, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: CacheKey, compute: Callable[[], Any], *, result: bool = False) -> Any:
        """The value for `key`, computed once and kept while it fits. Callers hold the index's lock."""
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry[0]
        value = compute()
        if result and not self.results:
            return value
        size = nbytes(value)
        if size > self.budget:
            return value
        self._entries[key] = (value, size)
        self.used += size
        while self.used > self.budget:
            _, (_, size) = self._entries.popitem(last=False)
            self.used -= size
            self.dropped += 1
        return value

    def clear(self) -> None:
        self._entries.clear()
        self.used = 0
