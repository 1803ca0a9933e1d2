"""Slot arrays into bitmaps without a Python list: pyroaring reads an `array.array` of 32-bit unsigned
integers through the buffer protocol, some thirty times faster at 200,000 slots than from a list of ints."""

from __future__ import annotations

import array

import numpy as np
from pyroaring import BitMap


def bitmap_of(slots: np.ndarray) -> BitMap:
    """A bitmap holding the given slots (non-negative, below 2**32; any order, repeats allowed)."""
    return BitMap(array.array("I", np.ascontiguousarray(slots, dtype=np.uint32).tobytes()))
