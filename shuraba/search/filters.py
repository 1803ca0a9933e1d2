"""Filters as objects: each kind knows its bitmap over the index, its ORM condition on titles, and its
English. A SearchQuery compiles to a tuple of them (`query_filters`); the in-memory engine and the SQL
reference both execute that one tuple, so the property test that compares them covers every kind.

Avoid rules (DESIGN §3) are conjunctions of these same objects with exceptions. The one difference the
filters carry is whose tag assignments count: a rule, like an exclusion, matches every assignment of a
tag, spoiler or not (`every_assignment=True`); an include for a viewer who hides spoilers sees only the
assignments that viewer may see, so a listing cannot print a spoiler by matching it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.db.models import Exists, OuterRef, Q
from pyroaring import BitMap

from shuraba.accounts.policies import Visibility, assignments_shown_q
from shuraba.catalog.length import length_q
from shuraba.catalog.models import AltTitle, Credit, Title, TitleAxisValue, TitleTag
from shuraba.importers.models import ClassificationSuggestion, SuggestionStatus
from shuraba.search.bitmaps import bitmap_of
from shuraba.search.cache import cache_key
from shuraba.search.normalize import text_words
from shuraba.search.query import PROFILE_DIMENSIONS, RANGE_AXES, Range, SearchQuery
from shuraba.search.storage import POPULARITY_BUCKETS, SearchIndex, bitmaps_union, popularity_bucket, slots_array
from shuraba.search.textscan import NO_MATCH, TextMatch
from shuraba.search.words import name_tier, query_words


class Filter(Protocol):
    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        """Every slot the filter matches (a caller must not modify the bitmap it gets)."""
        ...

    def apply(self, index: SearchIndex, visibility: Visibility, result: BitMap) -> BitMap:
        """`result` narrowed by the filter (a new bitmap, or `result` changed in place)."""
        ...

    def condition(self, visibility: Visibility) -> Q:
        """The same filter as a condition on a queryset of titles."""
        ...

    def describe(self) -> str: ...


class _Narrowing:
    def apply(self: Filter, index: SearchIndex, visibility: Visibility, result: BitMap) -> BitMap:
        result &= self.bitmap(index, visibility)
        return result


@dataclass(frozen=True)
class TagHas(_Narrowing):
    """Titles carrying a tag at a relevance of at least `minimum`."""

    slug: str
    minimum: int = 0
    every_assignment: bool = False  # True: spoiler assignments count for every viewer (rules, exclusions)

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        matched = index.tag_at_least(self.slug, self.minimum)
        if self.every_assignment:
            return matched
        hidden = index.tag_hidden(self.slug, visibility)
        return matched - hidden if hidden else matched

    def condition(self, visibility: Visibility) -> Q:
        rows = TitleTag.objects.filter(title=OuterRef("pk"), tag__slug=self.slug, relevance__gte=self.minimum)
        return Q(Exists(rows if self.every_assignment else rows.filter(assignments_shown_q(visibility))))

    def describe(self) -> str:
        return f"tagged {self.slug}" + (f" (relevance {self.minimum}+)" if self.minimum else "")


@dataclass(frozen=True)
class AllOf:
    filters: tuple[Filter, ...]

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        bitmaps = sorted((f.bitmap(index, visibility) for f in self.filters), key=len)
        return BitMap.intersection(*bitmaps) if len(bitmaps) > 1 else bitmaps[0]

    def apply(self, index: SearchIndex, visibility: Visibility, result: BitMap) -> BitMap:
        for bitmap in sorted((f.bitmap(index, visibility) for f in self.filters), key=len):
            result &= bitmap
        return result

    def condition(self, visibility: Visibility) -> Q:
        condition = Q()
        for f in self.filters:
            condition &= f.condition(visibility)
        return condition

    def describe(self) -> str:
        return " and ".join(f.describe() for f in self.filters)


@dataclass(frozen=True)
class AnyOf(_Narrowing):
    filters: tuple[Filter, ...]

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        bitmaps = [f.bitmap(index, visibility) for f in self.filters]
        return bitmaps[0] if len(bitmaps) == 1 else bitmaps_union(bitmaps)

    def condition(self, visibility: Visibility) -> Q:
        condition = Q(pk__in=[])
        for f in self.filters:
            condition |= f.condition(visibility)
        return condition

    def describe(self) -> str:
        return " or ".join(f.describe() for f in self.filters)


@dataclass(frozen=True)
class Not:
    inner: Filter

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        return index.live - self.inner.bitmap(index, visibility)

    def apply(self, index: SearchIndex, visibility: Visibility, result: BitMap) -> BitMap:
        result -= self.inner.bitmap(index, visibility)
        return result

    def condition(self, visibility: Visibility) -> Q:
        return ~self.inner.condition(visibility)

    def describe(self) -> str:
        grouped = isinstance(self.inner, AllOf | AnyOf) and len(self.inner.filters) > 1
        return f"not ({self.inner.describe()})" if grouped else f"not {self.inner.describe()}"


@dataclass(frozen=True)
class ValueIn(_Narrowing):
    """Titles with any of these values on a profile axis or a title field (`length` is derived)."""

    dimension: str
    keys: frozenset[str]

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        return bitmaps_union(index.values.get((self.dimension, key)) or BitMap() for key in sorted(self.keys))

    def condition(self, visibility: Visibility) -> Q:
        keys = sorted(self.keys)
        if self.dimension in PROFILE_DIMENSIONS:
            rows = TitleAxisValue.objects.filter(title=OuterRef("pk"), axis__key=self.dimension, value__key__in=keys)
            return Q(Exists(rows))
        if self.dimension == "length":
            return length_q(self.keys)
        return Q(**{f"{self.dimension}__in": keys})

    def describe(self) -> str:
        return f"{self.dimension} is {' or '.join(sorted(self.keys))}"


@dataclass(frozen=True)
class InRange(_Narrowing):
    """Titles whose rank (centrality, intensity) or number (year, score, popularity) lies in a range."""

    name: str
    range: Range

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        r = self.range
        if r.is_empty():
            return BitMap()
        if self.name == "popularity":
            return _popularity(index, r)
        keys = [value for (field, value) in index.numbers if field == self.name and r.contains(value)]
        return bitmaps_union(index.numbers[(self.name, value)] for value in keys)

    def condition(self, visibility: Visibility) -> Q:
        return _range_q(self.name, self.range)

    def describe(self) -> str:
        low, high = self.range.low, self.range.high
        if low is not None and high is not None:
            return f"{self.name} {low} to {high}"
        return f"{self.name} at least {low}" if low is not None else f"{self.name} at most {high}"


def _popularity(index: SearchIndex, r: Range) -> BitMap:
    low, high = max(r.low or 0, 0), r.high
    if high is not None and high < low:
        return BitMap()
    first, last = popularity_bucket(low), popularity_bucket(high) if high is not None else POPULARITY_BUCKETS - 1
    result = bitmaps_union(index.numbers.get(("popularity-bucket", b)) or BitMap() for b in range(first + 1, last))
    column = index.columns["popularity"]
    for bucket in {first, last}:
        slots = slots_array(index.numbers.get(("popularity-bucket", bucket)) or BitMap())
        values = column[slots]
        keep = (values >= low) & (values <= high if high is not None else True)
        result |= bitmap_of(slots[keep])
    return result


def _range_q(name: str, r: Range) -> Q:
    if r.is_empty():
        return Q(pk__in=[])
    bounds = {"gte": r.low, "lte": r.high}
    if name in RANGE_AXES:
        ranks = {f"value__rank__{op}": v for op, v in bounds.items() if v is not None}
        return Q(Exists(TitleAxisValue.objects.filter(title=OuterRef("pk"), axis__key=name, **ranks)))
    if name == "year":  # dates exist for years 1 to 9999 only
        if (r.high is not None and r.high < 1) or (r.low is not None and r.low > 9999):
            return Q(pk__in=[])
        bounds = {"gte": None if r.low is None else max(r.low, 1), "lte": None if r.high is None else min(r.high, 9999)}
    column = {"year": "start_date__year", "score": "score", "popularity": "popularity"}[name]
    return Q(**{f"{column}__{op}": v for op, v in bounds.items() if v is not None})


@dataclass(frozen=True)
class TextHas(_Narrowing):
    """Titles with a name (a title's name, an alternative title in any script, or a credited creator's
    name) matching the text word by word (words.py). Besides matching, it ranks: `match` gives each
    title's tier (words.name_tier: higher is better)."""

    text: str

    def match(self, index: SearchIndex, within: BitMap) -> TextMatch:
        """The matching slots among `within`, from the index's word postings."""
        if not query_words(self.text):
            return NO_MATCH
        return TextMatch.of_arrays(*index.text_match(self.text, within))

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        return self.match(index, index.live).bitmap

    def tiers(self) -> dict[int, int]:
        """Title id -> best tier, by the rules applied to every name in the database in Python (databases
        disagree on Unicode folding, so the ORM side matches there; no index is asked)."""
        query = query_words(self.text)
        found: dict[int, int] = {}
        if not query:
            return found
        titles = [*AltTitle.objects.values_list("title_id", "text"), *Title.objects.values_list("pk", "title")]
        credits = Credit.objects.values_list("title_id", "creator__name", "creator__native_name")
        names = [(t, n, True) for t, n in titles] + [(t, n, False) for t, *ns in credits for n in ns if n]
        for title_id, name, is_title in names:
            best = name_tier(text_words(name), query, title=is_title)
            if best > found.get(title_id, 0):
                found[title_id] = best
        return found

    def condition(self, visibility: Visibility) -> Q:
        """As a plain id list (the SQL reference joins a temporary table instead, for any number of ids)."""
        return Q(pk__in=sorted(self.tiers()))

    def describe(self) -> str:
        return f"a title containing {self.text!r}"


