"""Reversed sorts across pages: a page read from the end of the order (the selector does, for pages past
the middle) holds the same entries, in the same order, as the reversed order's own slice."""

from __future__ import annotations

import pytest

from shuraba.accounts.models import User
from shuraba.library.models import LibraryEntry
from tests.library.test_library_page_order import KEYS, _pages, shelf

__all__ = ["shelf"]  # the fixture, shared with the order tests


@pytest.mark.parametrize("sort", sorted(KEYS))
def test_a_reversed_sort_is_the_sort_backwards_across_pages(reader: User, shelf: list[LibraryEntry], sort: str) -> None:
    pages = _pages(reader, sort, order="reverse")
    assert len(pages) == 2
    expected = [e.pk for e in sorted(shelf, key=KEYS[sort], reverse=True)]
    assert [row.pk for p in pages for row in p.rows] == expected
