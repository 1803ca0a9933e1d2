"""Reads of a reader's library: their own page, the export, and the entry states cards show.

The owner sees every entry, private ones and notes included, and entries their avoid rules hide are kept
and marked with the rules' names (it is their own data). An entry for a title behind the age gate is
left out and counted, as every listing does: a title the viewer may not see does not exist for them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, F, QuerySet

from shuraba.accounts.models import User
from shuraba.accounts.policies import Visibility
from shuraba.catalog.models import ExternalId, Title
from shuraba.core.bulk import rows_read
from shuraba.core.errors import BadQuery
from shuraba.library.malxml import MalRow
from shuraba.library.models import (
    ENTRY_FIELDS,
    LibraryEntry,
    LibraryImport,
    Privacy,
    Status,
    UnmatchedEntry,
    UnmatchedState,
)
from shuraba.search.lookup import titles_containing, titles_name_order, titles_rules_hide

PER_PAGE = 50
SORTS: dict[str, tuple[Any, ...]] = {
    "updated": ("-updated_at", "title__title", "pk"),
    "title": ("title__title", "pk"),
    "score": (F("score").desc(nulls_last=True), "title__title", "pk"),
    "status": ("status", "title__title", "pk"),
    "progress": ("-chapters_read", "title__title", "pk"),
    "started": (F("started_on").desc(), "title__title", "pk"),
    "finished": (F("finished_on").desc(), "title__title", "pk"),
    "added": ("-created_at", "pk"),
    "rereads": ("-reread_count", "title__title", "pk"),
    "volumes": ("-volumes_read", "title__title", "pk"),
    "privacy": ("privacy", "title__title", "pk"),
}
# The sorts by a column of the entry (or the title alone) whose ties go by the title's name, ordered in
# memory from that column, the title's place by name (search's title order) and the pk: the database
# sorting a library's titles by name on every page was most of its time (15 ms of 5,000 entries with few
# distinct volume counts, at 200k titles). The others walk an index in SQL. (column, descending)
KEYED_SORTS: dict[str, tuple[str, bool] | None] = {
    "title": None,
    "score": ("score", True),
    "status": ("status", False),
    "progress": ("chapters_read", True),
    "started": ("started_on", True),
    "finished": ("finished_on", True),
    "rereads": ("reread_count", True),
    "volumes": ("volumes_read", True),
    "privacy": ("privacy", False),
}
ORDERS = ("", "reverse")  # each sort's natural direction (scores high to low, titles A to Z), or reversed
HIDDEN_CHOICES = ("", "yes", "no")
ROW_FIELDS = (
    "pk",
    "title_id",
    "title__slug",
    "title__title",
    "title__format",
    "title__chapters",
    "title__volumes",
    "title__content_rating",
    *ENTRY_FIELDS,
    "share_token",
    "updated_at",
)


@dataclass(frozen=True)
class EntryRow:
    """One entry as its owner sees it."""

    pk: int
    title_id: int
    slug: str
    name: str
    format: str
    chapters: int | None
    volumes: int | None
    status: str
    chapters_read: int
    volumes_read: int
    score: int | None
    started_on: str
    finished_on: str
    reread_count: int
    notes: str
    privacy: str
    share_token: str
    updated_at: dt.datetime
    hidden_by: tuple[str, ...] = ()

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def privacy_label(self) -> str:
        return Privacy(self.privacy).label.split(":")[0]


@dataclass(frozen=True)
class LibraryFilters:
    statuses: tuple[str, ...] = ()
    privacy: str = ""
    score_min: int | None = None
    score_max: int | None = None
    text: str = ""
    hidden: str = ""  # yes: only entries my rules hide; no: only the others
    notes: bool = False  # only entries with notes
    sort: str = "updated"
    order: str = ""
    page: int = 1


@dataclass(frozen=True)
class LibraryPage:
    filters: LibraryFilters
    rows: tuple[EntryRow, ...]
    total: int  # entries the filters kept
    pages: int
    counts: dict[str, int]  # per status, over the whole library the viewer may see
    everything: int
    rules_hidden: int  # of the whole library, entries whose titles the reader's rules hide
    age_gated: int  # entries left out: their titles are behind the age gate
    unmatched_open: int


def _number(raw: str, param: str, low: int, high: int) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadQuery(param, f"“{raw[:20]}” is not a whole number from {low} to {high}")
    return int(raw)


def library_filters_read(params: Mapping[str, str], statuses: Sequence[str]) -> LibraryFilters:
    """The library page's filters from its URL; BadQuery names a wrong one."""
    unknown = [s for s in statuses if s not in Status.values]
    if unknown:
        raise BadQuery("status", f"“{unknown[0][:30]}” is not a status; one of {', '.join(Status.values)}")
    privacy, hidden, sort = params.get("privacy", ""), params.get("hidden", ""), params.get("sort") or "updated"
    if privacy and privacy not in Privacy.values:
        raise BadQuery("privacy", f"one of {', '.join(Privacy.values)}")
    if hidden not in HIDDEN_CHOICES:
        raise BadQuery("hidden", "yes (only entries your avoid rules hide) or no (only the others)")
    if sort not in SORTS:
        raise BadQuery("sort", f"one of {', '.join(SORTS)}")
    order = params.get("order", "")
    if order not in ORDERS:
        raise BadQuery("order", "reverse, or empty for the sort's own direction")
    return LibraryFilters(
        statuses=tuple(dict.fromkeys(statuses)),
        privacy=privacy,
        score_min=_number(params.get("score_min", ""), "score_min", 1, 10),
        score_max=_number(params.get("score_max", ""), "score_max", 1, 10),
        text=params.get("q", "").replace("\x00", "").strip()[:200],  # PostgreSQL compares no NUL
        hidden=hidden,
        notes=params.get("notes", "") in ("1", "on", "yes"),
        sort=sort,
        order=order,
        page=_number(params.get("page", ""), "page", 1, 100_000) or 1,
    )


