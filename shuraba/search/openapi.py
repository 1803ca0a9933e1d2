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
    "include": "tags every result has (`include_mode=all`) or one of them (`any`), by slug",
    "tag": "the same as `include` (the browse page's tag links use it)",
    "exclude": "tags no result has (`exclude_mode=any`) or not all of them (`all`), by slug",
}
SCALARS = {
    "include_mode": "how the included tags combine",
    "exclude_mode": "how the excluded tags combine",
    "sort": "result order",
    "min_relevance": "an included tag counts only at this relevance (0-100) or more",
    "page": "result page, from 1; past the last page is a 400",
    "per_page": "results per page",
}


def _query(name: str, schema: dict[str, Any], description: str, *, comma_list: bool = False) -> Parameter:
    parameter: Parameter = {"name": name, "in": "query", "required": False, "description": description}
    parameter["schema"] = schema
    if comma_list:
        parameter |= {"style": "form", "explode": False}
    return parameter


def _dimension(name: str, vocab: Vocabulary) -> Parameter:
    values = vocab.values[name]
    item: dict[str, Any] = (
        {"type": "string", "enum": [*values, *(f"!{v}" for v in values)]}
        if values
        else {"type": "string", "pattern": "^!?[A-Za-z]{2}$"}  # country: any two-letter ISO code
    )
    note = (
        " (a spoiler: filters silently, counted only for viewers who show spoilers)"
        if name in SPOILER_DIMENSIONS
        else ""
    )
    return _query(
        name,
        {"type": "array", "items": item},
        f"{name}: any of these values; `!value` excludes one{note}",
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
    result = [_query(name, tags, TAG_LISTS[name], comma_list=True) for name in LIST_PARAMS]
    result += [
        _query(name, {"type": "string", "enum": list(allowed), "default": allowed[0]}, SCALARS[name])
        for name, allowed in CHOICES.items()
    ]
    result += [
        _query(name, {"type": "integer", "minimum": low, "maximum": high, "default": default}, SCALARS[name])
        for name, (low, high, default) in NUMBERS.items()
    ]
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
