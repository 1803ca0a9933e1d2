"""The one-line query syntax for power users, parsed into the same SearchQuery as the form and the API.

    revenge -cheating ending:!tragedy intensity:<=3 year:2015.. "childhood friend" q:"rain"

* a bare word or "quoted words" names a tag (by slug or name) or a value of a word dimension
  (vocab.WORD_DIMENSIONS: `netorare`, its alias `ntr`, `webtoon`) and includes it; `-word` excludes it.
  A tag wins over a value (what such a word always meant); a word naming two values and every word
  that names nothing are title text (`spice and wolf`). Each bare word's reading is kept (`Reading`).
* `dimension:value,value,!value` includes any of the values and excludes the `!` ones
* `range:low..high`, `range:low..`, `range:..high`, `range:<=n`, `range:>=n`, `range:<n`, `range:>n`,
  `range:n` for centrality, intensity (numbers or value names), year, score and popularity
* `tag>=60` includes a tag at a relevance of at least 60 (its own threshold; `min_relevance:` is the default
  of the others); `subgenre:revenge>=0.5` includes a subgenre at a weight of at least 0.5 (`min_weight:`
  is the default of the others)
* `tag:slug` is the bare word `slug` (a tag, with its threshold if any); `q:"words"` (or `title:`) searches
  every alternative title; `sort:score`; `include_mode:any`;
  `exclude_mode:all`; `min_relevance:60`; `min_weight:0.5`

Errors name the offending token and its position (0-based character offset).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.text import slugify
from rapidfuzz import fuzz, process

from shuraba.core.errors import BadQuery
from shuraba.search.query import (
    DIGITS,
    DIMENSIONS,
    MAX_TAGS,
    NUMERIC_FIELDS,
    RANGE_AXES,
    RANGES,
    SORTS,
    Range,
    SearchQuery,
    ValueFilter,
    weight_text,
)
from shuraba.search.vocab import WORD_DIMENSIONS, Name, Vocabulary, word_fold

# One word of the syntax: an optional `-`, an optional `key:`, and a bare or quoted value (avoid rules read
# the same words: accounts/rules.py).
TOKEN = re.compile(r'\s*(-?)(?:([a-z_\-]+):)?("(?:[^"\\]|\\.)*"|\S+)')
ALIASES = {"rating": "content_rating", "content-rating": "content_rating", "title": "q", "tag": "tags"}
MAX_QUERY_LENGTH = 2000
HINT_SCORE = 80  # how close (rapidfuzz ratio) a title-text word must be to a name to be offered as "did you mean"


class QuerySyntaxError(BadQuery):
    def __init__(self, message: str, *, token: str, position: int) -> None:
        super().__init__("query", f"at position {position} ({token[:60]!r}): {message}")
        self.token = token
        self.position = position


@dataclass(frozen=True)
class Reading:
    """How one bare word of a query was read, with its place in the text (start, end: the whole token)."""

    word: str
    start: int
    end: int
    name: Name | None  # None: title text
    also: tuple[Name, ...] = ()  # other names of the word: beside the tag that won, or the values that tied
    hint: Name | None = None  # title text close to a name: "did you mean"


@dataclass
class _Builder:
    include: list[str] = field(default_factory=list)
    tag_minimums: dict[str, int] = field(default_factory=dict)
    weight_minimums: dict[str, float] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    values: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)
    ranges: dict[str, Range] = field(default_factory=dict)
    options: dict[str, object] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)


def unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return re.sub(r"\\(.)", r"\1", raw[1:-1])
    return raw


def range_parse(axis: str, text: str, vocab: Vocabulary, *, param: str) -> Range:
    """`2015..2020`, `2015..`, `..2020`, `<=3`, `>=3`, `<3`, `>3`, `3`, `major..core`, `core`."""

    low_limit, high_limit = {**RANGE_AXES, **NUMERIC_FIELDS}[axis]

    def number(word: str) -> int:
        if axis in RANGE_AXES:
            value = vocab.rank(axis, word, param=param)
        elif DIGITS.fullmatch(word):
            value = int(word)
        else:
            raise BadQuery(param, f"{axis} bound must be a whole number, got {word[:40]!r}")
        if not low_limit <= value <= high_limit:
            raise BadQuery(param, f"{axis} bounds lie between {low_limit} and {high_limit}, got {value}")
        return value

    text = text.strip()
    for op in ("<=", ">=", "<", ">"):
        if text.startswith(op):
            bound = number(text[len(op) :])
            return {
                "<=": Range(None, bound),
                ">=": Range(bound, None),
                "<": Range(None, bound - 1),
                ">": Range(bound + 1, None),
            }[op]
    if ".." in text:
        low, _, high = text.partition("..")
        result = Range(number(low) if low else None, number(high) if high else None)
    elif text:
        value = number(text)
        result = Range(value, value)
    else:
        raise BadQuery(param, f"{axis} needs a value such as 2..4, ..3 or >=2")
    if not result:
        raise BadQuery(param, f"{axis} needs at least one bound")
    return result


THRESHOLD = re.compile(r"(?P<name>.*?)>=(?P<minimum>.*)")
WEIGHT = re.compile(r"(?:0|1)?(?:\.[0-9]{1,3})?")  # 0 to 1 in at most three decimals (checked below)


def threshold_split(word: str) -> tuple[str, str | None]:
    """`love-triangle>=60` -> ("love-triangle", "60"); a word without `>=` -> (word, None)."""
    found = THRESHOLD.fullmatch(word)
    return (word, None) if found is None else (found["name"], found["minimum"])


def relevance_parse(raw: str, *, param: str) -> int:
    if not DIGITS.fullmatch(raw) or int(raw) > 100:
        raise BadQuery(param, f"a tag's relevance threshold must be a whole number from 0 to 100, got {raw[:40]!r}")
    return int(raw)


def weight_parse(raw: str, *, param: str) -> float:
    if not raw or raw == "." or not WEIGHT.fullmatch(raw) or float(raw) > 1:
        raise BadQuery(param, f"a subgenre's weight threshold must be a number from 0 to 1 (0.5), got {raw[:40]!r}")
    return float(raw)


def _tag(word: str, vocab: Vocabulary, *, token: str, position: int) -> str:
    slug = slugify(word)
    if slug not in vocab.tags:
        raise QuerySyntaxError(
            f"unknown tag {word[:60]!r}{vocab.closest(slug, vocab.tags)}", token=token, position=position
        )
    return slug


def _hint(word: str, vocab: Vocabulary) -> Name | None:
    if len(word) < 4:
        return None
    found = process.extractOne(word_fold(word), list(vocab.names), scorer=fuzz.ratio, score_cutoff=HINT_SCORE)
    names = [n for n in vocab.names[found[0]] if n.dimension in ("tags", *WORD_DIMENSIONS)] if found else []
    return names[0] if names else None


def _bare(word: str, vocab: Vocabulary, *, start: int, end: int) -> Reading:
    """A tag by its slug first (a bare word always named a tag), else the one word-dimension value it names."""
    values = tuple(n for n in vocab.named(word) if n.dimension in WORD_DIMENSIONS)
    slug = slugify(word)
    if slug in vocab.tags:
        tag = next((n for n in vocab.named(slug) if n.dimension == "tags"), Name("tags", slug, slug))
        return Reading(word, start, end, tag, values)
    if len(values) == 1:
        return Reading(word, start, end, values[0])
    return Reading(word, start, end, None, values, None if values else _hint(word, vocab))


def _bare_token(match: re.Match[str], word: str, vocab: Vocabulary, builder: _Builder, *, position: int) -> None:
    negate, token = bool(match.group(1)), match.group(0).strip()
    reading = _bare(word, vocab, start=match.start(1), end=match.end())
    name = reading.name
    if name is None and negate:
        choices = tuple(vocab.names)
        raise QuerySyntaxError(
            f"unknown tag or value {word[:60]!r} to exclude{vocab.closest(word_fold(word), choices)}",
            token=token,
            position=position,
        )
    if name is None:
        builder.words.append(word)
    elif name.dimension == "tags":
        (builder.exclude if negate else builder.include).append(name.key)
    else:
        include, exclude = builder.values.setdefault(name.dimension, (set(), set()))
        (exclude if negate else include).add(name.key)
    builder.readings.append(reading)


def _values(dimension: str, raw: str, vocab: Vocabulary, builder: _Builder, *, token: str, position: int) -> None:
    include, exclude = builder.values.setdefault(dimension, (set(), set()))
    for part in raw.split(","):
        negate = part.startswith("!")
        word, minimum = threshold_split(part[1:] if negate else part)
        if not word:
            raise QuerySyntaxError(f"empty value in {dimension}", token=token, position=position)
        try:
            key = vocab.value(dimension, word, param="query")
            if minimum is not None:
                weight = value_threshold(dimension, minimum, negate=negate, param="query")
                builder.weight_minimums[key] = max(weight, builder.weight_minimums.get(key, 0.0))
        except BadQuery as exc:
            raise QuerySyntaxError(exc.message, token=token, position=position) from exc
        (exclude if negate else include).add(key)


def value_threshold(dimension: str, raw: str, *, negate: bool, param: str) -> float:
    """A value's own threshold: subgenres' weights only, and only on an include (an exclusion removes a
    title that has the value at any weight)."""
    if dimension != "subgenre":
        raise BadQuery(param, f"a threshold (>=) applies to subgenre values only, not to {dimension}")
    if negate:
        raise BadQuery(param, "a threshold (>=) applies to included subgenres only; an exclusion takes any weight")
    return weight_parse(raw, param=param)


def _option(key: str, raw: str, builder: _Builder, *, token: str, position: int) -> None:
    allowed: dict[str, tuple[str, ...]] = {
        "sort": SORTS,
        "include_mode": ("all", "any"),
        "exclude_mode": ("any", "all"),
    }
    if key in allowed:
        if raw not in allowed[key]:
            raise QuerySyntaxError(f"{key} must be one of {', '.join(allowed[key])}", token=token, position=position)
        builder.options[key] = raw
    elif key == "min_relevance":
        if not DIGITS.fullmatch(raw) or int(raw) > 100:
            raise QuerySyntaxError("min_relevance must be a whole number from 0 to 100", token=token, position=position)
        builder.options[key] = int(raw)
    elif key == "min_weight":
        try:
            builder.options[key] = weight_parse(raw, param="query")
        except BadQuery as exc:
            raise QuerySyntaxError(f"min_weight: {exc.message}", token=token, position=position) from exc
    else:
        known = ", ".join(
            (*DIMENSIONS, *RANGES, "q", "sort", "include_mode", "exclude_mode", "min_relevance", "min_weight")
        )
        raise QuerySyntaxError(f"unknown key {key!r}; known keys are {known}", token=token, position=position)


def _tag_word(
    value: str, raw: str, negate: bool, vocab: Vocabulary, builder: _Builder, *, token: str, position: int
) -> None:
    """A bare word: a tag to include or (with `-`) exclude; `slug>=60` sets an included tag's own threshold
    (a quoted name takes none: quotes hold names with spaces, a slug needs none)."""
    word, minimum = (value, None) if raw.startswith('"') else threshold_split(value)
    slug = _tag(word, vocab, token=token, position=position)
    if minimum is None:
        (builder.exclude if negate else builder.include).append(slug)
        return
    if negate:
        raise QuerySyntaxError("a threshold (>=) applies to included tags only", token=token, position=position)
    try:
        relevance = relevance_parse(minimum, param="query")
    except BadQuery as exc:
        raise QuerySyntaxError(exc.message, token=token, position=position) from exc
    builder.include.append(slug)
    builder.tag_minimums[slug] = max(relevance, builder.tag_minimums.get(slug, 0))


def _token(match: re.Match[str], vocab: Vocabulary, builder: _Builder) -> None:
    negate, key, raw_value = match.group(1), match.group(2), match.group(3)
    token, position = match.group(0).strip(), match.start(1) if negate else match.start(2 if key else 3)
    value = unquote(raw_value)
    if key is None:
        if not raw_value.startswith('"') and threshold_split(value)[1] is not None:
            _tag_word(value, raw_value, bool(negate), vocab, builder, token=token, position=position)
        else:
            _bare_token(match, value, vocab, builder, position=position)
        return
    key = ALIASES.get(key.replace("-", "_"), key.replace("-", "_"))
    if negate:
        raise QuerySyntaxError("use key:!value to exclude a value", token=token, position=position)
    if key == "q":
        builder.words.append(value)
    elif key == "tags":  # `tag:drama>=60` is the bare word `drama>=60`
        _tag_word(value, raw_value, bool(negate), vocab, builder, token=token, position=position)
    elif key in DIMENSIONS:
        _values(key, value, vocab, builder, token=token, position=position)
    elif key in RANGES:
        try:
            builder.ranges[key] = range_parse(key, value, vocab, param="query")
        except BadQuery as exc:
            raise QuerySyntaxError(exc.message, token=token, position=position) from exc
    else:
        _option(key, value, builder, token=token, position=position)


def query_parse(text: str, vocab: Vocabulary) -> SearchQuery:
    """Parse the text syntax; raise QuerySyntaxError naming the first bad token."""
    return query_read(text, vocab)[0]


def query_read(text: str, vocab: Vocabulary) -> tuple[SearchQuery, tuple[Reading, ...]]:
    """The query and how each of its bare words was read (the search box shows it)."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"a query is at most {MAX_QUERY_LENGTH} characters", token=text[:20], position=0)
    builder, position = _Builder(), 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QuerySyntaxError("cannot read this", token=text[position : position + 20], position=position)
        if match.group(3).startswith('"') and (len(match.group(3)) < 2 or not match.group(3).endswith('"')):
            raise QuerySyntaxError("unclosed quote", token=match.group(3), position=match.start(3))
        _token(match, vocab, builder)
        position = match.end()
    if len(builder.include) + len(builder.exclude) > MAX_TAGS:
        raise QuerySyntaxError(f"at most {MAX_TAGS} tags", token=text[:20], position=0)
    query = SearchQuery.build(
        include_tags=tuple(dict.fromkeys(builder.include)),
        exclude_tags=tuple(dict.fromkeys(builder.exclude)),
        tag_minimums=builder.tag_minimums,
        weight_minimums=builder.weight_minimums,
        values={k: ValueFilter(frozenset(i), frozenset(e)) for k, (i, e) in builder.values.items()},
        ranges=builder.ranges,
        q=" ".join(" ".join(builder.words).split()),
        **builder.options,
    )
    return query, tuple(builder.readings)


