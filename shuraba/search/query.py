"""The search query model: one frozen, pure description of what a reader asked for.

The browse page, the JSON API and the one-line text syntax all parse into a SearchQuery; the in-memory
engine and the SQL reference implementation both execute it and must agree exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

IncludeMode = Literal["all", "any"]
ExcludeMode = Literal["any", "all"]
SORTS = ("relevance", "score", "popularity", "year", "title")
DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII digits only: str.isdigit() accepts "²", which int() refuses
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 24
MAX_TAGS = 100

# Categorical dimensions: profile axes (value sets) and title fields. Each is filtered by an
# include set (any of) and an exclude set (none of).
PROFILE_DIMENSIONS = (
    "subgenre",
    "perspective",
    "relationship",
    "rival",
    "drift",
    "consent",
    "revelation",
    "ending",
    "depth",
)
FIELD_DIMENSIONS = ("content_rating", "status", "format", "country", "length")
DIMENSIONS = PROFILE_DIMENSIONS + FIELD_DIMENSIONS
# Ordinal dimensions filtered by an inclusive range of ranks.
RANGE_AXES = {"centrality": (0, 3), "intensity": (1, 5)}
NUMERIC_FIELDS = {"year": (1, 9999), "score": (0, 100), "popularity": (0, 10**12)}
RANGES = (*RANGE_AXES, *NUMERIC_FIELDS)
# Dimensions whose values are spoilers: they filter silently and are never counted in facets for a
# viewer who has not chosen to see spoilers.
SPOILER_DIMENSIONS = ("revelation", "ending")


@dataclass(frozen=True)
class ValueFilter:
    include: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)


@dataclass(frozen=True)
class Range:
    low: int | None = None
    high: int | None = None

    def __bool__(self) -> bool:
        return self.low is not None or self.high is not None

    def contains(self, value: int | None) -> bool:
        if value is None:
            return not self
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def is_empty(self) -> bool:
        return self.low is not None and self.high is not None and self.low > self.high


def _frozen(mapping: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    return tuple(sorted((k, v) for k, v in mapping.items() if v))


def weight_text(weight: float) -> str:
    """A subgenre weight threshold as the URL and the text syntax write it (0.5, 1, 0.25)."""
    return f"{weight:g}"


@dataclass(frozen=True)
class SearchQuery:
    include_tags: tuple[str, ...] = ()
    include_mode: IncludeMode = "all"
    exclude_tags: tuple[str, ...] = ()
    exclude_mode: ExcludeMode = "any"
    min_relevance: int = 0  # the relevance threshold of every included tag without its own
    # Included tags' own relevance thresholds (`love-triangle>=60`): sorted (slug, minimum) pairs.
    tag_minimums: tuple[tuple[str, int], ...] = ()
    min_weight: float = 0.0  # the weight threshold of every included subgenre without its own
    # Included subgenres' own weight thresholds (`subgenre:revenge>=0.5`): sorted (key, minimum) pairs.
    weight_minimums: tuple[tuple[str, float], ...] = ()
    values: tuple[tuple[str, ValueFilter], ...] = ()  # sorted (dimension, filter) pairs, empty ones dropped
    ranges: tuple[tuple[str, Range], ...] = ()  # sorted (name, range) pairs, empty ones dropped
    q: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def build(
        cls,
        *,
        values: Mapping[str, ValueFilter] | None = None,
        ranges: Mapping[str, Range] | None = None,
        tag_minimums: Mapping[str, int] | None = None,
        weight_minimums: Mapping[str, float] | None = None,
        **kwargs: object,
    ) -> SearchQuery:
        """Thresholds are kept for included names only (a threshold of 0 is one: it overrides the default)."""
        included: Any = kwargs.get("include_tags", ())
        subgenres = (values or {}).get("subgenre", ValueFilter()).include
        return cls(
            values=_frozen(values or {}),  # type: ignore[arg-type]
            ranges=_frozen(ranges or {}),  # type: ignore[arg-type]
            tag_minimums=tuple(sorted((k, v) for k, v in (tag_minimums or {}).items() if k in included)),
            weight_minimums=tuple(sorted((k, float(v)) for k, v in (weight_minimums or {}).items() if k in subgenres)),
            **kwargs,  # type: ignore[arg-type]
        )

    def tag_minimum(self, slug: str) -> int:
        """The relevance threshold an included tag is matched at (its own, else `min_relevance`)."""
        return dict(self.tag_minimums).get(slug, self.min_relevance)

    def weight_minimum(self, key: str) -> float:
        """The weight threshold an included subgenre is matched at (its own, else `min_weight`)."""
        return dict(self.weight_minimums).get(key, self.min_weight)

    def value(self, dimension: str) -> ValueFilter:
        return dict(self.values).get(dimension, ValueFilter())

    def range(self, name: str) -> Range:
        return dict(self.ranges).get(name, Range())

    def with_page(self, page: int) -> SearchQuery:
        return replace(self, page=page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def without_include(self, group: str) -> SearchQuery:
        """The query without one "or" group's include set (its exclusions kept): what a disjunctive facet
        count of that group is computed over. `group` is "tags" or a dimension."""
        if group == "tags":
            return replace(self, include_tags=(), tag_minimums=())
        f = self.value(group)
        values = dict(self.values)
        if f.exclude:
            values[group] = ValueFilter(exclude=f.exclude)
        else:
            values.pop(group, None)
        weights = () if group == "subgenre" else self.weight_minimums
        return replace(self, values=tuple(sorted(values.items())), weight_minimums=weights)

    def is_filtered(self) -> bool:
        return bool(self.include_tags or self.exclude_tags or self.values or self.ranges or self.q)
