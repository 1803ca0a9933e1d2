"""Issue 10, part 1: the disjunctive facet computation against the previous (conjunctive) one, in one process
on one index, and the whole search (facets included) on a query mix with "or" groups ticked. Cold: no result
is remembered between rounds (SHURABA_SEARCH_CACHE_RESULTS=0), so each disjunctive group's extra pass of the
filters is paid every time. The previous computation is kept here, not in the product.

    .venv/bin/python benchmarks/facets_bench.py --scale synthetic-200k --rounds 15
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from common import django_setup

MIX = (
    {},
    {"subgenre": ["revenge"]},
    {"subgenre": ["revenge,netorare"], "format": ["manga"]},
    {"subgenre": ["netorare>=0.5"], "ending": ["!tragedy"], "status": ["finished,releasing"]},
    {"include": ["drama,romance"], "include_mode": ["any"]},
    {"include": ["drama"], "min_relevance": ["60"]},
    {"include": ["romance>=60,drama"], "include_mode": ["any"], "subgenre": ["netori"], "country": ["JP,KR"]},
    {"min_weight": ["0.5"], "subgenre": ["revenge,netorase"], "content_rating": ["teen,mature"]},
)


def previous_facets(index: Any, result: Any, visibility: Any) -> dict[str, dict[str, int]]:
    """The facet counts before issue 10 (engine._facets at 20462d6): every value and tag over the result."""
    from shuraba.search.engine import tag_counts  # noqa: PLC0415 (after django.setup)
    from shuraba.search.query import SPOILER_DIMENSIONS  # noqa: PLC0415 (after django.setup)

    facets: dict[str, dict[str, int]] = {}
    for (dimension, key), bitmap in index.values.items():
        if not visibility.axis_counted(spoiler=dimension in SPOILER_DIMENSIONS):
            continue
        count = result.intersection_cardinality(bitmap)
        if count:
            facets.setdefault(dimension, {})[key] = count
    facets["tags"] = tag_counts(index, result, visibility)
    return facets


def _p(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="synthetic-200k")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    os.environ["SHURABA_SEARCH_CACHE_RESULTS"] = "0"
    django_setup(args.scale)
    from shuraba.accounts.policies import EVERYTHING  # noqa: PLC0415 (after django.setup)
    from shuraba.search.build import index_build  # noqa: PLC0415 (after django.setup)
    from shuraba.search.engine import _facets, _matches, engine_search  # noqa: PLC0415 (after django.setup)
    from shuraba.search.params import query_from_params  # noqa: PLC0415 (after django.setup)
    from shuraba.search.vocab import vocabulary_at  # noqa: PLC0415 (after django.setup)

    index = index_build()
    vocab = vocabulary_at(index.vocabulary_version)
    print(f"index: {index.size} titles\n")
    print("| query | total | search p50 / p95 ms | new facets p50 ms | previous facets p50 ms | ratio new/previous |")
    print("|---|---|---|---|---|---|")
    every_search, every_new, every_old = [], [], []
    for params in MIX:
        query = query_from_params(params, vocab)
        with index.lock:
            result = _matches(index, query, EVERYTHING)[0]
        search, new, old = [], [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            found = engine_search(index, query, EVERYTHING)
            search.append(time.perf_counter() - started)
            with index.lock:
                started = time.perf_counter()
                _facets(index, query, result, EVERYTHING)
                new.append(time.perf_counter() - started)
                started = time.perf_counter()
                previous_facets(index, result, EVERYTHING)
                old.append(time.perf_counter() - started)
        every_search += search
        every_new += new
        every_old += old
        s50, s95 = _p(search)
        n50, o50 = statistics.median(new), statistics.median(old)
        label = "&".join(f"{k}={v[0]}" for k, v in params.items()) or "(none)"
        print(
            f"| `{label}` | {found.total} | {s50 * 1e3:.2f} / {s95 * 1e3:.2f} | {n50 * 1e3:.2f} "
            f"| {o50 * 1e3:.2f} | {n50 / o50:.2f} |"
        )
    s50, s95 = _p(every_search)
    n50, n95 = _p(every_new)
    o50, o95 = _p(every_old)
    print(
        f"\nall: search p50 {s50 * 1e3:.2f} / p95 {s95 * 1e3:.2f} ms; facets new p50 {n50 * 1e3:.2f} "
        f"/ p95 {n95 * 1e3:.2f}, previous p50 {o50 * 1e3:.2f} / p95 {o95 * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
