"""The search box's autocomplete (issue 10): GET /api/v1/search/suggest over HTTP, as a reader types.

    python benchmarks/suggest_bench.py --scale synthetic-200k           # results remembered (production)
    python benchmarks/suggest_bench.py --scale synthetic-200k --cold    # SHURABA_SEARCH_CACHE_RESULTS=0
    python benchmarks/suggest_bench.py --scale synthetic-200k --in-process  # suggest.py against the engine

`shuraba serve` (gunicorn) on a free loopback port against the scale's database; one keep-alive connection
asks, one request after another, for every prefix of two characters or more of words a reader types: a
title's distinctive word and its number (drawn from the catalog with a fixed seed), a word every title holds
("synthetic", 200,000 matches at 200k), vocabulary words (netorare, ntr, revenge, childhood) and a word that
matches nothing. Each prefix is asked `--rounds` times in a shuffled order; with results remembered, the
first ask of a prefix is the cold one and the rest hit the worker's cache (as a second reader typing the
same). `GET /healthz` is measured the same way as the floor. After the warm-up the bench waits `--settle`
seconds: each worker's first ask starts building its one-word table in the background (`--in-process`
times that build), and the steady state is what is measured. Benchmarks report, never fail on a time.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from common import SEED, django_setup, ms, p50_p95, results_write, table

WORDS = ("synthetic", "netorare", "ntr", "revenge", "childhood", "zqxjv")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="synthetic-200k")
    parser.add_argument("--rounds", type=int, default=5, help="asks of each prefix")
    parser.add_argument("--titles", type=int, default=12, help="catalog titles whose words are typed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cold", action="store_true", help="no results remembered between requests")
    parser.add_argument(
        "--settle", type=float, default=20.0, help="seconds after the warm-up for the workers' word tables"
    )
    parser.add_argument(
        "--in-process", action="store_true", help="no server: the one-word path against the engine, in one run"
    )
    return parser.parse_args()


def typed_words(titles: int) -> list[str]:
    from shuraba.catalog.models import Title  # noqa: PLC0415 (after django.setup)

    rng = random.Random(SEED)  # noqa: S311 (a reproducible choice, not a secret)
    count = Title.objects.count()
    words = list(WORDS)
    for offset in sorted(rng.sample(range(count), min(titles, count))):
        name = Title.objects.order_by("pk").values_list("title", flat=True)[offset]
        words += name.split()[-2:]  # the number and the distinctive word of "Synthetic Title 000123 Kōri"
    return list(dict.fromkeys(words))


def prefixes(words: list[str]) -> list[str]:
    return [word[:n] for word in words for n in range(2, len(word) + 1)]


def measure(port: int, texts: list[str], rounds: int) -> tuple[list[float], list[float], list[float], int]:
    from bench_http import Client  # noqa: PLC0415 (it imports the catalog: after django.setup)

    client, rng = Client(port), random.Random(SEED)  # noqa: S311 (a reproducible order, not a secret)
    first, again, floor, failed = [], [], [], 0
    asks = [t for t in texts for _ in range(rounds)]
    rng.shuffle(asks)
    seen: set[str] = set()
    for text in asks:
        started = time.perf_counter()
        status, _ = client.get("/api/v1/search/suggest?" + urlencode({"q": text}))
        (again if text in seen else first).append(time.perf_counter() - started)
        seen.add(text)
        failed += status != 200
        started = time.perf_counter()
        client.get("/healthz")
        floor.append(time.perf_counter() - started)
    return first, again, floor, failed


def in_process(texts: list[str], rounds: int) -> list[list[Any]]:
    """Each prefix's titles (six, a visitor) from the one-word path (suggest.py) and from the engine's full
    text match (what every ask ran before), no result remembered, alternating in one run."""
    from shuraba.accounts.policies import Viewer, visibility_of  # noqa: PLC0415 (after django.setup)
    from shuraba.search.engine import engine_search  # noqa: PLC0415 (after django.setup)
    from shuraba.search.live import search_index  # noqa: PLC0415 (after django.setup)
    from shuraba.search.query import SearchQuery  # noqa: PLC0415 (after django.setup)
    from shuraba.search.suggest import suggest_slots, table_build  # noqa: PLC0415 (after django.setup)

    index, visibility = search_index(), visibility_of(Viewer())
    started = time.perf_counter()
    table_build(index)
    built = time.perf_counter() - started
    suggest_slots(index, "zz", visibility, limit=6)  # the visible mask made
    timings: dict[str, list[float]] = {"one-word path (suggest.py)": [], "engine text match (before)": []}
    answered = 0
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            answer = suggest_slots(index, text, visibility, limit=6)
            timings["one-word path (suggest.py)"].append(time.perf_counter() - started)
            answered += answer is not None
            started = time.perf_counter()
            engine_search(index, SearchQuery.build(q=text, per_page=6), visibility, facets=False)
            timings["engine text match (before)"].append(time.perf_counter() - started)
    rows = [[name, len(t), ms(p50_p95(t)[0]), ms(p50_p95(t)[1]), ms(max(t))] for name, t in timings.items()]
    rows.append(["table build (once per process)", 1, ms(built), ms(built), ms(built)])
    print(f"{answered} of {len(texts) * rounds} asks answered by the one-word path (the rest: the engine)")
    return rows


def main() -> None:
    args = _arguments()
    if args.in_process:
        os.environ["SHURABA_SEARCH_CACHE_RESULTS"] = "0"  # every ask a first ask; derived data kept
    scale_dir = django_setup(args.scale)
    if args.in_process:
        texts = prefixes(typed_words(args.titles))
        rows = in_process(texts, args.rounds)
        print(f"\n{args.scale}, {len(texts)} prefixes x {args.rounds}, in process\n")
        print(table(["path", "n", "p50 ms", "p95 ms", "max ms"], rows))
        results_write(f"suggest-{args.scale}-in-process", {"scale": args.scale, "prefixes": texts, "rows": rows})
        return
    from bench_http import free_port, server_start, server_stop, warm_up  # noqa: PLC0415 (after django.setup)

    texts = prefixes(typed_words(args.titles))
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"suggest-bench-{port}.log"
    server = server_start(scale_dir, port, args.workers, log, cold=args.cold)
    try:
        warm = warm_up(port, ["/api/v1/search/suggest?q=zz"] * (args.workers * 4), args.workers)
        time.sleep(args.settle)  # each worker's first ask starts its word table (suggest.py) in the background
        first, again, floor, failed = measure(port, texts, args.rounds)
    finally:
        server_stop(server)
    rows: list[list[Any]] = []
    for name, samples in (("suggest, first ask of a prefix", first), ("suggest, asked again", again)):
        if samples:
            p50, p95 = p50_p95(samples)
            rows.append([name, len(samples), ms(p50), ms(p95), ms(max(samples))])
    p50, p95 = p50_p95(floor)
    rows.append(["/healthz (floor)", len(floor), ms(p50), ms(p95), ms(max(floor))])
    print(
        f"\n{args.scale}, {len(texts)} prefixes x {args.rounds}, cold={args.cold}, warm-up {warm:.0f} s, "
        f"{failed} failed\n"
    )
    print(table(["request", "n", "p50 ms", "p95 ms", "max ms"], rows))
    name = f"suggest-{args.scale}" + ("-cold" if args.cold else "")
    results_write(name, {"scale": args.scale, "cold": args.cold, "prefixes": texts, "rows": rows, "failed": failed})


if __name__ == "__main__":
    main()