def reading_replaced(text: str, reading: Reading, words: str) -> str:
    """The text with the reading's token written as `words` (the box's "instead" links)."""
    return f"{text[: reading.start]}{words}{text[reading.end :]}"


def title_words(word: str) -> str:
    """The syntax that searches titles for the word, whatever it names."""
    return f"q:{_quote(word)}"


def _quote(text: str) -> str:
    if text and re.fullmatch(r"[^\s\"\\]+", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _range_text(r: Range) -> str:
    if r.low is not None and r.low == r.high:
        return str(r.low)
    return f"{'' if r.low is None else r.low}..{'' if r.high is None else r.high}"


def tag_words(query: SearchQuery) -> list[str]:
    """The included tags as the text syntax and the `include` parameter write them (`slug>=60`)."""
    own = dict(query.tag_minimums)
    return [f"{slug}>={own[slug]}" if slug in own else slug for slug in query.include_tags]


def value_words(query: SearchQuery, dimension: str) -> list[str]:
    """A dimension's values as the text syntax and its parameter write them (`revenge>=0.5`, `!tragedy`)."""
    f, own = query.value(dimension), dict(query.weight_minimums) if dimension == "subgenre" else {}
    words = [f"{k}>={weight_text(own[k])}" if k in own else k for k in sorted(f.include)]
    return words + [f"!{v}" for v in sorted(f.exclude)]


def query_text(query: SearchQuery) -> str:
    """The canonical one-line form of a query: query_parse(query_text(q)) == q (page aside)."""
    parts = tag_words(query) + [f"-{t}" for t in query.exclude_tags]
    if query.include_mode != "all":
        parts.append(f"include_mode:{query.include_mode}")
    if query.exclude_mode != "any":
        parts.append(f"exclude_mode:{query.exclude_mode}")
    if query.min_relevance:
        parts.append(f"min_relevance:{query.min_relevance}")
    if query.min_weight:
        parts.append(f"min_weight:{weight_text(query.min_weight)}")
    for dimension, _ in query.values:
        parts.append(f"{dimension}:{','.join(value_words(query, dimension))}")
    parts += [f"{name}:{_range_text(r)}" for name, r in query.ranges]
    if query.q:
        parts.append(f"q:{_quote(query.q)}")
    if query.sort != "relevance":
        parts.append(f"sort:{query.sort}")
    return " ".join(parts)


__all__ = [
    "NUMERIC_FIELDS",
    "TOKEN",
    "QuerySyntaxError",
    "Reading",
    "query_parse",
    "query_read",
    "query_text",
    "range_parse",
    "reading_replaced",
    "relevance_parse",
    "tag_words",
    "threshold_split",
    "title_words",
    "unquote",
    "value_threshold",
    "value_words",
    "weight_parse",
]