def _shown(user: User, visibility: Visibility) -> QuerySet[LibraryEntry]:
    entries = LibraryEntry.objects.filter(user=user)
    shown = visibility.shown_ratings
    return entries if shown is None else entries.filter(title__content_rating__in=sorted(shown))


def _filtered(entries: QuerySet[LibraryEntry], filters: LibraryFilters, title_ids: list[int]) -> QuerySet[LibraryEntry]:
    """The entries the filters keep; `title_ids` are the titles of every entry shown (the text filter looks
    at their names only, in the search index: the whole catalog's names were 0.8 s a page at 200k titles,
    the library's own through SQL 25 ms)."""
    if filters.statuses:
        entries = entries.filter(status__in=filters.statuses)
    if filters.privacy:
        entries = entries.filter(privacy=filters.privacy)
    if filters.score_min is not None:
        entries = entries.filter(score__gte=filters.score_min)
    if filters.score_max is not None:
        entries = entries.filter(score__lte=filters.score_max)
    if filters.notes:
        entries = entries.exclude(notes="")
    if filters.text:
        entries = entries.filter(title_id__in=sorted(titles_containing(text=filters.text, title_ids=title_ids)))
    return entries


ROW_NAMES = tuple(name for name in (f.name for f in dataclasses.fields(EntryRow)) if name != "hidden_by")


def _row(values: tuple[Any, ...], hidden_by: tuple[str, ...]) -> EntryRow:
    """A row of ROW_FIELDS (the title's rating, values[7], only filtered on) as an EntryRow."""
    return EntryRow(**dict(zip(ROW_NAMES, values[:7] + values[8:], strict=True)), hidden_by=hidden_by)


def _column_key(values: list[Any], descending: bool) -> list[np.ndarray]:
    """Sort keys (least significant first, as numpy.lexsort takes them) for one column's values in its
    SQL order: NULL (a score not given) last whichever the direction, text by code point."""
    null = np.array([value is None for value in values], dtype=np.int64)
    if isinstance(next((v for v in values if v is not None), 0), str):
        _, codes = np.unique(np.array(["" if v is None else v for v in values], dtype=str), return_inverse=True)
    else:
        codes = np.array([0 if value is None else value for value in values], dtype=np.int64)
    return [-codes if descending else codes, null]


