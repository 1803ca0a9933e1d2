"""Title text search by words: the ranking rules (`name_tier`, the specification the SQL reference runs
over every name) and the index the engine answers them from (`WordIndex`, kept current title by title).

A query's words (normalize.text_words, at most MAX_WORDS) must each match a word of one name: a title's
name or alternative title, or the name of a creator it credits. Per query word, best first:

* EXACT     the same word;
* PREFIX    the last query word begins a word ("kagu" finds Kaguya);
* COMPOUND  the word is two adjacent words of the name ("chainsawman" is "chainsaw man"), or joined with
            the query word beside it it is one word of the name ("chain saw man" finds "chainsaw man");
* FOLDED    the same word once long vowels are folded ("ookami" is "okami", "moon" reads "mon");
* TYPO      Damerau-Levenshtein 1 from 5 characters, 2 from 9, the first character never wrong
            (Meilisearch's defaults; "beserk" is Berserk);
* SUBSTRING inside a word, for needles of SUBSTRING_FROM characters or more, or of any length in a script
            written without spaces (Japanese, Chinese, Thai: "雨が止むまで" inside its whole title).
            "ntr" is too short to match inside "countryside", as Meilisearch would not either.

A name ranks by its worst query word's kind, then the sum of its words' kinds, then whether the name is
the query's words exactly, then a title's name above a creator's; a title by its best name. The engine
then orders by included-tag relevance, popularity and the pk (engine._relevance_keys).
"""

from __future__ import annotations

import array
import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from pyroaring import BitMap
from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extract

from shuraba.search.bitmaps import bitmap_of
from shuraba.search.normalize import long_vowels_fold, text_words

SUBSTRING, TYPO, FOLDED, COMPOUND, PREFIX, EXACT = 1, 2, 3, 4, 5, 6
MAX_WORDS = 10  # a longer query counts its first ten words (the sums stay below SUM_ROOM)
SUM_ROOM = 64
SUBSTRING_FROM = 4
TIER_MAX = ((EXACT * SUM_ROOM + SUM_ROOM - 1) * 2 + 1) * 2 + 1  # every tier is below this
SCAN_SHARE = 16  # a split compound posted by more than 1/16 of the names is found by one pass over all words
RESORT_AFTER = 2048  # new words kept unsorted before the prefix list is merged again

# Scripts written without spaces between words: CJK ideographs, kana, Thai, Lao, Khmer, Myanmar.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]"
)


_ASCII_RUN = re.compile("[\\x00-\\x7f]+")  # where an ASCII needle may lie inside a word that is not ASCII


def query_words(text: str) -> tuple[str, ...]:
    return tuple(text_words(text)[:MAX_WORDS])


def typo_budget(word: str) -> int:
    """How many typos a query word may carry (Meilisearch's minWordSizeForTypos: 5 for one, 9 for two).
    A number has none: a volume or year typed otherwise is another one."""
    if word.isdigit():
        return 0
    return 2 if len(word) >= 9 else 1 if len(word) >= 5 else 0


def substring_allowed(word: str) -> bool:
    return len(word) >= SUBSTRING_FROM or _UNSPACED.search(word) is not None


def word_kind(query: str, word: str, *, last: bool) -> int:
    """How one query word matches one word of a name (0: not at all); compounds are the name's business."""
    if query == word:
        return EXACT
    if last and word.startswith(query):
        return PREFIX
    if long_vowels_fold(query) == long_vowels_fold(word):
        return FOLDED
    budget = typo_budget(query)
    if budget and query[0] == word[0] and DamerauLevenshtein.distance(query, word, score_cutoff=budget) <= budget:
        return TYPO
    return SUBSTRING if substring_allowed(query) and query in word else 0


def tier_of(kinds: Sequence[int], *, whole: bool, title: bool) -> int:
    """One name's rank from its query words' kinds: worst kind, sum of kinds, exactly the query, a title's."""
    return ((min(kinds) * SUM_ROOM + sum(kinds)) * 2 + whole) * 2 + title


def _joins(query: Sequence[str], i: int) -> list[str]:
    return [query[k] + query[k + 1] for k in (i - 1, i) if 0 <= k < len(query) - 1]


