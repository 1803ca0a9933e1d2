"""The browse page's active filters as chips: each names one filter and links to the same search without it,
so a reader removes one filter with one click, with or without JavaScript (a chip is a plain link)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from shuraba.search.params import query_params
from shuraba.search.query import Range, SearchQuery, ValueFilter, weight_text

RANGE_LABELS = {"centrality": "Centrality", "intensity": "Intensity", "year": "Year", "score": "Score"}


@dataclass(frozen=True)
class Chip:
    label: str  # what the filter is, in words: "Subgenre: Revenge", "not Ending: Tragedy"
    url: str  # the same search without this filter, from its first page


def _url(query: SearchQuery) -> str:
    params = query_params(query, page=1)
    return "/browse/?" + urlencode(params) if params else "/browse/"


def _without_value(query: SearchQuery, dimension: str, key: str, *, excluded: bool) -> SearchQuery:
    f = query.value(dimension)
    kept = ValueFilter(f.include - {key}, f.exclude) if not excluded else ValueFilter(f.include, f.exclude - {key})
    values = {d: v for d, v in query.values if d != dimension}
    if kept:
        values[dimension] = kept
    weights = {k: w for k, w in query.weight_minimums if k != key or excluded}
    return SearchQuery.build(
        values=values,
        ranges=dict(query.ranges),
        tag_minimums=dict(query.tag_minimums),
        weight_minimums=weights,
        **_rest(query),
    )


def _rest(query: SearchQuery) -> dict[str, object]:
    fields = ("include_tags", "include_mode", "exclude_tags", "exclude_mode", "min_relevance", "min_weight", "q")
    return {name: getattr(query, name) for name in fields} | {"sort": query.sort, "per_page": query.per_page}


def _range_label(name: str, r: Range, ranks: Mapping[str, tuple[str, ...]]) -> str:
    words = ranks.get(name)
    first = 1 if name == "intensity" else 0

    def word(bound: int) -> str:
        return words[bound - first] if words and 0 <= bound - first < len(words) else str(bound)

    if r.low is not None and r.high is not None:
        return f"{RANGE_LABELS.get(name, name)}: {word(r.low)}" + ("" if r.low == r.high else f"-{word(r.high)}")
    if r.low is not None:
        return f"{RANGE_LABELS.get(name, name)}: from {word(r.low)}"
    return f"{RANGE_LABELS.get(name, name)}: up to {word(r.high or 0)}"


def _value_chips(query: SearchQuery, labels: Mapping[tuple[str, str], str], groups: Mapping[str, str]) -> list[Chip]:
    chips = []
    own = dict(query.weight_minimums)
    for dimension, f in query.values:
        group = groups.get(dimension, dimension)
        for key in sorted(f.include):
            weight = f" (weight ≥ {weight_text(own[key])})" if key in own else ""
            label = f"{group}: {labels.get((dimension, key), key)}{weight}"
            chips.append(Chip(label, _url(_without_value(query, dimension, key, excluded=False))))
        for key in sorted(f.exclude):
            label = f"not {group}: {labels.get((dimension, key), key)}"
            chips.append(Chip(label, _url(_without_value(query, dimension, key, excluded=True))))
    return chips


def _tag_chips(query: SearchQuery, names: Mapping[str, str]) -> list[Chip]:
    chips = []
    own = dict(query.tag_minimums)
    for slug in query.include_tags:
        threshold = f" (relevance ≥ {own[slug]})" if slug in own else ""
        kept = tuple(s for s in query.include_tags if s != slug)
        chips.append(Chip(f"Tag: {names.get(slug, slug)}{threshold}", _url(replace(query, include_tags=kept))))
    for slug in query.exclude_tags:
        kept = tuple(s for s in query.exclude_tags if s != slug)
        chips.append(Chip(f"not Tag: {names.get(slug, slug)}", _url(replace(query, exclude_tags=kept))))
    return chips


def _setting_chips(query: SearchQuery) -> list[Chip]:
    chips = []
    if query.include_tags and query.min_relevance:
        chips.append(Chip(f"Relevance ≥ {query.min_relevance}", _url(replace(query, min_relevance=0))))
    if query.min_weight and query.value("subgenre").include:
        chips.append(Chip(f"Weight ≥ {weight_text(query.min_weight)}", _url(replace(query, min_weight=0.0))))
    if query.q:
        chips.append(Chip(f"Title text: “{query.q}”", _url(replace(query, q=""))))
    return chips


def query_chips(
    query: SearchQuery,
    *,
    labels: Mapping[tuple[str, str], str],
    groups: Mapping[str, str],
    tag_names: Mapping[str, str],
    ranks: Mapping[str, tuple[str, ...]],
) -> list[Chip]:
    """One chip per active filter of `query`: values (`labels` by (dimension, key), `groups` by dimension),
    tags, ranges, the thresholds that apply and the title text."""
    chips = _value_chips(query, labels, groups) + _tag_chips(query, tag_names)
    for name, r in query.ranges:
        ranges = {n: v for n, v in query.ranges if n != name}
        rest = SearchQuery.build(
            values=dict(query.values),
            ranges=ranges,
            tag_minimums=dict(query.tag_minimums),
            weight_minimums=dict(query.weight_minimums),
            **_rest(query),
        )
        chips.append(Chip(_range_label(name, r, ranks), _url(rest)))
    return chips + _setting_chips(query)