def _sort_read(entries: QuerySet[LibraryEntry], sort: str) -> list[tuple[Any, ...]]:
    """The entries' (pk, title id) and, for a KEYED_SORTS sort by a column, that column: read from the
    sort's covering index (models.LibraryEntry), not from the entries' rows."""
    keyed = KEYED_SORTS.get(sort)
    return rows_read(entries.order_by().values_list("pk", "title_id", *((keyed[0],) if keyed else ())))


def _keyed_pks(rows: list[tuple[Any, ...]], filters: LibraryFilters, start: int, end: int) -> list[int]:
    """A page of a KEYED_SORTS sort: its column, then the title's name, then the pk (the order SORTS
    writes in SQL), from the entries' rows as `_sort_read` reads them."""
    keyed = KEYED_SORTS[filters.sort]
    pks = np.array([row[0] for row in rows], dtype=np.int64)
    keys = [pks, titles_name_order(title_ids=[row[1] for row in rows])]
    if keyed:
        keys += _column_key([row[2] for row in rows], keyed[1])
    order = np.lexsort(keys) if rows else np.zeros(0, dtype=np.int64)
    if filters.order:
        order = order[::-1]
    picked: list[int] = pks[order[start:end]].tolist()
    return picked


def _page_rows(
    user: User,
    entries: QuerySet[LibraryEntry],
    filters: LibraryFilters,
    *,
    number: int,
    total: int,
    read: list[tuple[Any, ...]] | None,
) -> list[tuple[Any, ...]]:
    """One page's rows: its entries' pks in order, then those rows whole. Sorting the whole rows (notes,
    slugs...) of a 5,000-entry library took most of a deep page's time.

    In SQL (the sorts by a time), a page nearer the end is read from the end: the same rows (the order is
    total, pk last) from the reversed order, so the index walk stops after them there too."""
    start = (number - 1) * PER_PAGE
    end = min(start + PER_PAGE, total)
    if filters.sort in KEYED_SORTS:
        pks = _keyed_pks(_sort_read(entries, filters.sort) if read is None else read, filters, start, end)
    else:
        ordered = entries.order_by(*SORTS[filters.sort])
        from_end = start > total - end
        if bool(filters.order) != from_end:
            ordered = ordered.reverse()
        if from_end:
            pks = list(ordered.values_list("pk", flat=True)[total - end : total - start])[::-1]
        else:
            pks = list(ordered.values_list("pk", flat=True)[start:end])
    rows = LibraryEntry.objects.filter(user=user, pk__in=pks).values_list(*ROW_FIELDS)
    by_pk = {values[0]: values for values in rows}
    return [by_pk[pk] for pk in pks if pk in by_pk]  # an entry removed since its pk was read is left out