def name_tier(words: Sequence[str], query: Sequence[str], *, title: bool) -> int:
    """The rules over one name's words, plainly (the SQL reference's side; the engine must agree)."""
    if not query or not words:
        return 0
    pairs = {a + b for a, b in itertools.pairwise(words)}
    kinds = []
    for i, q in enumerate(query):
        kind = max(word_kind(q, w, last=i == len(query) - 1) for w in words)
        if kind < COMPOUND and (q in pairs or any(j in words for j in _joins(query, i))):
            kind = COMPOUND
        if not kind:
            return 0
        kinds.append(kind)
    return tier_of(kinds, whole=tuple(words) == tuple(query), title=title)


@dataclass
class WordIndex:
    """Every name's words as postings (word -> name numbers), the name numbers' slots, and the lookups a
    query word needs: a sorted word list for prefixes, words by folded form, words by first character and
    length for typos, all words joined for substrings. A title's change re-posts only its names; new words
    join an unsorted tail that is merged into the sorted list past RESORT_AFTER words."""

    word_id: dict[str, int] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)
    postings: list[BitMap] = field(default_factory=list)
    folded: dict[str, list[int]] = field(default_factory=dict)
    by_shape: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    name_words: list[tuple[str, ...]] = field(default_factory=list)
    name_slot: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    name_title: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    slot_names: dict[int, list[int]] = field(default_factory=dict)
    # Every name's word numbers one after another (append only), where each name starts and how long it is:
    # adjacency (a split compound) is checked over these as arrays.
    flat: array.array[int] = field(default_factory=lambda: array.array("q"))
    name_start: array.array[int] = field(default_factory=lambda: array.array("q"))
    name_len: array.array[int] = field(default_factory=lambda: array.array("q"))
    _sorted: list[str] = field(default_factory=list)
    _tail: list[str] = field(default_factory=list)
    _joined_words: int = 0  # words[:this] are in the joined scans
    _ascii: _Joined = field(default_factory=lambda: _Joined(b""))  # the ASCII words
    _runs: _Joined = field(default_factory=lambda: _Joined(b""))  # the others' ASCII runs, each naming its word
    _other: _Joined = field(default_factory=lambda: _Joined(""))  # the other words

    # --- writing -----------------------------------------------------------------------------------

    def slot_put(self, slot: int, titles: Iterable[str], creators: Iterable[str]) -> None:
        """A slot's names (replacing what it held): its title names, then its creators' names."""
        self.slot_remove(slot)
        named = [(tuple(text_words(n)), True) for n in titles] + [(tuple(text_words(n)), False) for n in creators]
        kept = [(words, is_title) for words, is_title in dict.fromkeys(named) if words]
        first = len(self.name_words)
        self._grow(first + len(kept))
        numbers = []
        for number, (words, is_title) in enumerate(kept, start=first):
            self.name_words.append(words)
            self.name_slot[number], self.name_title[number] = slot, is_title
            ids = [self._word(word) for word in words]
            for word_id in set(ids):
                self.postings[word_id].add(number)
            self.name_start.append(len(self.flat))
            self.name_len.append(len(ids))
            self.flat.extend(ids)
            numbers.append(number)
        self.slot_names[slot] = numbers

    def slot_remove(self, slot: int) -> None:
        for number in self.slot_names.pop(slot, ()):
            for word in set(self.name_words[number]):
                self.postings[self.word_id[word]].discard(number)
            self.name_words[number] = ()

    def _grow(self, size: int) -> None:
        if size > len(self.name_slot):
            grown = max(size, 2 * len(self.name_slot), 64)
            self.name_slot = np.concatenate([self.name_slot, np.zeros(grown - len(self.name_slot), dtype=np.int64)])
            self.name_title = np.concatenate([self.name_title, np.zeros(grown - len(self.name_title), dtype=bool)])

    def _word(self, word: str) -> int:
        number = self.word_id.get(word)
        if number is None:
            number = self.word_id[word] = len(self.words)
            self.words.append(word)
            self.postings.append(BitMap())
            self.folded.setdefault(long_vowels_fold(word), []).append(number)
            self.by_shape.setdefault((word[0], len(word)), []).append(word)
            self._tail.append(word)
        return number

    # --- reading -----------------------------------------------------------------------------------

    def _prefixed(self, prefix: str) -> list[str]:
        if len(self._tail) > RESORT_AFTER:
            self._sorted, self._tail = sorted(self._sorted + self._tail), []
        start = bisect.bisect_left(self._sorted, prefix)
        stop = bisect.bisect_left(self._sorted, prefix + "\U0010ffff")
        return self._sorted[start:stop] + [w for w in self._tail if w.startswith(prefix)]

    def _typos(self, query: str) -> list[str]:
        budget = typo_budget(query)
        if not budget:
            return []
        found = []
        for length in range(len(query) - budget, len(query) + budget + 1):
            shape = self.by_shape.get((query[0], length))
            if shape:
                hits = extract(query, shape, scorer=DamerauLevenshtein.distance, score_cutoff=budget, limit=None)
                found += [word for word, _, _ in hits]
        return found

    def _containing(self, needle: str) -> list[str]:
        """Words holding the needle. ASCII words are scanned as bytes (one byte a character, a fast find); an
        ASCII needle lies in another word only inside one of its ASCII runs, scanned as bytes as well; a
        needle that is not ASCII lies only in the other words, scanned as a string of their own."""
        if self._joined_words < len(self.words):
            new = self.words[self._joined_words :]
            self._ascii.extend([w for w in new if w.isascii()])
            other = [w for w in new if not w.isascii()]
            self._other.extend(other)
            runs = [(run, w) for w in other for run in _ASCII_RUN.findall(w)]
            self._runs.extend([run for run, _ in runs], [w for _, w in runs])
            self._joined_words = len(self.words)
        if not needle.isascii():
            return self._other.containing(needle)
        return self._ascii.containing(needle) + list(dict.fromkeys(self._runs.containing(needle)))

    def _posted(self, words: Iterable[str]) -> BitMap:
        ids = [self.word_id[w] for w in words if w in self.word_id]
        return BitMap.union(*(self.postings[i] for i in ids)) if ids else BitMap()

    def _split(self, query: str) -> BitMap:
        """Names holding the query word as two adjacent words."""
        found = BitMap()
        for cut in range(1, len(query)):
            a, b = self.word_id.get(query[:cut]), self.word_id.get(query[cut:])
            if a is not None and b is not None:
                both = self.postings[a] & self.postings[b]
                if len(both) * SCAN_SHARE > len(self.name_len):  # many names: one pass over every word
                    found |= self._adjacent_anywhere(a, b) & both
                elif both:
                    found |= self._adjacent(np.array(both.to_array(), dtype=np.int64), a, b)
        return found

    def _adjacent_anywhere(self, a: int, b: int) -> BitMap:
        """Every name where word a is followed by word b, from one comparison over all names' words (a
        removed name's words stay in `flat`: the caller keeps only the names still posting both)."""
        flat = np.frombuffer(self.flat, dtype=np.int64)
        at = np.flatnonzero(flat[:-1] == a)
        at = at[flat[at + 1] == b]
        starts = np.frombuffer(self.name_start, dtype=np.int64)
        names = np.searchsorted(starts, at, side="right") - 1
        inside = at + 1 < starts[names] + np.frombuffer(self.name_len, dtype=np.int64)[names]
        return bitmap_of(names[inside])

    def _adjacent(self, numbers: np.ndarray, a: int, b: int) -> BitMap:
        """Those of the names where word a is followed by word b (read name by name)."""
        flat = np.frombuffer(self.flat, dtype=np.int64)
        starts = np.frombuffer(self.name_start, dtype=np.int64)[numbers]
        lengths = np.frombuffer(self.name_len, dtype=np.int64)[numbers] - 1  # each word but the last
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        positions = np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))
        hit = (flat[positions] == a) & (flat[positions + 1] == b)
        return bitmap_of(np.repeat(numbers, lengths)[hit])

    def _word_kinds(self, q: str, *, last: bool) -> dict[int, list[str]]:
        """The vocabulary's words matching query word q, each under its best kind only (a name's kind is its
        best word's: a word posted under a worse kind as well would only be overwritten)."""
        candidates = {
            EXACT: [q],
            PREFIX: self._prefixed(q) if last else [],
            FOLDED: [self.words[n] for n in self.folded.get(long_vowels_fold(q), ())],
            TYPO: self._typos(q),
            SUBSTRING: self._containing(q) if substring_allowed(q) else [],
        }
        seen: set[str] = set()
        kinds: dict[int, list[str]] = {}
        for kind in sorted(candidates, reverse=True):
            kept = [w for w in candidates[kind] if w not in seen and w in self.word_id]
            seen.update(kept)
            kinds[kind] = kept
        return kinds

    def levels(self, query: Sequence[str], i: int) -> dict[int, BitMap]:
        """The names matching query word i at each kind (a name may be in several: its best counts)."""
        found = {
            kind: self._posted(words) for kind, words in self._word_kinds(query[i], last=i == len(query) - 1).items()
        }
        found[COMPOUND] = self._split(query[i]) | self._posted(_joins(query, i))
        return found

    def match(self, text: str, within: BitMap) -> tuple[np.ndarray, np.ndarray]:
        """Slots of `within` with a name matching the text, ascending, and each one's best tier."""
        query = query_words(text)
        empty = np.zeros(0, dtype=np.int64)
        if not query:
            return empty, empty
        levels = [self.levels(query, i) for i in range(len(query))]
        names = BitMap.intersection(*(BitMap.union(*lv.values()) for lv in levels))
        numbers = _array(names)
        if len(numbers):
            shown = np.zeros(int(self.name_slot[numbers].max()) + 1, dtype=bool)
            inside = _array(within)
            shown[inside[inside < len(shown)]] = True
            numbers = numbers[shown[self.name_slot[numbers]]]
        if not len(numbers):
            return empty, empty
        kinds = np.zeros((len(query), len(numbers)), dtype=np.int64)
        scratch = np.zeros(len(self.name_words), dtype=np.int8)
        for i, found in enumerate(levels):
            scratch[:] = 0
            for kind in sorted(found):  # ascending: a better kind overwrites a worse one
                scratch[_array(found[kind] & names)] = kind
            kinds[i] = scratch[numbers]
        whole = np.zeros(len(numbers), dtype=np.int64)
        same_length = np.frombuffer(self.name_len, dtype=np.int64)[numbers] == len(query)
        exact = np.flatnonzero((kinds == EXACT).all(axis=0) & same_length)
        whole[exact] = [self.name_words[n] == query for n in numbers[exact].tolist()]
        tiers = ((kinds.min(axis=0) * SUM_ROOM + kinds.sum(axis=0)) * 2 + whole) * 2 + self.name_title[numbers]
        slots = self.name_slot[numbers]
        best = np.zeros(int(slots.max()) + 1, dtype=np.int64)
        np.maximum.at(best, slots, tiers)
        found_slots = np.flatnonzero(best)
        return found_slots.astype(np.int64), best[found_slots]


