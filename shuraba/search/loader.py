"""Reading titles out of the database for the in-memory index: raw rows, no model instances (speed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from shuraba.catalog.cards import card_tags_pick
from shuraba.catalog.length import length_class
from shuraba.catalog.models import AltTitle, Credit, Title, TitleAxisValue, TitleTag
from shuraba.importers.models import ClassificationSuggestion, SuggestionStatus
from shuraba.taxonomy.models import WARNING_CATEGORY, AxisValue, Tag

CHUNK = 2000


@dataclass(slots=True)
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
    tags: list[tuple[str, int, str, str]] = field(default_factory=list)  # (slug, relevance, spoiler, severity)
    subgenres: list[tuple[float, int, str]] = field(default_factory=list)  # (weight, value order, key)
    card_tags: list[str] = field(default_factory=list)  # the slugs its card shows, in card order
    creators: list[str] = field(default_factory=list)  # credited creators' slugs
    creator_names: list[str] = field(default_factory=list)  # their names and native names (text search)
    suggested: list[tuple[str, str]] = field(default_factory=list)  # (axis, value key) of pending suggestions

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
    tags, values = _vocabulary_maps()
    axis_rows = TitleAxisValue.objects.order_by().values_list("title_id", "value_id", "weight")
    for title_id, value_id, weight in _scoped(axis_rows, "title_id", pks):
        _axis_add(rows.get(title_id, missing), values[value_id], weight)
    tag_rows = TitleTag.objects.order_by().values_list("title_id", "tag_id", "relevance", "spoiler", "severity")
    card: dict[int, list[tuple[int, str, str, str, bool]]] = {}
    for title_id, tag_id, relevance, spoiler, severity in _scoped(tag_rows, "title_id", pks):
        slug, name, category = tags[tag_id]
        rows.get(title_id, missing).tags.append((slug, relevance, spoiler, severity))
        card.setdefault(title_id, []).append((relevance, name, slug, spoiler, category == WARNING_CATEGORY))
    for title_id, assignments in card.items():
        rows.get(title_id, missing).card_tags = list(card_tags_pick(assignments))
    for title_id, slug, *names in _scoped(credits_read(), "title_id", pks):
        credit_add(rows.get(title_id, missing), slug, names)
    for title_id, axis, values in _scoped(pending_suggestions(), "title_id", pks):
        rows.get(title_id, missing).suggested.extend(suggested_values(axis, values))


def credits_read() -> QuerySet[Any, Any]:
    """(title id, creator slug, name, native name) of every credit."""
    return Credit.objects.order_by().values_list("title_id", "creator__slug", "creator__name", "creator__native_name")


def credit_add(row: TitleRow, slug: str, names: list[str]) -> None:
    row.creators.append(slug)
    row.creator_names.extend(name for name in names if name)


def pending_suggestions() -> QuerySet[Any, Any]:
    """(title id, axis, values) of every pending classification suggestion: evidence for avoid rules."""
    pending = ClassificationSuggestion.objects.filter(status=SuggestionStatus.PENDING).order_by()
    return pending.values_list("title_id", "axis", "values")


def suggested_values(axis: str, values: object) -> list[tuple[str, str]]:
    """A suggestion's (axis, value key) pairs with a weight above zero."""
    if not isinstance(values, dict):
        return []
    return [(axis, str(key)) for key, weight in values.items() if isinstance(weight, int | float) and weight > 0]


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


def _vocabulary_maps() -> tuple[dict[int, tuple[str, str, str]], dict[int, tuple[str, str, int | None, int]]]:
    tags = {
        pk: (slug, name, category)
        for pk, slug, name, category in Tag.objects.values_list("pk", "slug", "name", "category__key")
    }
    values = {
        pk: (axis, key, rank, order)
        for pk, axis, key, rank, order in AxisValue.objects.values_list("pk", "axis__key", "key", "rank", "order")
    }
    return tags, values


def _axis_add(row: TitleRow, value: tuple[str, str, int | None, int], weight: float) -> None:
    axis, key, rank, order = value
    row.values.append((axis, key))
    if axis in ("centrality", "intensity") and rank is not None:
        row.ranks[axis] = rank
    if axis == "subgenre":
        row.subgenres.append((weight, order, key))
