"""In-process: index build time and memory, then the engine and the SQL reference on the same mix.

Both run in this process on the same database; the engine's timings include exact facet counts
(facets=True), like a page of the browse page or the API. Each engine query runs `rounds` times in a
shuffled order per round; the reference is slow, so it runs fewer rounds (and under a time limit).
"""

from __future__ import annotations

import gc
import math
import random
import resource
import statistics
import time
from dataclasses import dataclass, field, replace
from typing import Any

import psutil
from common import SEED, ms, p50_p95, results_write, status_append, table
from queries import LAST, Case, cases_build

MIB = 2**20


@dataclass
class Timing:
    case: Case
    engine: list[float] = field(default_factory=list)
    reference: list[float] = field(default_factory=list)
    total: int = 0
    agree: bool | None = None
    error: str = ""

    @property
    def engine_p50(self) -> float:
        return statistics.median(self.engine)

    @property
    def reference_p50(self) -> float | None:
        return statistics.median(self.reference) if self.reference else None

    @property
    def ratio(self) -> float | None:
        ref = self.reference_p50
        return ref / self.engine_p50 if ref is not None and self.engine_p50 > 0 else None


def index_build() -> tuple[Any, dict[str, float]]:
    """Build the index as a worker does on its first request; report time and resident memory."""
    from shuraba.search.build import index_build as build  # noqa: PLC0415 (after django.setup)

    process = psutil.Process()
    gc.collect()
    before = process.memory_info().rss
    started = time.perf_counter()
    index = build()
    seconds = time.perf_counter() - started
    gc.collect()
    after = process.memory_info().rss
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    return index, {
        "build_s": round(seconds, 3),
        "rss_delta_mib": round((after - before) / MIB, 1),
        "rss_after_mib": round(after / MIB, 1),
        "peak_rss_mib": round(peak / MIB, 1),
        "titles": index.size,
    }


def pages_resolve(cases: list[Case], index: Any) -> list[Case]:
    """`LAST` becomes the result's last page; a page past the end is clamped to it (the API says 400)."""
    from shuraba.search.engine import engine_search  # noqa: PLC0415 (after django.setup)

    resolved = []
    for case in cases:
        if case.query.page == 1:
            resolved.append(case)
            continue
        total = engine_search(index, replace(case.query, page=1), case.who, facets=False).total
        last = max(1, math.ceil(total / case.query.per_page))
        page = last if case.query.page == LAST else min(case.query.page, last)
        resolved.append(replace(case, query=replace(case.query, page=page)))
    return resolved


FAILED: dict[str, str] = {}  # case name -> the engine's exception (an engine mid-edit)


def engine_time(index: Any, cases: list[Case], rounds: int) -> dict[str, Timing]:
    from shuraba.search.engine import engine_search  # noqa: PLC0415 (after django.setup)

    timings = {c.name: Timing(c) for c in cases}
    for case in cases:  # warm-up: the index's per-viewer and per-relevance caches, as after a few requests
        try:
            timings[case.name].total = engine_search(index, case.query, case.who, facets=True).total
        except Exception as exc:  # noqa: BLE001 (an engine being edited may fail a shape: report it, go on)
            FAILED[case.name] = f"{type(exc).__name__}: {str(exc)[:160]}"
            print(f"  ENGINE FAILED {case.name} {case.text!r}: {FAILED[case.name]}", flush=True)
            del timings[case.name]
    cases = [c for c in cases if c.name in timings]
    rng = random.Random(SEED)  # noqa: S311 (a reproducible order, not a secret)
    for _ in range(rounds):
        order = cases[:]
        rng.shuffle(order)
        for case in order:
            started = time.perf_counter()
            engine_search(index, case.query, case.who, facets=True)
            timings[case.name].engine.append(time.perf_counter() - started)
    return timings


