"""Print the search section's summary tables for RESULTS.md from benchmarks/results/*.json.

python benchmarks/report.py
"""

from __future__ import annotations

import json
from typing import Any

from common import RESULTS, table

SCALES = ("real", "synthetic-200k")
BIG = "synthetic-200k"


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _when(result: dict[str, Any]) -> str:
    load = result["machine"].get("load_average_1m_5m_15m")
    return result["machine"]["date"] + (f" (load {load[0]})" if load else "")


def inprocess() -> None:
    rows = []
    for scale in SCALES:
        r = _load(f"inprocess-{scale}")
        if r:
            b, s = r["build"], r["summary"]
            rows.append([scale, b["titles"], b["build_s"], b["rss_delta_mib"], s["engine_p50_ms"], s["engine_p95_ms"]])
            rows[-1] += [s["reference_p50_ms"], s["ratio_median"], f"{s['agree']}/{s['reference_queries']}", _when(r)]
    headers = ("scale", "titles", "build s", "RSS +MiB", "engine p50 ms", "engine p95 ms", "SQLite ref p50 ms")
    print(table((*headers, "ref/engine (median)", "agree", "measured"), rows))


def http() -> None:
    rows = []
    for scale, cold in ((scale, cold) for scale in SCALES for cold in (False, True)):
        r = _load(f"http-{scale}{'-cold' if cold else ''}")
        if r:
            rss = "/".join(str(x) for x in r["workers_rss_mib"])
            label = f"{scale}, {'cold (no results remembered)' if cold else 'results remembered'}"
            rows.append([label, r["queries"], r["http_p50_ms"], r["http_p95_ms"], r["search_rps_median"]])
            rows[-1] += [r["healthz_rps_median"], r["ratio_median"], rss, _when(r)]
    headers = ("scale", "queries", "HTTP p50 ms", "HTTP p95 ms", "search req/s", "healthz req/s", "ratio")
    print(table((*headers, "worker RSS MiB", "measured"), rows))


def tantivy() -> None:
    rows = []
    for scale in SCALES:
        r = _load(f"tantivy-{scale}")
        if r:
            rows.append([scale, r["queries"], r["engine_p50_ms"], r["tantivy_p50_ms"], r["ratio_median"]])
            rows[-1] += [r["engine_facets_p50_ms"], r["tantivy_facets_p50_ms"], r["ratio_facets_median"]]
            rows[-1] += [f"{r['totals_agree']}/{r['queries']}", f"{r['facets_agree']}/{r['queries']}", _when(r)]
    headers = ("scale", "queries", "engine p50 ms", "tantivy p50 ms", "tantivy/engine", "engine+facets p50 ms")
    headers += ("tantivy+aggs p50 ms", "tantivy/engine, facets", "totals agree", "facets agree", "measured")
    print(table(headers, rows))


def postgres() -> None:
    rows = []
    for scale in SCALES:
        r = _load(f"postgres-{scale}")
        if r:
            s = r["summary"]
            rows.append(
                [scale, r["build"]["build_s"], s["engine_p50_ms"], s["reference_p50_ms"], s["reference_p95_ms"]]
            )
            rows[-1] += [s["ratio_median"], s["ratio_min"], f"{s['agree']}/{s['reference_queries']}", _when(r)]
    headers = ("scale", "index build s", "engine p50 ms", "PostgreSQL ref p50 ms", "ref p95 ms", "ref/engine (median)")
    print(table((*headers, "ref/engine (min)", "agree", "measured"), rows))


def shapes(limit: int = 12) -> None:
    r, cold, warm = _load(f"inprocess-{BIG}"), _load(f"http-{BIG}-cold"), _load(f"http-{BIG}")
    if not r:
        return
    over_http = {row[0]: row[1] for row in cold["shapes"]} if cold else {}
    remembered = {row[0]: row[1] for row in warm["shapes"]} if warm else {}
    rows = [
        [
            s["shape"],
            s["queries"],
            s["median total"],
            s["engine p50 ms"],
            s["engine p95 ms"],
            over_http.get(s["shape"], "-"),
            remembered.get(s["shape"], "-"),
        ]
        for s in r["shapes"][:limit]
    ]
    headers = ("shape (200k)", "queries", "median total", "engine p50 ms", "engine p95 ms", "HTTP p50 ms cold")
    print(table((*headers, "HTTP p50 ms, results remembered"), rows))


def main() -> None:
    for title, part in (("In-process", inprocess), ("HTTP", http), ("tantivy", tantivy), ("PostgreSQL", postgres)):
        print(f"\n### {title}\n")
        part()
    print("\n### Slowest shapes at 200k\n")
    shapes()


if __name__ == "__main__":
    main()
