"""The SQL reference implementation of the query model, through the ORM: slow, plain, and the oracle.

Property tests assert it and the in-memory engine return the same ids, order, totals and facet counts;
the benchmark reports how much faster the engine is. Title text matching is the one part done in
Python (a scan of every name with the same normalization), and so is the title sort (the same key,
search/collation.py): databases disagree on Unicode folding.
"""

from __future__ import annotations

from collections import Counter

from django.db import connection
from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from shuraba.accounts import policies
from shuraba.accounts.policies import Visibility
from shuraba.catalog.length import length_class
from shuraba.catalog.models import Title, TitleAxisValue, TitleTag
from shuraba.search.collation import title_sort_key
from shuraba.search.engine import EngineResult
from shuraba.search.filters import query_filters, query_text_filter
from shuraba.search.query import FIELD_DIMENSIONS, SPOILER_DIMENSIONS, SearchQuery


def _filtered(queryset: QuerySet[Title], query: SearchQuery, visibility: Visibility) -> QuerySet[Title]:
    """The query's filters (the same objects the engine executes) as conditions, one after another."""
    for f in query_filters(query):
        queryset = queryset.filter(f.condition(visibility))
    return queryset


TEXT_TABLE = "search_reference_text"


def _text_table_fill(tiers: dict[int, int]) -> None:
    """The matching titles and their tiers in a temporary table the query joins (any number of them:
    passed as parameters, 160,000 ids overflow SQLite's variable limit)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {TEXT_TABLE} (title_id bigint PRIMARY KEY, tier integer)")
        cursor.execute(f"DELETE FROM {TEXT_TABLE}")  # noqa: S608 (our own name)
        cursor.executemany(f"INSERT INTO {TEXT_TABLE} (title_id, tier) VALUES (%s, %s)", list(tiers.items()))  # noqa: S608 (our own name)


def _ordered(
    queryset: QuerySet[Title], query: SearchQuery, tiers: dict[int, int], visibility: Visibility
) -> QuerySet[Title]:
    if query.sort in ("score", "year", "popularity"):
        column = {"score": "score", "year": "start_date", "popularity": "popularity"}[query.sort]
        return queryset.order_by(F(column).desc(nulls_last=True), "pk")
    order: list[str] = []
    if tiers:  # (an annotation that is a bare constant would read as "ORDER BY 0" on PostgreSQL)
        tier = RawSQL(  # noqa: S611 (constant SQL over our own table names; no input reaches it)
            f"SELECT tier FROM {TEXT_TABLE} WHERE title_id = {Title._meta.db_table}.id",  # noqa: S608 (names from model meta)
            (),
            output_field=IntegerField(),
        )
        queryset = queryset.annotate(tier=tier)
        order.append("-tier")
    if query.include_tags:
        scored = TitleTag.objects.filter(
            title=OuterRef("pk"), tag__slug__in=query.include_tags, relevance__gte=query.min_relevance
        )
        tag_score = (
            scored.filter(policies.assignments_shown_q(visibility))
            .values("title")
            .annotate(total=Sum("relevance"))
            .values("total")
        )
        queryset = queryset.annotate(tag_score=Coalesce(Subquery(tag_score, output_field=IntegerField()), Value(0)))
        order.append("-tag_score")
    return queryset.order_by(*order, "-popularity", "pk")


def _page(queryset: QuerySet[Title], query: SearchQuery, tiers: dict[int, int], visibility: Visibility) -> list[int]:
    """The page's ids. The title sort is done in Python with the engine's key: databases disagree on
    folding case and accents as they do on matching text."""
    window = slice(query.offset, query.offset + query.per_page)
    if query.sort == "title":
        named = sorted(queryset.values_list("title", "pk"), key=lambda row: title_sort_key(*row))
        return [pk for _, pk in named[window]]
    return list(_ordered(queryset, query, tiers, visibility).values_list("pk", flat=True)[window])


def _facets(result: QuerySet[Title], visibility: Visibility) -> dict[str, dict[str, int]]:
    facets: dict[str, Counter[str]] = {}
    pks = result.values("pk")
    profile = TitleAxisValue.objects.filter(title__in=pks).values_list("axis__key", "value__key")
    for axis, key in profile:
        if visibility.axis_counted(spoiler=axis in SPOILER_DIMENSIONS):
            facets.setdefault(axis, Counter())[key] += 1
    for rating, status, fmt, country, chapters in result.values_list(
        "content_rating", "status", "format", "country", "chapters"
    ):
        row = dict(
            zip(
                FIELD_DIMENSIONS,
                (rating, status, fmt, country, length_class(chapters=chapters, format=fmt)),
                strict=True,
            )
        )
        for dimension, found in row.items():
            if found:
                facets.setdefault(dimension, Counter())[found] += 1
    tags = TitleTag.objects.filter(policies.assignments_shown_q(visibility), title__in=pks)
    facets["tags"] = Counter(tags.values_list("tag__slug", flat=True))
    return {name: {k: n for k, n in counts.items() if n} for name, counts in facets.items()}


def reference_search(query: SearchQuery, visibility: Visibility, *, facets: bool = True) -> EngineResult:
    queryset = _filtered(policies.titles_visible(visibility, Title.objects.all()), query, visibility)
    tiers: dict[int, int] = {}
    text_filter = query_text_filter(query)
    if text_filter is not None:
        tiers = text_filter.tiers()
        _text_table_fill(tiers)
        matching = RawSQL(f"SELECT title_id FROM {TEXT_TABLE}", ())  # noqa: S608, S611 (constant SQL)
        queryset = queryset.filter(pk__in=matching)
    total = queryset.count()
    pks = _page(queryset, query, tiers, visibility)
    rules_hidden = None
    if visibility.rules:
        listing = _filtered(Title.objects.all(), query, visibility)
        if text_filter is not None:
            listing = listing.filter(pk__in=sorted(tiers))
        hidden, counts = policies.rules_hidden_counts(visibility, listing)
        keys = [rule.key for rule in visibility.rules]
        rules_hidden = (hidden, tuple((k, c.count, c.unclassified) for k, c in zip(keys, counts, strict=True)))
    return EngineResult(
        pks=pks, total=total, facets=_facets(queryset, visibility) if facets else {}, rules_hidden=rules_hidden
    )