# --- the kinds only avoid rules use -----------------------------------------------------------------


# An axis whose emptiness is itself a classification when another axis says so: a title at centrality
# "none" has no infidelity, so no NTR subgenre (taxonomy.toml), and is not "not classified yet" on it.
KNOWN_EMPTY_WHEN = {"subgenre": ("centrality", "none")}


@dataclass(frozen=True)
class AxisUnknown(_Narrowing):
    """Titles with no value at all on a profile axis: not classified yet (see KNOWN_EMPTY_WHEN)."""

    dimension: str

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        def compute() -> BitMap:
            known = bitmaps_union(b for (dimension, _), b in index.values.items() if dimension == self.dimension)
            implied = KNOWN_EMPTY_WHEN.get(self.dimension)
            if implied is not None:
                known |= index.values.get(implied) or BitMap()
            return index.live - known

        bitmap: BitMap = index.cached(cache_key("axis-unknown", self.dimension), compute)
        return bitmap

    def condition(self, visibility: Visibility) -> Q:
        rows = TitleAxisValue.objects.filter(title=OuterRef("pk"), axis__key=self.dimension)
        unknown = ~Q(Exists(rows))
        implied = KNOWN_EMPTY_WHEN.get(self.dimension)
        if implied is not None:
            axis, key = implied
            said = TitleAxisValue.objects.filter(title=OuterRef("pk"), axis__key=axis, value__key=key)
            unknown &= ~Q(Exists(said))
        return unknown

    def describe(self) -> str:
        return f"{self.dimension} not classified yet"


