"""The autocomplete's titles for one typed word, without the engine's full text match.

While a reader types one word, the best titles are those with a name holding that word (EXACT) or a word
that starts with it (PREFIX), the two best kinds of words.py's ranking rules. They come from a table of
every name's words in sorted order (`PrefixTable`), where a prefix is one contiguous range: the names in it,
their slots through the viewer's visible set, ordered by the rules' own tier (kind, the name being exactly
the word, a title's name above a creator's) and then popularity. When that range gives fewer titles than
asked, the kinds below (compounds, folded, typos, substrings) may add some, and the caller asks the engine.

The table is built from a copy of the index's WordIndex in a background thread (seconds at 200k titles;
the engine answers until it is in place) and kept across catalog changes: a title's change empties its old
names (their words become `()`) and appends new ones, so a table entry whose name is empty is skipped and
the names appended since the build are read one by one; past REBUILD_AFTER of those the table is built
again in the background. `tests/search/test_suggest.py` checks that the answer is the engine's.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass

import numpy as np

from shuraba.accounts.policies import Visibility
from shuraba.search.cache import cache_key
from shuraba.search.engine import visible_slots
from shuraba.search.storage import SearchIndex, slots_array
from shuraba.search.words import WordIndex, query_words

Snapshot = tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]
Candidates = tuple[np.ndarray, np.ndarray, np.ndarray]  # names, their slots, their keys
PREFIX_GROUP = 4  # the exact word's four groups come first
HIDDEN = 8  # past every group: a hidden slot's key is HIDDEN * (catalog size + 1) or more
REBUILD_AFTER = 1024  # names appended since the table was built, read one by one until it is rebuilt
_END = "\U0010ffff"


@dataclass(frozen=True)
class PrefixTable:
    """Every name's words sorted: `words[i]`'s names are `names[starts[i]:starts[i + 1]]`; per position
    also the name's slot and its rank group were the word exact (`exact_group`) or a prefix."""

    words: list[str]
    starts: np.ndarray
    names: np.ndarray
    slots: np.ndarray
    exact_group: np.ndarray
    prefix_group: np.ndarray
    built_names: int  # the WordIndex's name count at the build: later names are read one by one

    @classmethod
    def build(cls, copied: Snapshot) -> PrefixTable:
        """From a copy of a WordIndex's words, word numbers per name, names' lengths, slots, title flags."""
        words, flat, lengths, name_slot, name_title = copied
        order = sorted(range(len(words)), key=words.__getitem__)
        position = np.empty(len(order), dtype=np.int64)
        position[np.array(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
        owners = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        keys = position[flat] if len(flat) else flat
        grouped = np.argsort(keys, kind="stable")
        starts = np.searchsorted(keys[grouped], np.arange(len(order) + 1, dtype=np.int64))
        names = owners[grouped]
        exact, prefix = groups(single=lengths[names] == 1, title=name_title[names])
        return cls([words[i] for i in order], starts, names, name_slot[names], exact, prefix, len(lengths))

    def range_of(self, prefix: str) -> tuple[int, int, int]:
        """The names whose word starts with the prefix, as table positions, and where the exact word's end."""
        lo = bisect.bisect_left(self.words, prefix)
        hi = bisect.bisect_left(self.words, prefix + _END, lo)
        exact = int(self.starts[lo + 1]) if lo < hi and self.words[lo] == prefix else int(self.starts[lo])
        return int(self.starts[lo]), exact, int(self.starts[hi])


def groups(*, single: np.ndarray, title: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A name's rank group among the autocomplete's kinds, best first: words.tier_of for one query word
    (exact word, then the name being just that word, then a title's name; then prefix, then a title's)."""
    not_title = (~title.astype(bool)).astype(np.int8)
    exact = 2 * (~single.astype(bool)).astype(np.int8) + not_title
    return exact, PREFIX_GROUP + not_title


_tables: dict[int, tuple[WordIndex, PrefixTable]] = {}
_building = threading.Lock()
_builder: threading.Thread | None = None


def snapshot(index: SearchIndex) -> Snapshot:
    """What a table is built from, copied under the index's lock (a change appends to each)."""
    with index.lock:
        text = index.text
        count = len(text.name_len)
        return (
            list(text.words),
            np.frombuffer(bytes(text.flat), np.int64),
            np.array(text.name_len, np.int64),
            text.name_slot[:count].copy(),
            text.name_title[:count].copy(),
        )


def table_build(index: SearchIndex) -> PrefixTable:
    """Build the index's table now and put it in place (the previous one serves until then)."""
    with _building:
        table = PrefixTable.build(snapshot(index))
        _tables.clear()  # one index per process is live; an old one's table goes with it
        _tables[id(index.text)] = (index.text, table)
        return table


def _build_later(index: SearchIndex) -> None:
    global _builder  # noqa: PLW0603 (one builder thread per process)
    if _builder is not None and _builder.is_alive():
        return
    _builder = threading.Thread(target=table_build, args=(index,), name="suggest-table", daemon=True)
    _builder.start()


def build_wait(timeout: float) -> None:
    """Wait for a table being built in the background (tests; a server never waits)."""
    if _builder is not None:
        _builder.join(timeout)


def prefix_table(index: SearchIndex) -> PrefixTable | None:
    """The index's table, or None while the first one is built in the background (seconds at 200k titles:
    the engine answers meanwhile, no ask waits); past REBUILD_AFTER appended names it is built again while
    the one in place keeps answering."""
    held = _tables.get(id(index.text))
    table = held[1] if held is not None and held[0] is index.text else None
    if table is None or len(index.text.name_words) - table.built_names > REBUILD_AFTER:
        _build_later(index)
    return table


def _ranked(index: SearchIndex, visibility: Visibility) -> np.ndarray:
    """Each slot's popularity rank, or HIDDEN times the catalog size where the visibility hides it: one
    gather gives both. Once per visibility until the next catalog change."""

    def compute() -> np.ndarray:
        ranked = np.full(index.size, HIDDEN * (index.size + 1), dtype=np.int64)
        shown = slots_array(visible_slots(index, visibility))
        ranked[shown] = index.rank("popularity")[shown]
        return ranked

    ranked: np.ndarray = index.cached(cache_key("suggest-ranked", visibility=visibility), compute)
    return ranked


def _fresh(text: WordIndex, table: PrefixTable, word: str) -> tuple[np.ndarray, np.ndarray]:
    """The names appended since the table was built holding the word or a word starting with it, and
    each one's rank group."""
    names, exact = [], []
    for number in range(table.built_names, len(text.name_words)):
        words = text.name_words[number]
        if any(w.startswith(word) for w in words):
            names.append(number)
            exact.append(word in words)
    numbers = np.array(names, dtype=np.int64)
    single = np.array([len(text.name_words[n]) == 1 for n in names], dtype=bool)
    in_exact, in_prefix = groups(single=single, title=text.name_title[numbers])
    return numbers, np.where(np.array(exact, dtype=bool), in_exact, in_prefix)


def _candidates(index: SearchIndex, table: PrefixTable, word: str, visibility: Visibility) -> Candidates:
    """The names holding the word or a word starting with it, their slots and their keys: rank group, then
    popularity (a hidden slot's key is past every shown one)."""
    start, exact_end, stop = table.range_of(word)
    names, slots = table.names[start:stop], table.slots[start:stop]
    ranked_groups = np.concatenate([table.exact_group[start:exact_end], table.prefix_group[exact_end:stop]])
    fresh, fresh_groups = _fresh(index.text, table, word)
    if len(fresh):
        names = np.concatenate([names, fresh])
        slots = np.concatenate([slots, index.text.name_slot[fresh]])
        ranked_groups = np.concatenate([ranked_groups, fresh_groups])
    keys = ranked_groups.astype(np.int64) * (index.size + 1) + _ranked(index, visibility)[slots]
    return names, slots, keys


def _ordered(keys: np.ndarray, first: int) -> np.ndarray:
    """Positions of the smallest `first` keys in order (all of them, in order, when first covers most)."""
    if first * 4 >= len(keys):
        every: np.ndarray = np.argsort(keys, kind="stable")
        return every
    head = np.argpartition(keys, first - 1)[:first]
    ordered: np.ndarray = head[np.argsort(keys[head], kind="stable")]
    return ordered


def _distinct_slots(index: SearchIndex, found: Candidates, order: np.ndarray, limit: int) -> list[int]:
    """The shown slots in order, each once (a slot's first name is its best), emptied names skipped."""
    names, slots, keys = found
    hidden, name_words = HIDDEN * (index.size + 1), index.text.name_words
    picked: dict[int, None] = {}
    for position in order.tolist():
        if keys[position] >= hidden:
            break
        if name_words[int(names[position])]:
            picked.setdefault(int(slots[position]), None)
            if len(picked) == limit:
                break
    return list(picked)


def suggest_slots(index: SearchIndex, text: str, visibility: Visibility, *, limit: int) -> list[int] | None:
    """The best `limit` visible slots for a one-word text as the engine ranks them, or None where the
    text is not one word or the two best kinds give fewer than `limit` titles (the engine decides then)."""
    query = query_words(text)
    table = prefix_table(index)
    if len(query) != 1 or table is None:
        return None
    with index.lock:
        found = _candidates(index, table, query[0], visibility)
        keys = found[2]
        first = limit * 8  # names, not titles: a title may have several names with the word
        while True:
            slots = _distinct_slots(index, found, _ordered(keys, first), limit)
            if len(slots) == limit:
                return slots
            if first >= len(keys):
                return None
            first *= 8
