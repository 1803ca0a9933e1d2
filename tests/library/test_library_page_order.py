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
from shuraba.core.changelog import changes_announce
from shuraba.library.models import LibraryEntry
from shuraba.library.selectors import PER_PAGE, SORTS, LibraryFilters, LibraryPage, library_page
from shuraba.search.collation import title_fold

ADULT = Visibility(hidden_ratings=frozenset(), spoilers="none")


def _text_down(text: str) -> tuple[int, ...]:
    """A key that orders text from the greatest down, as SQL's DESC does ("2021-05" before "2021", "" last)."""
    return (*(-ord(char) for char in text), 0)


def _name(entry: LibraryEntry) -> tuple[str, str]:
    """The title's name as the title sort orders it: without case or accents, then as written."""
    return (title_fold(entry.title.title), entry.title.title)


# Each sort's key as the page documents it, most significant first; the title and then the pk break ties.
KEYS = {
    "updated": lambda e: (-e.updated_at.timestamp(), e.title.title, e.pk),
    "title": lambda e: (*_name(e), e.pk),
    "score": lambda e: (e.score is None, -(e.score or 0), *_name(e), e.pk),
    "status": lambda e: (e.status, *_name(e), e.pk),
    "progress": lambda e: (-e.chapters_read, *_name(e), e.pk),
    "added": lambda e: (-e.created_at.timestamp(), e.pk),
    "rereads": lambda e: (-e.reread_count, *_name(e), e.pk),
    "started": lambda e: (_text_down(e.started_on), *_name(e), e.pk),
    "finished": lambda e: (_text_down(e.finished_on), *_name(e), e.pk),
    "volumes": lambda e: (-e.volumes_read, *_name(e), e.pk),
    "privacy": lambda e: (e.privacy, *_name(e), e.pk),
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
                finished_on=("", "2022", "2021-05-30")[n % 3],
                volumes_read=n % 4,
                privacy=("public", "private")[n % 2],
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


def test_every_sort_the_page_offers_is_checked_here() -> None:
    assert set(KEYS) == set(SORTS)


def test_titles_of_one_name_go_by_the_entry(reader: User) -> None:
    """Sorted in memory (selectors.KEYED_SORTS), two titles of one name tie on the name, as in SQL."""
    now = timezone.now()
    first, second = Title.objects.order_by("pk")[:2]
    Title.objects.filter(pk__in=[first.pk, second.pk]).update(title="Synthetic Same Name")
    changes_announce(title_ids=[first.pk, second.pk])
    later = LibraryEntry.objects.create(user=reader, title=second, created_at=now, updated_at=now)
    earlier = LibraryEntry.objects.create(user=reader, title=first, created_at=now, updated_at=now)
    for order, expected in (("", [later.pk, earlier.pk]), ("reverse", [earlier.pk, later.pk])):
        page = library_page(user=reader, visibility=ADULT, filters=LibraryFilters(sort="volumes", order=order))
        assert [row.pk for row in page.rows] == expected


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
    changes_announce(title_ids=[mine.pk, other.pk])  # as the catalog's writes do: the search index reads names
    LibraryEntry.objects.create(user=reader, title=mine, created_at=now, updated_at=now)
    page = library_page(user=reader, visibility=ADULT, filters=LibraryFilters(text="winter ledger"))
    assert (page.total, [row.title_id for row in page.rows]) == (1, [mine.pk])


def test_the_title_filter_folds_as_search_does(reader: User) -> None:
    """Case, marks and long vowels fold on both sides: "kori" and "KŌRI" find "Kōri no Tegami"."""
    now = timezone.now()
    mine, other = Title.objects.filter(content_rating="teen").order_by("pk")[:2]
    AltTitle.objects.create(title=mine, kind="romaji", text="Kōri no Tegami")
    changes_announce(title_ids=[mine.pk])
    for title in (mine, other):
        LibraryEntry.objects.create(user=reader, title=title, created_at=now, updated_at=now)
    for text in ("kori", "KŌRI NO", "Kouri no tegami"):
        page = library_page(user=reader, visibility=ADULT, filters=LibraryFilters(text=text))
        assert [row.title_id for row in page.rows] == [mine.pk], text
    page = library_page(user=reader, visibility=ADULT, filters=LibraryFilters(text="tegami no kori"))
    assert page.total == 0


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_filters_that_keep_nothing_give_an_empty_page_in_every_sort(
    reader: User, shelf: list[LibraryEntry], sort: str
) -> None:
    """A title filter no name matches, and "only what my rules hide" without rules: no entry, for a sort in
    SQL and one in memory alike (an empty `title_id IN ()` once failed the in-memory sorts with a 500)."""
    nothing = (LibraryFilters(sort=sort, text="no title bears this name"), LibraryFilters(sort=sort, hidden="yes"))
    for filters in nothing:
        page = library_page(user=reader, visibility=ADULT, filters=filters)
        assert (page.total, page.pages, page.rows, page.everything) == (0, 1, (), len(shelf))
