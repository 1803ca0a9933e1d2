"""The library page's order and pages: every sort as documented (its key, then the title, then the entry),
pages that follow each other without a gap or a repeat, a page past the end showing the last one, and the
title filter looking at the library's own titles, alternative names included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.accounts.policies import Visibility
from shuraba.catalog.models import AltTitle, Title
from shuraba.library.models import LibraryEntry
from shuraba.library.selectors import PER_PAGE, LibraryFilters, LibraryPage, library_page

ADULT = Visibility(hidden_ratings=frozenset(), spoilers="none")
# Each sort's key as the page documents it, most significant first; the title and then the pk break ties.
KEYS = {
    "updated": lambda e: (-e.updated_at.timestamp(), e.title.title, e.pk),
    "title": lambda e: (e.title.title, e.pk),
    "score": lambda e: (e.score is None, -(e.score or 0), e.title.title, e.pk),
    "status": lambda e: (e.status, e.title.title, e.pk),
    "progress": lambda e: (-e.chapters_read, e.title.title, e.pk),
    "added": lambda e: (-e.created_at.timestamp(), e.pk),
    "rereads": lambda e: (-e.reread_count, e.title.title, e.pk),
}


@pytest.fixture
def shelf(reader: User) -> list[LibraryEntry]:
    """An entry for every sample title: few distinct values per field, so ties are the rule."""
    now = timezone.now()
    entries = []
    for n, title in enumerate(Title.objects.order_by("pk")):
        at = now - dt.timedelta(days=n % 3)
        entries.append(
            LibraryEntry.objects.create(
                user=reader,
                title=title,
                status=("reading", "completed", "dropped")[n % 3],
                score=None if n % 4 == 0 else n % 5 + 1,
                chapters_read=n % 6,
                reread_count=n % 2,
                started_on=("", "2020", "2021-05")[n % 3],
                created_at=at,
                updated_at=at,
            )
        )
    return entries


def _pages(user: User, sort: str, **filters: object) -> list[LibraryPage]:
    first = library_page(user=user, visibility=ADULT, filters=LibraryFilters(sort=sort, **filters))
    rest = [
        library_page(user=user, visibility=ADULT, filters=LibraryFilters(sort=sort, page=n, **filters))
        for n in range(2, first.pages + 1)
    ]
    return [first, *rest]


@pytest.mark.parametrize("sort", sorted(KEYS))
def test_each_sort_orders_by_its_key_then_the_title_across_pages(
    reader: User, shelf: list[LibraryEntry], sort: str
) -> None:
    pages = _pages(reader, sort)
    assert len(shelf) > PER_PAGE
    assert [p.total for p in pages] == [len(shelf)] * 2
    assert [len(p.rows) for p in pages] == [PER_PAGE, len(shelf) - PER_PAGE]
    expected = [e.pk for e in sorted(shelf, key=KEYS[sort])]
    assert [row.pk for p in pages for row in p.rows] == expected


def test_the_started_sort_puts_entries_without_a_date_last(reader: User, shelf: list[LibraryEntry]) -> None:
    rows = [row for p in _pages(reader, "started") for row in p.rows]
    dates = [row.started_on for row in rows]
    assert dates == sorted(dates, reverse=True)
    assert dates[-1] == ""


def test_a_page_past_the_end_shows_the_last_page(reader: User, shelf: list[LibraryEntry]) -> None:
    last = library_page(user=reader, visibility=ADULT, filters=LibraryFilters(sort="title", page=99))
    assert last.pages == 2
    assert [row.pk for row in last.rows] == [row.pk for row in _pages(reader, "title")[1].rows]


def test_a_filtered_page_counts_the_filtered_entries(reader: User, shelf: list[LibraryEntry]) -> None:
    pages = _pages(reader, "score", statuses=("completed",), score_min=3)
    kept = [e for e in shelf if e.status == "completed" and e.score is not None and e.score >= 3]
    assert (pages[0].total, pages[0].pages, pages[0].everything) == (len(kept), 1, len(shelf))
    assert {row.pk for row in pages[0].rows} == {e.pk for e in kept}


def test_the_title_filter_looks_at_the_library_titles_and_their_alternative_names(reader: User) -> None:
    now = timezone.now()
    mine, other = Title.objects.filter(content_rating="teen").order_by("pk")[:2]
    AltTitle.objects.create(title=mine, kind="synonym", text="Synthetic Winter Ledger")
    AltTitle.objects.create(title=other, kind="synonym", text="Synthetic Winter Ledger Two")
    LibraryEntry.objects.create(user=reader, title=mine, created_at=now, updated_at=now)
    page = library_page(user=reader, visibility=ADULT, filters=LibraryFilters(text="winter ledger"))
    assert (page.total, [row.title_id for row in page.rows]) == (1, [mine.pk])
