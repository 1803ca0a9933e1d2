"""The SQL reference implementation of the query model, through the ORM: slow, plain, and the oracle.

Property tests assert it and the in-memory engine return the same ids, order, totals and facet counts;
the benchmark reports how much faster the engine is. Title text matching is the one part done in
Python (a scan of every name with the same normalization): databases disagree on Unicode folding.
"""

from __future__ import annotations

from collections import Counter

from django.db import connection
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Collate

from shuraba.accounts import policies
from shuraba.accounts.policies import Viewer
from shuraba.catalog.length import length_class, length_q
from shuraba.catalog.models import AltTitle, Title, TitleAxisValue, TitleTag
from shuraba.search.engine import EngineResult, _tier
from shuraba.search.normalize import text_normalize
from shuraba.search.query import (
    FIELD_DIMENSIONS,
    PROFILE_DIMENSIONS,
    RANGE_AXES,
    SPOILER_DIMENSIONS,
    Range,
    SearchQuery,
)


def _has_tag(slug: str, minimum: int = 0, *, open_only: bool = False) -> Exists:
    rows = TitleTag.objects.filter(title=OuterRef("pk"), tag__slug=slug, relevance__gte=minimum)
    return Exists(rows.filter(spoiler="none") if open_only else rows)


def _has_value(axis: str, **condition: object) -> Exists:
    return Exists(TitleAxisValue.objects.filter(title=OuterRef("pk"), axis__key=axis, **condition))


def _tags(queryset: QuerySet[Title], query: SearchQuery, *, open_only: bool) -> QuerySet[Title]:
    """Include filters see only non-spoiler assignments for a viewer hiding spoilers; exclusions see all."""
    include = [_has_tag(s, query.min_relevance, open_only=open_only) for s in query.include_tags]
    if include and query.include_mode == "all":
        for condition in include:
            queryset = queryset.filter(condition)
    elif include:
        any_of = Q()
        for condition in include:
            any_of |= Q(condition)
        queryset = queryset.filter(any_of)
    if query.exclude_tags and query.exclude_mode == "any":
        queryset = queryset.exclude(
            Exists(TitleTag.objects.filter(title=OuterRef("pk"), tag__slug__in=query.exclude_tags))
        )
    elif query.exclude_tags:
        all_of = Q()
        for slug in query.exclude_tags:
            all_of &= Q(_has_tag(slug))
        queryset = queryset.exclude(all_of)
    return queryset


def _field_q(dimension: str, values: frozenset[str]) -> Q:
    return length_q(values) if dimension == "length" else Q(**{f"{dimension}__in": sorted(values)})


def _range_q(name: str, r: Range) -> Q:
    if r.is_empty():
        return Q(pk__in=[])
    bounds = {"gte": r.low, "lte": r.high}
    if name in RANGE_AXES:
        return Q(_has_value(name, **{f"value__rank__{op}": v for op, v in bounds.items() if v is not None}))
    if name == "year":  # dates exist for years 1 to 9999 only
        if (r.high is not None and r.high < 1) or (r.low is not None and r.low > 9999):
            return Q(pk__in=[])
        bounds = {"gte": None if r.low is None else max(r.low, 1), "lte": None if r.high is None else min(r.high, 9999)}
    column = {"year": "start_date__year", "score": "score", "popularity": "popularity"}[name]
    return Q(**{f"{column}__{op}": v for op, v in bounds.items() if v is not None})


def _values(queryset: QuerySet[Title], query: SearchQuery) -> QuerySet[Title]:
    for dimension, f in query.values:
        if dimension in PROFILE_DIMENSIONS:
            if f.include:
                queryset = queryset.filter(_has_value(dimension, value__key__in=sorted(f.include)))
            if f.exclude:
                queryset = queryset.exclude(_has_value(dimension, value__key__in=sorted(f.exclude)))
        else:
            if f.include:
                queryset = queryset.filter(_field_q(dimension, f.include))
            if f.exclude:
                queryset = queryset.exclude(_field_q(dimension, f.exclude))
    for name, r in query.ranges:
        queryset = queryset.filter(_range_q(name, r))
    return queryset


