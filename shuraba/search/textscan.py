"""A text match as the engine ranks it: the matching slots, ascending, with each one's tier (words.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyroaring import BitMap

from shuraba.search.bitmaps import bitmap_of


@dataclass(frozen=True)
class TextMatch:
    """Slots whose names contain the text, ascending, with their tier (higher ranks first: words.tier_of)."""

    bitmap: BitMap
    slots: np.ndarray
    tiers: np.ndarray

    @classmethod
    def of(cls, tiers: dict[int, int]) -> TextMatch:
        slots = np.fromiter(tiers.keys(), dtype=np.int64, count=len(tiers))
        values = np.fromiter(tiers.values(), dtype=np.int64, count=len(tiers))
        order = np.argsort(slots)
        return cls(bitmap_of(slots), slots[order], values[order])

    @classmethod
    def of_arrays(cls, slots: np.ndarray, tiers: np.ndarray) -> TextMatch:
        """From ascending slots and their tiers."""
        return cls(bitmap_of(slots), slots, tiers)

    def tiers_of(self, slots: np.ndarray) -> np.ndarray:
        found: np.ndarray = self.tiers[np.searchsorted(self.slots, slots)]
        return found


NO_MATCH = TextMatch.of({})
