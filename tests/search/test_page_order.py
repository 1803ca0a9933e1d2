"""The page of a large result read off a sort's global order (engine._page_in_order) is the page a sort of
the result gives (engine._top over the result's ranks): every sort, shares of the catalog, pages, ties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuraba.search.engine import _page_in_order, _top
from shuraba.search.storage import MISSING, SearchIndex

SIZE = 3000  # large enough that a first page of a large result takes the global order's path


def _index(seed: int) -> SearchIndex:
    rng = np.random.default_rng(seed)
    index = SearchIndex()
    for pk in rng.permutation(np.arange(1, SIZE + 1)).tolist():
        index.slot_for(pk)
    index.columns["pk"][:SIZE] = [pk for pk, _ in sorted(index.slot_of.items(), key=lambda item: item[1])]
    index.columns["popularity"][:SIZE] = rng.integers(0, 50, SIZE)  # many ties: the pk decides
    index.columns["score"][:SIZE] = np.where(rng.random(SIZE) < 0.2, MISSING, rng.integers(0, 100, SIZE))
    index.columns["date"][:SIZE] = np.where(rng.random(SIZE) < 0.2, MISSING, rng.integers(700000, 740000, SIZE))
    return index


@pytest.mark.parametrize("sort", ["popularity", "score", "year"])
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), share=st.floats(0.05, 1.0), start=st.integers(0, 60), length=st.integers(1, 100))
def test_a_page_in_the_global_order_is_the_page_of_the_sorted_result(
    sort: str, seed: int, share: float, start: int, length: int
) -> None:
    index = _index(seed)
    rng = np.random.default_rng(seed + 1)
    slots = np.flatnonzero(rng.random(SIZE) < share).astype(np.int64)
    stop = start + length
    page = _page_in_order(index, sort, slots, start, stop)
    expected = slots[_top(index.rank(sort)[slots], start, stop)]
    if page is not None:
        assert page.tolist() == expected.tolist()


def test_a_first_page_of_the_whole_catalog_takes_the_global_order() -> None:
    index = _index(7)
    slots = np.arange(SIZE, dtype=np.int64)
    page = _page_in_order(index, "popularity", slots, 0, 24)
    assert page is not None
    assert page.tolist() == slots[_top(index.rank("popularity")[slots], 0, 24)].tolist()


def test_a_small_result_is_left_to_the_sort_of_its_own() -> None:
    index = _index(7)
    assert _page_in_order(index, "popularity", np.arange(0, SIZE, 100, dtype=np.int64), 0, 24) is None
