"""Issue 10's bar in process: the query mix (queries.py), the disjunctive facet queries (facets_bench.MIX) and
typo, compound and punctuation texts (text_bench), each through `engine_search` with facets, cold (no answer
remembered: SHURABA_SEARCH_CACHE_RESULTS=0), against the engine before the speed work
(previous_engine.py) on the same index in the same run: per case and round the two run back to back, the
first one alternating. `--profile` then runs the current engine's rounds again under cProfile and prints
the top entries by own time.

    .venv/bin/python benchmarks/mix_bench.py --scale synthetic-200k --rounds 5 [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import time
from typing import Any

from common import SEED, django_setup, ms, p50_p95, results_write, status_append, table


def _cases() -> list[tuple[str, str, Any, Any]]:
    """(shape, label, query, visibility) for every case."""
    from facets_bench import MIX  # noqa: PLC0415 (after django.setup)
    from queries import VIEWERS, cases_build  # noqa: PLC0415 (after django.setup)
    from text_bench import _cases as text_cases  # noqa: PLC0415 (after django.setup)

    from shuraba.search.params import query_from_params  # noqa: PLC0415 (after django.setup)
    from shuraba.search.query import SearchQuery  # noqa: PLC0415 (after django.setup)
    from shuraba.search.vocab import vocabulary  # noqa: PLC0415 (after django.setup)

    vocab = vocabulary()
    cases = [(c.shape, c.text, c.query, c.who) for c in cases_build()]
    for params in MIX[1:]:
        label = "&".join(f"{k}={v[0]}" for k, v in params.items())
        cases.append(("disjunctive", label, query_from_params(params, vocab), VIEWERS["anon"]))
    typed = [
        (shape, text) for shape, text in text_cases() if shape in ("text-typo", "text-compound", "text-punctuation")
    ]
    cases += [(shape, f"q:{text}", SearchQuery(q=text), VIEWERS["anon"]) for shape, text in typed]
    return cases


def _time(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _rounds(index: Any, cases: list[Any], rounds: int) -> dict[str, dict[str, list[float]]]:
    from previous_engine import previous_engine  # noqa: PLC0415 (after django.setup)

    from shuraba.search.engine import engine_search  # noqa: PLC0415 (after django.setup)

    samples: dict[str, dict[str, list[float]]] = {}
    rng = random.Random(SEED)  # noqa: S311 (a seeded shuffle, nothing secret)
    flip = False
    for _ in range(rounds):
        order = cases[:]
        rng.shuffle(order)
        for shape, label, query, who in order:
            seen = samples.setdefault(f"{shape}|{label}", {"new": [], "previous": []})
            new = lambda q=query, w=who: engine_search(index, q, w)  # noqa: E731 (timed as one call)
            flip = not flip
            if flip:
                seen["new"].append(_time(new))
            with previous_engine():
                seen["previous"].append(_time(new))
            if not flip:
                seen["new"].append(_time(new))
    return samples


def _profile(index: Any, cases: list[Any], rounds: int) -> str:
    from shuraba.search.engine import engine_search  # noqa: PLC0415 (after django.setup)

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for _, _, query, who in cases:
            engine_search(index, query, who)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(18)  # no machine paths
    return out.getvalue()


def run(scale: str, rounds: int, *, profile: bool) -> dict[str, Any]:
    from previous_engine import previous_prepare  # noqa: PLC0415 (after django.setup)

    from shuraba.search.build import index_build  # noqa: PLC0415 (after django.setup)
    from shuraba.search.engine import engine_search  # noqa: PLC0415 (after django.setup)

    index = index_build()
    previous_prepare(index)
    cases = _cases()
    for _, _, query, who in cases:  # warm-up: per-viewer and per-threshold derived data, both engines
        engine_search(index, query, who)
    samples = _rounds(index, cases, rounds)
    rows, by_shape = [], {}
    for name, seen in sorted(samples.items()):
        shape, label = name.split("|", 1)
        new, old = statistics.median(seen["new"]), statistics.median(seen["previous"])
        rows.append([shape, label[:60], ms(new), ms(p50_p95(seen["new"])[1]), ms(old), round(old / new, 2)])
        for arm in ("new", "previous"):
            by_shape.setdefault(shape, {"new": [], "previous": []})[arm] += seen[arm]
    every = {arm: [s for seen in samples.values() for s in seen[arm]] for arm in ("new", "previous")}
    ratios = [statistics.median(s["previous"]) / statistics.median(s["new"]) for s in samples.values()]
    result = {
        "scale": scale,
        "rounds": rounds,
        "cases": rows,
        "new_p50_p95_ms": [ms(v) for v in p50_p95(every["new"])],
        "previous_p50_p95_ms": [ms(v) for v in p50_p95(every["previous"])],
        "median_ratio_previous_over_new": round(statistics.median(ratios), 2),
        "shapes": {
            shape: {arm: [ms(v) for v in p50_p95(arms[arm])] for arm in arms}
            for shape, arms in sorted(by_shape.items())
        },
    }
    print(table(("shape", "case", "new p50 ms", "new p95 ms", "previous p50 ms", "previous / new"), rows))
    summary = (
        f"mix {scale}: {len(cases)} cases x {rounds}; new p50/p95 {result['new_p50_p95_ms']} ms, previous "
        f"{result['previous_p50_p95_ms']} ms; median ratio previous/new {result['median_ratio_previous_over_new']}; "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print(summary)
    status_append(summary)
    if profile:
        result["profile"] = _profile(index, cases, rounds)
        print(result["profile"])
    results_write(f"mix-{scale}", result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="synthetic-200k")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="then profile the current engine's rounds")
    args = parser.parse_args()
    os.environ["SHURABA_SEARCH_CACHE_RESULTS"] = "0"
    django_setup(args.scale)
    run(args.scale, args.rounds, profile=args.profile)


if __name__ == "__main__":
    main()
