"""Query parameters (browse page URLs and GET /api/v1/search) to and from a SearchQuery."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from shuraba.core.errors import BadQuery
from shuraba.search.query import (
    DEFAULT_PER_PAGE,
    DIGITS,
    DIMENSIONS,
    MAX_PER_PAGE,
    MAX_TAGS,
    RANGES,
    SORTS,
    Range,
    SearchQuery,
    ValueFilter,
    weight_text,
)
from shuraba.search.syntax import (
    query_parse,
    query_text,
    range_parse,
    relevance_parse,
    tag_words,
    threshold_split,
    value_threshold,
    value_words,
    weight_parse,
)
from shuraba.search.vocab import Vocabulary

if TYPE_CHECKING:
    from django.http import HttpRequest

Params = Mapping[str, Sequence[str]]


def request_params(request: HttpRequest) -> dict[str, list[str]]:
    """A request's query string as the parsers take it: every value of every key."""
    return {key: request.GET.getlist(key) for key in request.GET}


LIST_PARAMS = ("include", "tag", "exclude")
# The parameters with a fixed value set (the first is the default) and the whole-number ones (low, high,
# default): the parser reads them from here, and so does the OpenAPI schema (search/openapi.py).
CHOICES: dict[str, tuple[str, ...]] = {"include_mode": ("all", "any"), "exclude_mode": ("any", "all"), "sort": SORTS}
MAX_PAGE = 1_000_000
NUMBERS: dict[str, tuple[int, int, int]] = {
    "min_relevance": (0, 100, 0),
    "page": (1, MAX_PAGE, 1),
    "per_page": (1, MAX_PER_PAGE, DEFAULT_PER_PAGE),
}
SCALAR_PARAMS = (*CHOICES, *NUMBERS, "min_weight", "q", "query")
RANGE_ALIASES = {f"{name}_{end}": (name, end) for name in RANGES for end in ("min", "max")}
KNOWN = frozenset((*LIST_PARAMS, *SCALAR_PARAMS, *DIMENSIONS, *RANGES, *RANGE_ALIASES))
MAX_Q_LENGTH = 200


def _list(params: Params, name: str) -> list[str]:
    return [v.strip() for raw in params.get(name, []) for v in raw.split(",") if v.strip()]


def _scalar(params: Params, name: str) -> str:
    values = [v for v in params.get(name, []) if v.strip()]
    if len(set(values)) > 1:
        raise BadQuery(name, "given more than once with different values")
    return values[0].strip() if values else ""


def _int(params: Params, name: str) -> int:
    low, high, default = NUMBERS[name]
    raw = _scalar(params, name)
    if not raw:
        return default
    if not DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise BadQuery(name, f"must be a whole number from {low} to {high}, got {raw[:40]!r}")
    return int(raw)


def _choice(params: Params, name: str) -> str:
    allowed = CHOICES[name]
    raw = _scalar(params, name) or allowed[0]
    if raw not in allowed:
        raise BadQuery(name, f"must be one of {', '.join(allowed)}, got {raw[:40]!r}")
    return raw


def _weight(params: Params) -> float:
    raw = _scalar(params, "min_weight")
    return weight_parse(raw, param="min_weight") if raw else 0.0


def _values(params: Params, vocab: Vocabulary, weights: dict[str, float]) -> dict[str, ValueFilter]:
    """Each dimension's values; a subgenre's own weight threshold (`revenge>=0.5`) goes into `weights`."""
    result = {}
    for dimension in DIMENSIONS:
        include: set[str] = set()
        exclude: set[str] = set()
        for raw in _list(params, dimension):
            negate = raw.startswith("!")
            word, minimum = threshold_split(raw[1:] if negate else raw)
            key = vocab.value(dimension, word, param=dimension)
            if minimum is not None:
                weight = value_threshold(dimension, minimum, negate=negate, param=dimension)
                weights[key] = max(weight, weights.get(key, 0.0))
            (exclude if negate else include).add(key)
        if include or exclude:
            result[dimension] = ValueFilter(frozenset(include), frozenset(exclude))
    return result


def _ranges(params: Params, vocab: Vocabulary) -> dict[str, Range]:
    result: dict[str, Range] = {}
    for name in RANGES:
        words = _list(params, name)
        if len(words) > 1 and name in ("centrality", "intensity"):
            ranks = sorted(range_parse(name, word, vocab, param=name).low or 0 for word in words)
            if ranks != list(range(ranks[0], ranks[0] + len(ranks))):
                raise BadQuery(name, "several values must be neighbours (a range); use low..high")
            result[name] = Range(ranks[0], ranks[-1])
        elif words:
            result[name] = range_parse(name, words[0], vocab, param=name)
    for alias, (name, end) in RANGE_ALIASES.items():
        raw = _scalar(params, alias)
        if raw:
            parsed = range_parse(name, raw, vocab, param=alias)
            if parsed.low is None or parsed.low != parsed.high:
                raise BadQuery(alias, f"takes one value such as 3, got {raw[:40]!r}")
            bound = parsed.low
            current = result.get(name, Range())
            result[name] = replace(current, low=bound) if end == "min" else replace(current, high=bound)
    return result


def _included(params: Params, vocab: Vocabulary, name: str, minimums: dict[str, int]) -> list[str]:
    """The tags of `include` (or `tag`); `slug>=60` puts the tag's own threshold into `minimums` (the
    highest one given for a tag holds)."""
    slugs = []
    for raw in _list(params, name):
        word, minimum = threshold_split(raw)
        slug = vocab.tag(word, param=name)
        if minimum is not None:
            minimums[slug] = max(relevance_parse(minimum, param=name), minimums.get(slug, 0))
        slugs.append(slug)
    return slugs


