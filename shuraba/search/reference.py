"""The SQL reference implementation of the query model, through the ORM: slow, plain, and the oracle.

Property tests assert it and the in-memory engine return the same ids, order, totals and facet counts;
the benchmark reports how much faster the engine is. Title text matching is the one part done in
Python (a scan of every name with the same normalization), and so is the title sort (the same key,
search/collation.py): databases disagree on Unicode folding.
"""

from __future__ import annotations

from collections import Counter

from django.db import connection
from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from shuraba.accounts import policies
from shuraba.accounts.policies import Visibility
from shuraba.catalog.length import length_class
from shuraba.catalog.models import Title, TitleAxisValue, TitleTag
from shuraba.search.collation import title_sort_key
from shuraba.search.engine import EngineResult
from shuraba.search.facets import disjunctive
from shuraba.search.filters import Filter, include_filter, query_filters, query_text_filter, tag_filter, value_filter
from shuraba.search.query import DIMENSIONS, FIELD_DIMENSIONS, PROFILE_DIMENSIONS, SPOILER_DIMENSIONS, SearchQuery


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
        at_threshold = Q(pk__in=[])
        for slug in query.include_tags:
            at_threshold |= Q(tag__slug=slug, relevance__gte=query.tag_minimum(slug))
        scored = TitleTag.objects.filter(at_threshold, title=OuterRef("pk"))
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


def _removes(result: QuerySet[Title], visibility: Visibility) -> dict[str, dict[str, int]]:
    """Every value's count within the result (what excluding it takes away)."""
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
    return {name: {k: n for k, n in counts.items() if n} for name, counts in facets.items()}


def _keys(dimension: str, within: QuerySet[Title]) -> list[str]:
    """Every value of a dimension some title of `within` has."""
    if dimension in PROFILE_DIMENSIONS:
        rows = TitleAxisValue.objects.filter(title__in=within.values("pk"), axis__key=dimension)
        return sorted(set(rows.values_list("value__key", flat=True)))
    if dimension == "length":
        classes = (length_class(chapters=c, format=f) for c, f in within.values_list("chapters", "format"))
        return sorted({k for k in classes if k})
    return sorted({str(v) for v in within.values_list(dimension, flat=True) if v})


def _clicked(
    base: QuerySet[Title], ticked: Filter | None, click: Filter, visibility: Visibility, *, own: bool
) -> tuple[int, int]:
    """(titles of `base` the click's filter matches, the total once clicked): straight from the definition,
    |base & (S | V)|, or |base & V| for a ticked value or an empty group."""
    occurs = base.filter(click.condition(visibility)).count()
    if ticked is None or own:
        return occurs, occurs
    return occurs, base.filter(ticked.condition(visibility) | click.condition(visibility)).count()


def _group_counts(
    query: SearchQuery, dimension: str, universe: QuerySet[Title], visibility: Visibility
) -> dict[str, int]:
    ticked = include_filter(query, dimension)
    base = _filtered(universe, query.without_include(dimension), visibility)
    counts = {}
    for key in _keys(dimension, base):
        own = key in query.value(dimension).include
        occurs, total = _clicked(base, ticked, value_filter(query, dimension, key), visibility, own=own)
        if occurs:
            counts[key] = total
    return counts


def _tag_counts(
    query: SearchQuery, result: QuerySet[Title], universe: QuerySet[Title], visibility: Visibility
) -> dict[str, int]:
    group = query.include_mode == "any" and bool(query.include_tags)
    base = _filtered(universe, query.without_include("tags"), visibility) if group else result
    ticked = include_filter(query, "tags") if group else None
    shown = TitleTag.objects.filter(policies.assignments_shown_q(visibility), title__in=base.values("pk"))
    counts = {}
    for slug in sorted(set(shown.values_list("tag__slug", flat=True))):
        own = slug in query.include_tags
        occurs, total = _clicked(base, ticked, tag_filter(query, slug), visibility, own=own)
        if own and group:  # a ticked tag: how many of the results carry it
            total = result.filter(tag_filter(query, slug).condition(visibility)).count()
        if occurs and total:
            counts[slug] = total
    return counts


def _facets(
    query: SearchQuery, result: QuerySet[Title], universe: QuerySet[Title], visibility: Visibility
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """(counts, removes) as facets.py defines them, computed from each count's definition in SQL."""
    removes = _removes(result, visibility)
    counts = {d: c for d, c in removes.items() if not disjunctive(query, d)}
    for dimension in DIMENSIONS:
        if disjunctive(query, dimension) and visibility.axis_counted(spoiler=dimension in SPOILER_DIMENSIONS):
            found = _group_counts(query, dimension, universe, visibility)
            if found:
                counts[dimension] = found
    counts["tags"] = _tag_counts(query, result, universe, visibility)
    return counts, removes


def reference_search(query: SearchQuery, visibility: Visibility, *, facets: bool = True) -> EngineResult:
    universe = policies.titles_visible(visibility, Title.objects.all())
    tiers: dict[int, int] = {}
    text_filter = query_text_filter(query)
    if text_filter is not None:
        tiers = text_filter.tiers()
        _text_table_fill(tiers)
        matching = RawSQL(f"SELECT title_id FROM {TEXT_TABLE}", ())  # noqa: S608, S611 (constant SQL)
        universe = universe.filter(pk__in=matching)
    queryset = _filtered(universe, query, visibility)
    total = queryset.count()
    pks = _page(queryset, query, tiers, visibility)
    rules_hidden = None
    if visibility.rules:
        listing = _filtered(Title.objects.all(), query, visibility)
        if text_filter is not None:
            listing = listing.filter(pk__in=sorted(tiers))
        hidden, per_rule = policies.rules_hidden_counts(visibility, listing)
        keys = [rule.key for rule in visibility.rules]
        rules_hidden = (hidden, tuple((k, c.count, c.unclassified) for k, c in zip(keys, per_rule, strict=True)))
    counts, removes = _facets(query, queryset, universe, visibility) if facets else ({}, {})
    return EngineResult(pks=pks, total=total, facets=counts, removes=removes, rules_hidden=rules_hidden)