def reference_time(index: Any, timings: dict[str, Timing], cases: list[Case], rounds: int, limit_s: float) -> None:
    """The SQL reference on the same cases; checks it agrees with the engine (ids, order, total, facets)."""
    from shuraba.search.engine import engine_search  # noqa: PLC0415 (after django.setup)
    from shuraba.search.reference import reference_search  # noqa: PLC0415 (after django.setup)

    for case in cases:
        if case.name not in timings:
            continue
        timing = timings[case.name]
        fast = engine_search(index, case.query, case.who, facets=True)
        for _ in range(rounds):
            started = time.perf_counter()
            try:
                with time_limit(limit_s):
                    slow = reference_search(case.query, case.who, facets=True)
            except Exception as exc:  # noqa: BLE001 (a failing or timed-out reference is reported, not fatal)
                timing.error = f"{type(exc).__name__}: {str(exc)[:160]}"
                break
            timing.reference.append(time.perf_counter() - started)
            timing.agree = (fast.pks, fast.total, fast.facets) == (slow.pks, slow.total, slow.facets)
        print(f"  reference {case.name}: {_ms_text(timing.reference_p50)} {timing.error}", flush=True)


class time_limit:  # noqa: N801 (used as a context manager, reads like contextlib's)
    """Abort a reference query that runs past the limit: SQLite's progress handler, PostgreSQL's
    statement_timeout. (Python-side work in the reference, its title-text scan, is not interrupted.)"""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __enter__(self) -> None:
        from django.db import connection  # noqa: PLC0415 (after django.setup)

        connection.ensure_connection()
        if connection.vendor == "sqlite":
            deadline = time.perf_counter() + self.seconds
            connection.connection.set_progress_handler(lambda: int(time.perf_counter() > deadline), 100_000)
        else:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = %s", [int(self.seconds * 1000)])

    def __exit__(self, *exc: object) -> None:
        from django.db import connection  # noqa: PLC0415 (after django.setup)

        if connection.vendor == "sqlite":
            connection.connection.set_progress_handler(None, 0)


def _ms_text(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.1f} ms"


def reference_cases(cases: list[Case], limit: int | None) -> list[Case]:
    """All cases, or at most `limit` of them spread over every shape (seeded)."""
    if limit is None or limit >= len(cases):
        return cases
    by_shape: dict[str, list[Case]] = {}
    for case in cases:
        by_shape.setdefault(case.shape, []).append(case)
    chosen = [group[0] for group in by_shape.values()]
    rest = [c for c in cases if c not in chosen]
    random.Random(SEED).shuffle(rest)  # noqa: S311 (reproducible, not a secret)
    return sorted((chosen + rest)[:limit], key=lambda c: c.name)


def shape_rows(timings: dict[str, Timing]) -> list[list[object]]:
    """Per query shape: samples pooled over its queries and rounds, slowest shape first."""
    shapes: dict[str, list[Timing]] = {}
    for timing in timings.values():
        shapes.setdefault(timing.case.shape, []).append(timing)
    rows = []
    for shape, group in shapes.items():
        p50, p95 = p50_p95([s for t in group for s in t.engine])
        reference = [s for t in group for s in t.reference]
        ratios = [t.ratio for t in group if t.ratio is not None]
        rows.append(
            [
                shape,
                len(group),
                round(statistics.median(t.total for t in group)),
                ms(p50),
                ms(p95),
                ms(statistics.median(reference)) if reference else float("nan"),
                round(statistics.median(ratios), 1) if ratios else float("nan"),
            ]
        )
    return sorted(rows, key=lambda row: -float(row[3]))  # type: ignore[arg-type]


SHAPE_HEADERS = ("shape", "queries", "median total", "engine p50 ms", "engine p95 ms", "reference p50 ms", "ratio")


def summary(timings: dict[str, Timing]) -> dict[str, Any]:
    engine = [s for t in timings.values() for s in t.engine]
    reference = [s for t in timings.values() for s in t.reference]
    ratios = [t.ratio for t in timings.values() if t.ratio is not None]
    measured = [t for t in timings.values() if t.reference]
    p50, p95 = p50_p95(engine)
    ref50, ref95 = p50_p95(reference)
    return {
        "queries": len(timings),
        "engine_p50_ms": ms(p50),
        "engine_p95_ms": ms(p95),
        "engine_max_ms": ms(max(engine)),
        "reference_queries": len(measured),
        "reference_p50_ms": ms(ref50),
        "reference_p95_ms": ms(ref95),
        "ratio_median": round(statistics.median(ratios), 1) if ratios else None,
        "ratio_min": round(min(ratios), 1) if ratios else None,
        "ratio_of_p50s": round(ref50 / p50, 1) if reference else None,
        "reference_errors": sum(1 for t in timings.values() if t.error),
        "agree": sum(1 for t in measured if t.agree),
        "disagree": [t.case.name for t in measured if t.agree is False],
        "engine_failed": dict(FAILED),
    }


