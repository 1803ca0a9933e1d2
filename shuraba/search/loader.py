"""Reading titles out of the database for the in-memory index: raw rows, no model instances (speed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from shuraba.catalog.length import length_class
from shuraba.catalog.models import AltTitle, Title, TitleAxisValue, TitleTag
from shuraba.taxonomy.models import WARNING_CATEGORY

CHUNK = 2000


@dataclass
class TitleRow:
    pk: int
    title: str
    content_rating: str
    status: str
    format: str
    country: str
    start_date: dt.date | None
    chapters: int | None
    score: int | None
    popularity: int
    slug: str = ""
    is_fictional: bool = False
    names: list[str] = field(default_factory=list)
    values: list[tuple[str, str]] = field(default_factory=list)  # (dimension, value key)
    ranks: dict[str, int] = field(default_factory=dict)  # centrality / intensity rank
    tags: list[tuple[str, int, str]] = field(default_factory=list)  # (slug, relevance, spoiler)
    subgenres: list[tuple[float, int, str]] = field(default_factory=list)  # (weight, value order, key)
    card_tags: list[tuple[int, str, str]] = field(default_factory=list)  # (relevance, tag name, slug)

    @property
    def length(self) -> str | None:
        return length_class(chapters=self.chapters, format=self.format)


TITLE_COLUMNS = (
    "pk",
    "title",
    "content_rating",
    "status",
    "format",
    "country",
    "start_date",
    "chapters",
    "score",
    "popularity",
    "slug",
    "is_fictional",
)


def _chunks(pks: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(pks), CHUNK):
        yield pks[start : start + CHUNK]


def _scoped(queryset: QuerySet[Any, Any], column: str, pks: list[int] | None) -> Iterator[Any]:
    if pks is None:
        yield from queryset.iterator(chunk_size=20000)
        return
    for chunk in _chunks(pks):
        yield from queryset.filter(**{f"{column}__in": chunk})


def _fill(rows: dict[int, TitleRow], pks: list[int] | None) -> None:
    # A row whose title appeared after the title query (a concurrent write) waits for the next refresh.
    missing = TitleRow(0, "", "", "", "", "", None, None, None, 0)
    for title_id, text in _scoped(AltTitle.objects.order_by().values_list("title_id", "text"), "title_id", pks):
        rows.get(title_id, missing).names.append(text)
    axis_rows = TitleAxisValue.objects.order_by().values_list(
        "title_id", "axis__key", "value__key", "value__rank", "weight", "value__order"
    )
    for title_id, axis, key, rank, weight, order in _scoped(axis_rows, "title_id", pks):
        row = rows.get(title_id, missing)
        row.values.append((axis, key))
        if axis in ("centrality", "intensity") and rank is not None:
            row.ranks[axis] = rank
        if axis == "subgenre":
            row.subgenres.append((weight, order, key))
    tag_rows = TitleTag.objects.order_by().values_list(
        "title_id", "tag__slug", "relevance", "spoiler", "tag__name", "tag__category__key"
    )
    for title_id, slug, relevance, spoiler, name, category in _scoped(tag_rows, "title_id", pks):
        row = rows.get(title_id, missing)
        row.tags.append((slug, relevance, spoiler))
        if spoiler == "none" and category != WARNING_CATEGORY:
            row.card_tags.append((relevance, name, slug))


def rows_load(pks: list[int] | None = None) -> dict[int, TitleRow]:
    """Every title (pks=None) or the given ones, with names, profile values and tags."""
    queryset = Title.objects.values_list(*TITLE_COLUMNS).order_by("pk")
    source = (
        queryset.iterator(chunk_size=20000)
        if pks is None
        else (row for chunk in _chunks(pks) for row in queryset.filter(pk__in=chunk))
    )
    rows = {values[0]: TitleRow(*values) for values in source}
    for row in rows.values():
        row.names.append(row.title)
    _fill(rows, None if pks is None else list(rows))
    return rows