@dataclass(frozen=True)
class Suggested(_Narrowing):
    """Titles with a pending classification suggestion of any of these values (evidence, not a fact)."""

    dimension: str
    keys: frozenset[str]

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        return bitmaps_union(index.suggested.get((self.dimension, key)) or BitMap() for key in sorted(self.keys))

    def condition(self, visibility: Visibility) -> Q:
        rows = ClassificationSuggestion.objects.filter(
            title=OuterRef("pk"), status=SuggestionStatus.PENDING, axis=self.dimension
        )
        any_key = Q(pk__in=[])
        for key in sorted(self.keys):  # a weight above zero, as the index reads it (loader.suggested_values)
            any_key |= Q(**{f"values__{key}__gt": 0})
        return Q(Exists(rows.filter(any_key)))

    def describe(self) -> str:
        return f"{self.dimension} suggested as {' or '.join(sorted(self.keys))}"


@dataclass(frozen=True)
class WarningAtLeast(_Narrowing):
    """Titles carrying a content warning at a severity of at least `severity` (every assignment). A warning
    without a severity counts as the most severe: unknown is treated as the worst, as with ratings."""

    slug: str
    severity: str
    milder: tuple[str, ...]  # the severities below `severity` (catalog.models.Severity order)

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        every = index.tags.get(self.slug) or BitMap()
        if not self.milder:
            return every
        milder = [index.severities.get((self.slug, level)) or BitMap() for level in self.milder]
        return every - bitmaps_union(milder)

    def condition(self, visibility: Visibility) -> Q:
        rows = TitleTag.objects.filter(title=OuterRef("pk"), tag__slug=self.slug).exclude(severity__in=self.milder)
        return Q(Exists(rows))

    def describe(self) -> str:
        return f"warning {self.slug}" + (f" ({self.severity} or worse)" if self.milder else "")