def _tags(params: Params, vocab: Vocabulary, minimums: dict[str, int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    include = _included(params, vocab, "include", minimums) + _included(params, vocab, "tag", minimums)
    exclude = [vocab.tag(s, param="exclude") for s in _list(params, "exclude")]
    if len(include) + len(exclude) > MAX_TAGS:
        raise BadQuery("include", f"at most {MAX_TAGS} tags in one query, got {len(include) + len(exclude)}")
    return tuple(dict.fromkeys(include)), tuple(dict.fromkeys(exclude))


def query_from_params(params: Params, vocab: Vocabulary) -> SearchQuery:
    """Read a query from parameters; raise BadQuery naming the first bad one. `query` (the text syntax)
    and the separate parameters combine: both must hold. Remembered per vocabulary: a popular search
    is parsed once."""
    key = tuple((name, tuple(values)) for name, values in params.items())
    query = vocab.parsed.get(key)
    if not isinstance(query, SearchQuery):
        query = _query_from_params(params, vocab)
        vocab.remember(key, query)
    return query


def _query_from_params(params: Params, vocab: Vocabulary) -> SearchQuery:
    unknown = sorted(set(params) - KNOWN)
    if unknown:
        raise BadQuery(unknown[0][:40], f"unknown parameter; known parameters are {', '.join(sorted(KNOWN))}")
    tag_minimums: dict[str, int] = {}
    weight_minimums: dict[str, float] = {}
    include, exclude = _tags(params, vocab, tag_minimums)
    q = " ".join(_scalar(params, "q").split())
    if len(q) > MAX_Q_LENGTH:
        raise BadQuery("q", f"at most {MAX_Q_LENGTH} characters")
    from_params = SearchQuery.build(
        include_tags=include,
        include_mode=_choice(params, "include_mode"),
        exclude_tags=exclude,
        exclude_mode=_choice(params, "exclude_mode"),
        min_relevance=_int(params, "min_relevance"),
        tag_minimums=tag_minimums,
        min_weight=_weight(params),
        values=_values(params, vocab, weight_minimums),
        weight_minimums=weight_minimums,
        ranges=_ranges(params, vocab),
        q=q,
        sort=_choice(params, "sort"),
        page=_int(params, "page"),
        per_page=_int(params, "per_page"),
    )
    text = _scalar(params, "query")
    return query_merge(query_parse(text, vocab), from_params) if text else from_params


def _range_and(a: Range, b: Range) -> Range:
    lows = [x for x in (a.low, b.low) if x is not None]
    highs = [x for x in (a.high, b.high) if x is not None]
    return Range(max(lows) if lows else None, min(highs) if highs else None)


def _highest(*pairs: tuple[tuple[str, float], ...]) -> dict[str, float]:
    """Own thresholds from two sources: the highest for each name holds."""
    result: dict[str, float] = {}
    for name, minimum in (pair for group in pairs for pair in group):
        result[name] = max(minimum, result.get(name, minimum))
    return result


def query_merge(text: SearchQuery, params: SearchQuery) -> SearchQuery:
    """Both queries must hold. Options (modes, sort, paging) come from the parameters when set there."""
    values = dict(text.values)
    for dimension, f in params.values:
        old = values.get(dimension, ValueFilter())
        values[dimension] = ValueFilter(old.include | f.include, old.exclude | f.exclude)
    ranges = dict(text.ranges)
    for name, r in params.ranges:
        ranges[name] = _range_and(ranges.get(name, Range()), r)
    return SearchQuery.build(
        tag_minimums={k: int(v) for k, v in _highest(text.tag_minimums, params.tag_minimums).items()},
        weight_minimums=_highest(text.weight_minimums, params.weight_minimums),
        min_weight=max(text.min_weight, params.min_weight),
        include_tags=tuple(dict.fromkeys(text.include_tags + params.include_tags)),
        include_mode=params.include_mode if params.include_mode != "all" else text.include_mode,
        exclude_tags=tuple(dict.fromkeys(text.exclude_tags + params.exclude_tags)),
        exclude_mode=params.exclude_mode if params.exclude_mode != "any" else text.exclude_mode,
        min_relevance=max(text.min_relevance, params.min_relevance),
        values=values,
        ranges=ranges,
        q=" ".join(x for x in (text.q, params.q) if x),
        sort=params.sort if params.sort != "relevance" else text.sort,
        page=params.page,
        per_page=params.per_page,
    )


def query_params(query: SearchQuery, *, page: int | None = None) -> list[tuple[str, str]]:
    """The canonical URL parameters of a query (shareable: the URL holds the whole query)."""
    pairs: list[tuple[str, str]] = []
    if query.include_tags:
        pairs.append(("include", ",".join(tag_words(query))))
    if query.include_mode != "all":
        pairs.append(("include_mode", query.include_mode))
    if query.exclude_tags:
        pairs.append(("exclude", ",".join(query.exclude_tags)))
    if query.exclude_mode != "any":
        pairs.append(("exclude_mode", query.exclude_mode))
    if query.min_relevance:
        pairs.append(("min_relevance", str(query.min_relevance)))
    if query.min_weight:
        pairs.append(("min_weight", weight_text(query.min_weight)))
    for dimension, _ in query.values:
        pairs.append((dimension, ",".join(value_words(query, dimension))))
    for name, r in query.ranges:
        pairs.append((name, query_text(SearchQuery.build(ranges={name: r})).partition(":")[2]))
    if query.q:
        pairs.append(("q", query.q))
    if query.sort != "relevance":
        pairs.append(("sort", query.sort))
    if (page or query.page) != 1:
        pairs.append(("page", str(page or query.page)))
    if query.per_page != DEFAULT_PER_PAGE:
        pairs.append(("per_page", str(query.per_page)))
    return pairs
