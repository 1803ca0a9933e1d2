"""The query parameters of `/api/v1/search` and `/api/v1/titles` as OpenAPI parameter objects, made from the
parser's own tables (`params.py`) and the current vocabulary, so the schema names what the parser takes.
(The views read the raw query string through `params.request_params`, so django-ninja sees none of them.)"""

from __future__ import annotations

import re
from typing import Any

from shuraba.search.params import CHOICES, LIST_PARAMS, MAX_Q_LENGTH, NUMBERS, RANGE_ALIASES
from shuraba.search.query import DIMENSIONS, MAX_TAGS, NUMERIC_FIELDS, RANGE_AXES, RANGES, SPOILER_DIMENSIONS
from shuraba.search.syntax import MAX_QUERY_LENGTH
from shuraba.search.vocab import Vocabulary

Parameter = dict[str, Any]

TAG_LISTS = {
    "include": "tags every result has (`include_mode=all`) or one of them (`any`), by slug; `slug>=60`: that "
    "tag at a relevance of at least 60 (its own threshold; `min_relevance` is the others')",
    "tag": "the same as `include` (the browse page's tag links use it)",
    "exclude": "tags no result has (`exclude_mode=any`) or not all of them (`all`), by slug",
}
SCALARS = {
    "include_mode": "how the included tags combine",
    "exclude_mode": "how the excluded tags combine",
    "sort": "result order",
    "min_relevance": "an included tag without its own threshold (`slug>=60`) counts only at this relevance "
    "(0-100) or more",
    "page": "result page, from 1; past the last page is a 400",
    "per_page": "results per page",
}


def _query(name: str, schema: dict[str, Any], description: str, *, comma_list: bool = False) -> Parameter:
    parameter: Parameter = {"name": name, "in": "query", "required": False, "description": description}
    parameter["schema"] = schema
    if comma_list:
        parameter |= {"style": "form", "explode": False}
    return parameter


RELEVANCE = "(?:>=(?:100|[0-9]{1,2}))"
NUMBER_0_1 = "(?:1(?:\\.0{1,3})?|0?\\.[0-9]{1,3}|0)"  # syntax.weight_parse's numbers
WEIGHT = f"(?:>={NUMBER_0_1})"


def _names(words: list[str] | tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"


def _dimension(name: str, vocab: Vocabulary) -> Parameter:
    values = vocab.values[name]
    item: dict[str, Any] = (
        {"type": "string", "enum": [*values, *(f"!{v}" for v in values)]}
        if values
        else {"type": "string", "pattern": "^!?[A-Za-z]{2}$"}  # country: any two-letter ISO code
    )
    if name == "subgenre":  # an included subgenre may carry its own weight threshold (revenge>=0.5)
        item = {"type": "string", "pattern": f"^(?:!{_names(values)}|{_names(values)}{WEIGHT}?)$"}
    note = (
        " (a spoiler: filters silently, counted only for viewers who show spoilers)"
        if name in SPOILER_DIMENSIONS
        else ""
    )
    return _query(
        name,
        {"type": "array", "items": item},
        f"{name}: any of these values; `!value` excludes one{note}"
        + (
            "; `value>=0.5`: that subgenre at a weight of at least 0.5 (`min_weight` is the others')"
            * (name == "subgenre")
        ),
        comma_list=True,
    )


def _bound(name: str, vocab: Vocabulary) -> str:
    if name in RANGE_AXES:
        return "(?:" + "|".join(re.escape(word) for word in vocab.ranks[name]) + "|[0-9])"
    return f"[0-9]{{1,{len(str(NUMERIC_FIELDS[name][1]))}}}"


def _range(name: str, vocab: Vocabulary) -> Parameter:
    b = _bound(name, vocab)
    low, high = {**RANGE_AXES, **NUMERIC_FIELDS}[name]
    return _query(
        name,
        {"type": "string", "pattern": f"^(?:(?:<=|>=|<|>){b}|{b}?\\.\\.{b}?|{b})$"},
        f"{name} from {low} to {high}: `a..b`, `a..`, `..b`, `>=a`, `<b`, or one value"
        + (f"; named ranks: {', '.join(vocab.ranks[name])}" if name in RANGE_AXES else ""),
    )


def _range_alias(alias: str, vocab: Vocabulary) -> Parameter:
    name, end = RANGE_ALIASES[alias]
    return _query(
        alias, {"type": "string", "pattern": f"^{_bound(name, vocab)}$"}, f"the {end}imum of `{name}`: one value"
    )


def search_parameters(vocab: Vocabulary) -> list[Parameter]:
    """Every parameter `params.query_from_params` reads, in the order of its tables."""
    tags = {"type": "array", "items": {"type": "string", "enum": sorted(vocab.tags)}, "maxItems": MAX_TAGS}
    thresholds = {"type": "string", "pattern": f"^{_names(sorted(vocab.tags))}{RELEVANCE}?$"}
    included = {**tags, "items": thresholds}
    result = [
        _query(name, tags if name == "exclude" else included, TAG_LISTS[name], comma_list=True) for name in LIST_PARAMS
    ]
    result += [
        _query(name, {"type": "string", "enum": list(allowed), "default": allowed[0]}, SCALARS[name])
        for name, allowed in CHOICES.items()
    ]
    result += [
        _query(name, {"type": "integer", "minimum": low, "maximum": high, "default": default}, SCALARS[name])
        for name, (low, high, default) in NUMBERS.items()
    ]
    result.append(
        _query(
            "min_weight",
            {"type": "string", "pattern": f"^{NUMBER_0_1}$", "default": "0"},
            "an included subgenre without its own threshold (`revenge>=0.5`) counts only at this weight (0-1) or "
            "more; 0.5 asks for a primary subgenre",
        )
    )
    result.append(_query("q", {"type": "string", "maxLength": MAX_Q_LENGTH}, "text in any alternative title"))
    result.append(
        _query(
            "query",
            {"type": "string", "maxLength": MAX_QUERY_LENGTH},
            "the one-line text syntax (`revenge -infidelity ending:!tragedy`); combines with the other parameters",
        )
    )
    result += [_dimension(name, vocab) for name in DIMENSIONS]
    result += [_range(name, vocab) for name in RANGES]
    result += [_range_alias(alias, vocab) for alias in RANGE_ALIASES]
    return result