def _text_tiers(text: str) -> dict[int, int]:
    needle = text_normalize(text)
    tiers: dict[int, int] = {}
    names = [*AltTitle.objects.values_list("title_id", "text"), *Title.objects.values_list("pk", "title")]
    for title_id, name in names:
        tier = _tier(text_normalize(name), needle) if needle else 0
        if tier > tiers.get(title_id, 0):
            tiers[title_id] = tier
    return tiers


TEXT_TABLE = "search_reference_text"


def _text_table_fill(tiers: dict[int, int]) -> None:
    """The matching titles and their tiers in a temporary table the query joins (any number of them:
    passed as parameters, 160,000 ids overflow SQLite's variable limit)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {TEXT_TABLE} (title_id bigint PRIMARY KEY, tier integer)")
        cursor.execute(f"DELETE FROM {TEXT_TABLE}")  # noqa: S608 (our own name)
        cursor.executemany(f"INSERT INTO {TEXT_TABLE} (title_id, tier) VALUES (%s, %s)", list(tiers.items()))  # noqa: S608


def _ordered(
    queryset: QuerySet[Title], query: SearchQuery, tiers: dict[int, int], *, open_only: bool
) -> QuerySet[Title]:
    if query.sort == "title":
        collation = "C" if connection.vendor == "postgresql" else "BINARY"
        return queryset.order_by(Collate("title", collation), "pk")
    if query.sort in ("score", "year", "popularity"):
        column = {"score": "score", "year": "start_date", "popularity": "popularity"}[query.sort]
        return queryset.order_by(F(column).desc(nulls_last=True), "pk")
    order: list[str] = []
    if tiers:  # (an annotation that is a bare constant would read as "ORDER BY 0" on PostgreSQL)
        tier = RawSQL(  # noqa: S611 (constant SQL over our own table names; no input reaches it)
            f"SELECT tier FROM {TEXT_TABLE} WHERE title_id = {Title._meta.db_table}.id",  # noqa: S608
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
            (scored.filter(spoiler="none") if open_only else scored)
            .values("title")
            .annotate(total=Sum("relevance"))
            .values("total")
        )
        queryset = queryset.annotate(tag_score=Coalesce(Subquery(tag_score, output_field=IntegerField()), Value(0)))
        order.append("-tag_score")
    return queryset.order_by(*order, "-popularity", "pk")


def _facets(result: QuerySet[Title], viewer: Viewer) -> dict[str, dict[str, int]]:
    facets: dict[str, Counter[str]] = {}
    pks = result.values("pk")
    profile = TitleAxisValue.objects.filter(title__in=pks).values_list("axis__key", "value__key")
    for axis, key in profile:
        if axis not in SPOILER_DIMENSIONS or viewer.reveal_spoilers:
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
    tags = TitleTag.objects.filter(title__in=pks)
    if not viewer.reveal_spoilers:
        tags = tags.filter(spoiler="none")
    facets["tags"] = Counter(tags.values_list("tag__slug", flat=True))
    return {name: {k: n for k, n in counts.items() if n} for name, counts in facets.items()}


def reference_search(query: SearchQuery, viewer: Viewer, *, facets: bool = True) -> EngineResult:
    open_only = not viewer.reveal_spoilers
    queryset = _values(_tags(policies.titles_visible(viewer, Title.objects.all()), query, open_only=open_only), query)
    tiers: dict[int, int] = {}
    if query.q:
        tiers = _text_tiers(query.q)
        _text_table_fill(tiers)
        matching = RawSQL(f"SELECT title_id FROM {TEXT_TABLE}", ())  # noqa: S608, S611 (constant SQL)
        queryset = queryset.filter(pk__in=matching)
    total = queryset.count()
    pks = list(
        _ordered(queryset, query, tiers, open_only=open_only).values_list("pk", flat=True)[
            query.offset : query.offset + query.per_page
        ]
    )
    return EngineResult(pks=pks, total=total, facets=_facets(queryset, viewer) if facets else {})
