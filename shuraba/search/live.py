"""The process's one search index, kept current from the change log (core/changelog.py).

Each search first asks for the newest change and re-reads only the titles changed since, so every worker
and machine serving one database agrees within one request after a write. A new vocabulary rebuilds the
index: at once when small, beside the serving one (in a thread) when large.
"""

from __future__ import annotations

import logging
import threading

from django.db import connection

from shuraba.core.changelog import Version, changelog_holds, changelog_newest, changelog_since
from shuraba.search.build import index_build
from shuraba.search.storage import SearchIndex

_current: SearchIndex | None = None
_update_lock = threading.Lock()
_rebuilding: threading.Thread | None = None
BACKGROUND_REBUILD_ABOVE = 20_000  # titles: a larger index is rebuilt beside the one that keeps serving

logger = logging.getLogger(__name__)


def search_index() -> SearchIndex:
    """The process's index, brought up to the database's newest change first."""
    newest = changelog_newest()
    index = _current
    if index is not None and index.version == newest:  # the common case, without waiting on the lock
        return index
    with _update_lock:
        return _brought_up(newest)


def _brought_up(newest: Version) -> SearchIndex:
    """Under the update lock: the index at `newest`, updated, rebuilt, or still the one it was."""
    global _current  # noqa: PLW0603 (the process's one index, swapped under the update lock)
    index = _current
    if index is not None and index.version == newest:
        return index
    if index is None or not changelog_holds(index.version):  # first use, or a rollback the index had seen
        _current = index_build()
        return _current
    if newest[0] < index.version[0]:  # another thread moved the index past what this one read
        return index
    changes = changelog_since(after=index.version, upto=newest)
    if not changes.vocabulary:
        index.apply(changes.title_ids, newest)
        return index
    if index.size <= BACKGROUND_REBUILD_ABOVE:  # a new vocabulary: start over (small: at once)
        _current = index_build()
        return _current
    # Large: the serving index takes the title changes and keeps parsing with the vocabulary it knows
    # (a vocabulary change hides and reveals nothing: ratings and spoiler levels belong to titles) until
    # the rebuilt one replaces it.
    index.apply(changes.title_ids, newest)
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
    global _current  # noqa: PLW0603 (the swap, under the update lock)
    try:
        fresh = index_build()
    except Exception:  # a failed rebuild must not leave the old vocabulary in place for good
        logger.exception("search index rebuild failed; the next search rebuilds")
        with _update_lock:
            _current = None
        return
    with _update_lock:
        _current = fresh