@dataclass
class _Joined:
    """Words joined, each ending in a newline, for substring scans, with where each one starts."""

    text: str | bytes
    words: list[str] = field(default_factory=list)
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def extend(self, words: list[str], owners: list[str] | None = None) -> None:
        """Join more words; `owners`: the word each one stands for (default: itself)."""
        if not words:
            return
        lengths = np.array([len(w) + 1 for w in words], dtype=np.int64)
        self.starts = np.concatenate([self.starts, len(self.text) + np.r_[0, np.cumsum(lengths)[:-1]]])
        joined = "".join(w + "\n" for w in words)
        if isinstance(self.text, bytes):
            self.text += joined.encode("ascii")
        else:
            self.text += joined
        self.words += words if owners is None else owners

    def containing(self, needle: str) -> list[str]:
        text, find = self.text, (needle.encode("ascii") if isinstance(self.text, bytes) else needle)
        positions, at = [], text.find(find)  # type: ignore[arg-type]
        while at >= 0:
            positions.append(at)
            at = text.find(find, at + 1)  # type: ignore[arg-type]
        owners = _distinct(np.searchsorted(self.starts, positions, side="right") - 1)
        return [self.words[n] for n in owners.tolist()]


def _distinct(ascending: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending array (np.unique would sort it again)."""
    kept: np.ndarray = ascending[np.r_[True, ascending[1:] != ascending[:-1]]] if len(ascending) else ascending
    return kept


def _array(bitmap: BitMap) -> np.ndarray:
    return np.frombuffer(bitmap.to_array(), dtype=np.uint32).astype(np.int64)