@dataclass(frozen=True)
class WeightAtLeast(_Narrowing):
    """Titles with a subgenre at a weight of at least `minimum` (0-1)."""

    key: str
    minimum: float

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        bitmap: BitMap = index.cached(
            cache_key("weight-min", self.key, self.minimum),
            lambda: bitmaps_union(
                b for (key, weight), b in index.weights.items() if key == self.key and weight >= self.minimum
            ),
        )
        return bitmap

    def condition(self, visibility: Visibility) -> Q:
        rows = TitleAxisValue.objects.filter(
            title=OuterRef("pk"), axis__key="subgenre", value__key=self.key, weight__gte=self.minimum
        )
        return Q(Exists(rows))

    def describe(self) -> str:
        return f"subgenre {self.key} (weight {self.minimum:g}+)"


@dataclass(frozen=True)
class CreatorIs(_Narrowing):
    """Titles crediting any of these creators (by slug)."""

    slugs: frozenset[str]

    def bitmap(self, index: SearchIndex, visibility: Visibility) -> BitMap:
        return bitmaps_union(index.creators.get(slug) or BitMap() for slug in sorted(self.slugs))

    def condition(self, visibility: Visibility) -> Q:
        return Q(Exists(Credit.objects.filter(title=OuterRef("pk"), creator__slug__in=sorted(self.slugs))))

    def describe(self) -> str:
        return f"by {' or '.join(sorted(self.slugs))}"


def tag_filter(query: SearchQuery, slug: str) -> TagHas:
    """An included tag as the query matches it, or as it would once ticked: at its own threshold, else at
    `min_relevance` (a facet count and its link use this one filter)."""
    return TagHas(slug, query.tag_minimum(slug))


def value_filter(query: SearchQuery, dimension: str, key: str) -> Filter:
    """One included value as the query matches it, or as it would once ticked; a subgenre at a weight
    threshold (its own, else `min_weight`) is a WeightAtLeast."""
    if dimension == "subgenre":
        minimum = query.weight_minimum(key)
        if minimum > 0:
            return WeightAtLeast(key, minimum)
    return ValueIn(dimension, frozenset((key,)))


def include_filter(query: SearchQuery, group: str) -> Filter | None:
    """An "or" group's include filter ("tags" in include_mode any, or a dimension), None when empty."""
    if group == "tags":
        if not query.include_tags:
            return None
        tags: tuple[Filter, ...] = tuple(tag_filter(query, slug) for slug in query.include_tags)
        return AllOf(tags) if query.include_mode == "all" else AnyOf(tags)
    keys = query.value(group).include
    if not keys:
        return None
    plain = frozenset(k for k in keys if isinstance(value_filter(query, group, k), ValueIn))
    weighed = [value_filter(query, group, k) for k in sorted(keys - plain)]
    parts: list[Filter] = [ValueIn(group, plain)] if plain else []
    parts += weighed
    return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))


@lru_cache(maxsize=4096)
def query_filters(query: SearchQuery) -> tuple[Filter, ...]:
    """A query's filters, in the order both executors apply them, but for its text (`query_text_filter`),
    which both match last because it also ranks."""
    filters: list[Filter] = []
    include = include_filter(query, "tags")
    if include is not None:
        filters.append(include)
    exclude: tuple[Filter, ...] = tuple(TagHas(slug, every_assignment=True) for slug in query.exclude_tags)
    if exclude:
        filters.append(Not(AnyOf(exclude) if query.exclude_mode == "any" else AllOf(exclude)))
    for dimension, f in query.values:
        included = include_filter(query, dimension)
        if included is not None:
            filters.append(included)
        if f.exclude:
            filters.append(Not(ValueIn(dimension, f.exclude)))
    filters.extend(InRange(name, r) for name, r in query.ranges)
    return tuple(filters)


def query_text_filter(query: SearchQuery) -> TextHas | None:
    return TextHas(query.q) if query.q else None