def library_page(*, user: User, visibility: Visibility, filters: LibraryFilters) -> LibraryPage:
    shown = _shown(user, visibility)
    read = _sort_read(shown, filters.sort)
    title_ids = [row[1] for row in read]
    hiding = titles_rules_hide(visibility=visibility, title_ids=title_ids)
    entries = _filtered(shown, filters, title_ids)
    if filters.hidden == "yes":
        entries = entries.filter(title_id__in=list(hiding))
    elif filters.hidden == "no":
        entries = entries.exclude(title_id__in=list(hiding))
    total = len(title_ids) if entries is shown else entries.count()
    pages = max(1, -(-total // PER_PAGE))
    number = min(filters.page, pages)  # a page past the end shows the last one
    counts = dict(shown.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    gated = LibraryEntry.objects.filter(user=user).count() - len(title_ids) if visibility.age_gated else 0
    rows = _page_rows(user, entries, filters, number=number, total=total, read=read if entries is shown else None)
    return LibraryPage(
        filters=dataclasses.replace(filters, page=number),
        rows=tuple(_row(values, hiding.get(values[1], ())) for values in rows),
        total=total,
        pages=pages,
        counts={status: counts.get(status, 0) for status in Status.values},
        everything=len(title_ids),
        rules_hidden=len(hiding),
        age_gated=gated,
        unmatched_open=UnmatchedEntry.objects.filter(user=user, state=UnmatchedState.OPEN).count(),
    )


def library_title(*, visibility: Visibility, slug: str) -> Title | None:
    """The title a reader shelves by its slug; None when there is none or it is behind the age gate (it does
    not exist for them, alike). A title their avoid rules hide is returned: their library is their own data."""
    title = Title.objects.filter(slug=slug[:200]).first()
    return title if title is not None and visibility.rating_shown(title.content_rating) else None


def entry_row(*, user: User, visibility: Visibility, title_id: int) -> EntryRow | None:
    """One entry as the library page lists it (the rules hiding it named); None if it is not shown."""
    values = _shown(user, visibility).filter(title_id=title_id).values_list(*ROW_FIELDS).first()
    if values is None:
        return None
    return _row(values, titles_rules_hide(visibility=visibility, title_ids=[title_id]).get(title_id, ()))


def entry_of(*, user: User, title_id: int) -> LibraryEntry | None:
    """The reader's entry for one title (the title page's own; its caller has shown the title)."""
    return LibraryEntry.objects.filter(user=user, title_id=title_id).first()


def statuses_of(*, user: User) -> dict[int, str]:
    """Title id -> status for every entry: cards say "in your library" from it (one query per page)."""
    return dict(LibraryEntry.objects.filter(user=user).values_list("title_id", "status"))


def imports_recent(*, user: User, limit: int = 10) -> tuple[LibraryImport, ...]:
    return tuple(LibraryImport.objects.filter(user=user)[:limit])


def unmatched_open(*, user: User, limit: int | None = None) -> tuple[UnmatchedEntry, ...]:
    rows = UnmatchedEntry.objects.filter(user=user, state=UnmatchedState.OPEN)
    return tuple(rows[:limit] if limit is not None else rows)


def unmatched_waiting(*, user: User) -> int:
    return UnmatchedEntry.objects.filter(user=user, state=UnmatchedState.OPEN).count()


def unmatched_left(*, user: User) -> int:
    return UnmatchedEntry.objects.filter(user=user, state=UnmatchedState.LEFT).count()


@dataclass(frozen=True)
class Export:
    rows: tuple[tuple[EntryRow, str], ...]  # each entry with its title's MAL id ("" when none)
    age_gated: int

    @property
    def comments(self) -> tuple[str, ...]:
        if not self.age_gated:
            return ()
        note = f"{self.age_gated} entries are left out: their titles are behind the age gate. Confirm 18+ on shuraba"
        return (f"{note} and export again to include them.",)

    def mal_rows(self) -> list[MalRow]:
        return [
            MalRow(
                mal_id=mal_id,
                name=row.name,
                volumes=row.volumes,
                chapters=row.chapters,
                status=row.status,
                chapters_read=row.chapters_read,
                volumes_read=row.volumes_read,
                score=row.score,
                started_on=row.started_on,
                finished_on=row.finished_on,
                reread_count=row.reread_count,
                notes=row.notes,
            )
            for row, mal_id in self.rows
        ]

    def as_json(self) -> dict[str, object]:
        entries = [
            {
                "title": row.slug,
                "name": row.name,
                "mal_id": mal_id or None,
                **{field: getattr(row, field) for field in ENTRY_FIELDS},
                "updated_at": row.updated_at.isoformat(),
            }
            for row, mal_id in self.rows
        ]
        return {"format": EXPORT_FORMAT, "entries": entries, "left_out": {"age_gate": self.age_gated}}


EXPORT_FORMAT = "shuraba-library/1"


def library_export(*, user: User, visibility: Visibility) -> Export:
    """Every entry of the owner, private ones and notes included (their own data), by title."""
    shown = _shown(user, visibility)
    rows = [_row(values, ()) for values in shown.order_by("title__title", "pk").values_list(*ROW_FIELDS)]
    ids = ExternalId.objects.filter(source="mal", title__in=shown.values("title_id"))
    mal = dict(ids.values_list("title_id", "external_id"))
    age_gated = LibraryEntry.objects.filter(user=user).count() - len(rows)
    return Export(tuple((row, mal.get(row.title_id, "")) for row in rows), age_gated)
