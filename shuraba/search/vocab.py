"""The names a query may use: tag slugs and the values of every dimension, with closest-name hints."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from shuraba.catalog.length import LENGTH_CHAPTERS
from shuraba.catalog.models import ContentRating, Format, Status
from shuraba.core.changelog import changelog_newest_vocabulary
from shuraba.core.errors import BadQuery
from shuraba.search.query import PROFILE_DIMENSIONS, RANGE_AXES
from shuraba.taxonomy.models import AxisValue, Tag

MAX_PARSED = 2048  # parsed queries remembered per vocabulary


@dataclass(frozen=True)
class Vocabulary:
    tags: frozenset[str]
    values: dict[str, tuple[str, ...]]  # dimension -> value keys (country: any ISO code, checked by shape)
    ranks: dict[str, dict[str, int]]  # range axis -> value key -> rank
    # Queries already parsed against this vocabulary (params.query_from_params), by their parameters.
    parsed: dict[object, object] = field(default_factory=dict, compare=False, repr=False)

    def remember(self, key: object, query: object) -> None:
        if len(self.parsed) >= MAX_PARSED:
            self.parsed.clear()
        self.parsed[key] = query

    def closest(self, word: str, choices: tuple[str, ...] | frozenset[str]) -> str:
        found = process.extract(word, list(choices), scorer=fuzz.ratio, limit=3, score_cutoff=60)
        if not found:
            return ""
        return "; did you mean " + " or ".join(repr(name) for name, _, _ in found) + "?"

    def tag(self, slug: str, *, param: str) -> str:
        if slug not in self.tags:
            raise BadQuery(param, f"unknown tag {slug[:80]!r}{self.closest(slug, self.tags)}")
        return slug

    def value(self, dimension: str, key: str, *, param: str) -> str:
        if dimension == "country":
            if len(key) == 2 and key.isalpha():
                return key.upper()
            raise BadQuery(param, f"country must be a two-letter code such as JP or KR, got {key[:40]!r}")
        allowed = self.values[dimension]
        if key not in allowed:
            raise BadQuery(
                param, f"unknown {dimension} {key[:80]!r}{self.closest(key, allowed)}; values: {', '.join(allowed)}"
            )
        return key

    def rank(self, axis: str, word: str, *, param: str) -> int:
        names = self.ranks[axis]
        if word in names:
            return names[word]
        if re.fullmatch(r"-?[0-9]{1,9}", word):
            return int(word)
        raise BadQuery(
            param,
            f"unknown {axis} {word[:40]!r}{self.closest(word, tuple(names))}; "
            f"use a number or one of {', '.join(names)}",
        )


@lru_cache(maxsize=4)
def vocabulary_at(version: tuple[int, str]) -> Vocabulary:
    """The vocabulary as of a vocabulary change (core.changelog.changelog_newest_vocabulary; the search index keeps the
    version it was built with, so a query is parsed with the names the index knows)."""
    values: dict[str, list[str]] = {d: [] for d in PROFILE_DIMENSIONS}
    ranks: dict[str, dict[str, int]] = {axis: {} for axis in RANGE_AXES}
    for axis, key, rank in AxisValue.objects.order_by("axis__order", "order").values_list("axis__key", "key", "rank"):
        if axis in values:
            values[axis].append(key)
        if axis in ranks and rank is not None:
            ranks[axis][key] = rank
    return Vocabulary(
        tags=frozenset(Tag.objects.values_list("slug", flat=True)),
        values={
            **{k: tuple(v) for k, v in values.items()},
            "content_rating": tuple(ContentRating.values),
            "status": tuple(Status.values),
            "format": tuple(Format.values),
            "length": tuple(LENGTH_CHAPTERS),
            "country": (),
        },
        ranks=ranks,
    )


def vocabulary() -> Vocabulary:
    """The current vocabulary, cached per vocabulary change (one indexed read)."""
    return vocabulary_at(changelog_newest_vocabulary())
