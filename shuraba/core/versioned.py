"""A worker's copies of catalog reads, kept while the change log's newest version stays what it was.

A title page reads the same title, its profile rows and the taxonomy on every request; they change only
through the catalog's and the taxonomy's writers, which announce every change (core/changelog.py). A copy
here is keyed by what was read and stamped with the version read before it, so any change anywhere makes
the next request read again (a change made between the stamp and the read is read, then read once more).
The copies are shared by a worker's threads: callers treat them as read-only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from shuraba.core.changelog import Version, changelog_newest

T = TypeVar("T")


class VersionedCache(Generic[T]):
    """At most `size` values by key, each valid at one catalog version; the least recently used go first."""

    def __init__(self, *, size: int = 512) -> None:
        self.size = size
        self._held: OrderedDict[Hashable, tuple[Version, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T], *, version: Version | None = None) -> T:
        """The value for `key` at the catalog's newest version (`version` when the caller read it already),
        built and kept when the copy held is older or missing."""
        now = changelog_newest() if version is None else version
        with self._lock:
            held = self._held.get(key)
            if held is not None and held[0] == now:
                self._held.move_to_end(key)
                return held[1]
        value = build()
        with self._lock:
            self._held[key] = (now, value)
            self._held.move_to_end(key)
            while len(self._held) > self.size:
                self._held.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._held.clear()
