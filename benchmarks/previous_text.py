"""The previous title text matcher (before issue 10's word search), kept callable for text_bench.py only:
trigram codes (the candidates) and a vectorized scan of every name (the proof), with its normalization.

Names are normalized (search/normalize.py) before they get here. The scan joins every slot's names into
one array of code points, each name ending in a newline, and finds a needle by numpy comparisons
starting from its rarest character; the tier of a match is 3 (a whole name), 2 (a name's start) or 1.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from pyroaring import BitMap

TIER_EXACT, TIER_PREFIX, TIER_CONTAINS = 3, 2, 1
SEPARATOR = 1  # U+0001 joins names in a batch; no trigram spans it
NEWLINE = 10  # ends every name in the joined text a scan reads (normalized names hold no newline)


def gram_code(gram: str) -> int:
    """A trigram as one integer (three code points of 21 bits each)."""
    return (ord(gram[0]) << 42) | (ord(gram[1]) << 21) | ord(gram[2])


def trigrams(text: str) -> set[int]:
    padded = f" {text} "
    return {gram_code(padded[i : i + 3]) for i in range(len(padded) - 2)}


def needle_grams(needle: str) -> set[int]:
    """Trigrams every matching name must contain (inner ones only: a match may sit mid-word)."""
    return {gram_code(needle[i : i + 3]) for i in range(len(needle) - 2)}


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


def tier(name: str, needle: str) -> int:
    """How well one normalized name matches a needle: the rule the scan vectorizes (and tests check)."""
    if name == needle:
        return TIER_EXACT
    if name.startswith(needle):
        return TIER_PREFIX
    return TIER_CONTAINS if needle in name else 0


@dataclass(frozen=True)
class TextMatch:
    """Slots whose names contain the text, ascending, with their tier (exact 3, prefix 2, contains 1)."""

    bitmap: BitMap
    slots: np.ndarray
    tiers: np.ndarray

    @classmethod
    def of(cls, tiers: dict[int, int]) -> TextMatch:
        slots = np.fromiter(tiers.keys(), dtype=np.int64, count=len(tiers))
        values = np.fromiter(tiers.values(), dtype=np.int64, count=len(tiers))
        order = np.argsort(slots)
        return cls(BitMap(slots.tolist()), slots[order], values[order])

    @classmethod
    def of_arrays(cls, slots: np.ndarray, tiers: np.ndarray) -> TextMatch:
        """From ascending slots and their tiers."""
        return cls(BitMap(slots.tolist()), slots, tiers)

    def tiers_of(self, slots: np.ndarray) -> np.ndarray:
        found: np.ndarray = self.tiers[np.searchsorted(self.slots, slots)]
        return found


NO_MATCH = TextMatch.of({})


@dataclass(frozen=True)
class NameScan:
    """Every slot's names as code points, each name ending in a newline, after one leading newline; each
    slot's start; how often each code point occurs (a scan starts from the needle's rarest)."""

    points: np.ndarray
    starts: np.ndarray
    counts: dict[int, int]

    @classmethod
    def of(cls, names: list[tuple[str, ...]]) -> NameScan:
        parts, starts, offset = ["\n"], [], 1
        for slot_names in names:
            joined = "".join(name + "\n" for name in slot_names)
            starts.append(offset)
            parts.append(joined)
            offset += len(joined)
        points = np.frombuffer("".join(parts).encode("utf-32-le"), dtype=np.uint32)
        if len(points) and int(points.max()) <= np.iinfo(np.uint16).max:
            points = points.astype(np.uint16)  # half the memory when every name is in the BMP
        values, counts = np.unique(points, return_counts=True)
        return cls(points, np.array(starts, dtype=np.int64), dict(zip(values.tolist(), counts.tolist(), strict=True)))

    def scan(self, needle: str, among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Every slot (of `among`, ascending, when given) with a name containing `needle`, ascending, and
        its best tier: all the names, or only those of `among` (the trigram candidates)."""
        points, starts = self.points, self.starts
        codes = [ord(char) for char in needle]
        if not codes or max(codes) > np.iinfo(points.dtype).max:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if among is not None:
            points, starts = _gather_names(points, starts, among)
        rarest = min(range(len(codes)), key=lambda k: self.counts.get(codes[k], 0))
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


_SPACES = re.compile(r"[\s\-_·・:;,.!?'\"\u201c\u201d\u2018\u2019()\[\]{}/\\]+")
_MARKS = {c: None for c in range(0x110000) if unicodedata.category(chr(c)) == "Mn" and c not in (0x3099, 0x309A)}
SCAN_ALL_ABOVE = 1 / 3


def previous_normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        folded = unicodedata.normalize("NFC", unicodedata.normalize("NFD", folded).translate(_MARKS))
    folded = _SPACES.sub(" ", folded).strip()
    return folded.replace("ou", "o").replace("oo", "o").replace("uu", "u")


class PreviousText:
    """The previous matcher over one index's names: trigram bitmaps, then the scan of the candidates (or
    of every name past a third of the catalog). `rebuild` is what every catalog change cost it."""

    def __init__(self, raw_names: list[tuple[str, ...]]) -> None:
        self.names = [tuple(dict.fromkeys(previous_normalize(n) for n in names)) for names in raw_names]
        self.grams: dict[int, BitMap] = defaultdict(BitMap)
        for code, owners in trigrams_bulk(list(enumerate(self.names))):
            self.grams[code].update(owners.tolist())
        self.rebuild()

    def rebuild(self) -> None:
        self.scan = NameScan.of(self.names)

    def match(self, text: str, within: BitMap) -> tuple[np.ndarray, np.ndarray]:
        needle = previous_normalize(text)
        if not needle:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        grams = list(needle_grams(needle))
        candidates = BitMap(within)
        for gram in sorted(grams, key=lambda g: len(self.grams.get(g) or ())):
            candidates &= self.grams.get(gram) or BitMap()
            if not candidates:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if not grams or len(candidates) > SCAN_ALL_ABOVE * len(self.names):
            return self.scan.scan(needle)
        return self.scan.scan(needle, np.array(candidates.to_array(), dtype=np.int64))
