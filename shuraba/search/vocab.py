"""The names a query may use: tag slugs and the values of every dimension, with closest-name hints."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.text import slugify
from rapidfuzz import fuzz, process

from shuraba.catalog.length import LENGTH_CHAPTERS
from shuraba.catalog.models import ContentRating, Format, Status
from shuraba.core.changelog import changelog_newest_vocabulary
from shuraba.core.errors import BadQuery
from shuraba.search.query import PROFILE_DIMENSIONS, RANGE_AXES
from shuraba.taxonomy.models import AxisValue, Tag

MAX_PARSED = 2048  # parsed queries remembered per vocabulary
# The dimensions whose values a bare word of the search box names (syntax.py), besides tags. The others'
# words are everyday words that titles use (relationship "married", rival "friend", perspective "rival",
# ending "open"), so they need their key (`rival:friend`); the spoiler axes never filter from a bare word.
WORD_DIMENSIONS = ("subgenre", "consent", "depth", "format")


def word_fold(word: str) -> str:
    """How a bare word is compared with names: the slug, keeping non-Latin letters (寝取られ)."""
    return slugify(word, allow_unicode=True)


@dataclass(frozen=True)
class Name:
    """One thing a word can name: a tag (dimension "tags") or a value of a dimension."""

    dimension: str
    key: str
    label: str

    @property
    def syntax(self) -> str:
        return self.key if self.dimension == "tags" else f"{self.dimension}:{self.key}"

    @property
    def kind(self) -> str:
        return "tag" if self.dimension == "tags" else self.dimension.replace("_", " ")


@dataclass(frozen=True)
class Vocabulary:
    tags: frozenset[str]
    values: dict[str, tuple[str, ...]]  # dimension -> value keys (country: any ISO code, checked by shape)
    ranks: dict[str, dict[str, int]]  # range axis -> value key -> rank
    # Every tag and value by its folded key, label and aliases (word_fold): what a word of the box may name.
    names: dict[str, tuple[Name, ...]] = field(default_factory=dict, compare=False, repr=False)
    name_words: tuple[str, ...] = field(default=(), compare=False, repr=False)  # `names`' words, sorted
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

    def named(self, word: str) -> tuple[Name, ...]:
        return self.names.get(word_fold(word), ())

    def names_starting(self, word: str, *, limit: int) -> list[Name]:
        """Tags and values whose key, label or alias starts with the word (the autocomplete's terms)."""
        folded = word_fold(word)
        if not folded:
            return []
        words = self.name_words or tuple(sorted(self.names))
        found: dict[Name, None] = {}
        for name_word in words[bisect_left(words, folded) :]:
            if not name_word.startswith(folded) or len(found) >= limit:
                break
            found.update(dict.fromkeys(self.names[name_word]))
        return list(found)[:limit]

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


def _name(names: dict[str, list[Name]], name: Name, *words: str) -> None:
    for word in dict.fromkeys(word_fold(w) for w in words):
        if word and name not in names.setdefault(word, []):
            names[word].append(name)


@lru_cache(maxsize=4)
def vocabulary_at(version: tuple[int, str]) -> Vocabulary:
    """The vocabulary as of a vocabulary change (core.changelog.changelog_newest_vocabulary; the search index keeps the
    version it was built with, so a query is parsed with the names the index knows)."""
    values: dict[str, list[str]] = {d: [] for d in PROFILE_DIMENSIONS}
    ranks: dict[str, dict[str, int]] = {axis: {} for axis in RANGE_AXES}
    names: dict[str, list[Name]] = {}
    rows = AxisValue.objects.order_by("axis__order", "order").values_list(
        "axis__key", "key", "label", "rank", "aliases"
    )
    for axis, key, label, rank, aliases in rows:
        if axis in values:
            values[axis].append(key)
            _name(names, Name(axis, key, label), key, label, *aliases)
        if axis in ranks and rank is not None:
            ranks[axis][key] = rank
    for key, label in Format.choices:
        _name(names, Name("format", key, label), key, label)
    tags = dict(Tag.objects.values_list("slug", "name"))
    for slug, tag_name in tags.items():
        _name(names, Name("tags", slug, tag_name), slug, tag_name)
    return Vocabulary(
        tags=frozenset(tags),
        names={word: tuple(found) for word, found in names.items()},
        name_words=tuple(sorted(names)),
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