def case_rows(timings: dict[str, Timing]) -> list[dict[str, Any]]:
    return [
        {
            "name": t.case.name,
            "shape": t.case.shape,
            "text": t.case.text,
            "viewer": t.case.viewer,
            "page": t.case.query.page,
            "per_page": t.case.query.per_page,
            "total": t.total,
            "engine_p50_ms": ms(t.engine_p50),
            "engine_p95_ms": ms(p50_p95(t.engine)[1]),
            "reference_ms": [ms(s) for s in t.reference],
            "ratio": round(t.ratio, 1) if t.ratio else None,
            "agree": t.agree,
            "error": t.error,
        }
        for t in timings.values()
    ]


SUMMARY_HEADERS = ("scale", "database", "queries", "engine p50 ms", "engine p95 ms", "reference p50 ms")
SUMMARY_HEADERS += ("reference p95 ms", "median ratio", "agree")
SUMMARY_KEYS = ("queries", "engine_p50_ms", "engine_p95_ms", "reference_p50_ms", "reference_p95_ms")


def run(
    *, scale: str, database: str, rounds: int, reference_rounds: int, reference_limit: int | None, limit_s: float
) -> dict[str, Any]:
    index, build = index_build()
    keys = ("titles", "build_s", "rss_delta_mib", "rss_after_mib", "peak_rss_mib")
    print(table(("titles", "build s", "RSS delta MiB", "RSS after MiB", "peak RSS MiB"), [[build[k] for k in keys]]))
    cases = pages_resolve(cases_build(), index)
    timings = engine_time(index, cases, rounds)
    if reference_rounds:
        reference_time(index, timings, reference_cases(cases, reference_limit), reference_rounds, limit_s)
    result = {"scale": scale, "database": database, "rounds": rounds, "reference_rounds": reference_rounds}
    result |= {"build": build, "summary": summary(timings)}
    shapes = shape_rows(timings)
    name = f"inprocess-{scale}" if database == "sqlite" else f"postgres-{scale}"
    path = results_write(
        name,
        {**result, "shapes": [dict(zip(SHAPE_HEADERS, r, strict=True)) for r in shapes], "cases": case_rows(timings)},
    )
    report_print(name, result, shapes)
    print(f"\nwritten {path}")
    return result


def report_print(name: str, result: dict[str, Any], shapes: list[list[object]]) -> None:
    s, build = result["summary"], result["build"]
    ratio = s["ratio_median"] or float("nan")
    line = [result["scale"], result["database"], *(s[k] for k in SUMMARY_KEYS), ratio]
    print()
    print(table(SUMMARY_HEADERS, [[*line, f"{s['agree']}/{s['reference_queries']}"]]))
    print()
    print(table(SHAPE_HEADERS, shapes))
    slowest = ", ".join(f"{r[0]} {r[3]}" for r in shapes[:6])
    failed = f"; ENGINE FAILED {', '.join(FAILED)}" if FAILED else ""
    status_append(
        f"{name}: {build['titles']:,} titles, build {build['build_s']} s, RSS +{build['rss_delta_mib']} MiB; "
        f"engine (facets) p50 {s['engine_p50_ms']} ms p95 {s['engine_p95_ms']} ms "
        f"over {s['queries']} queries x {result['rounds']}; "
        f"reference ({result['database']}) p50 {s['reference_p50_ms']} ms, median ratio {s['ratio_median']}x, "
        f"agree {s['agree']}/{s['reference_queries']}{failed}; slowest shapes (p50 ms): {slowest}"
    )
