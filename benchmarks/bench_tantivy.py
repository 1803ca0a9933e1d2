"""tantivy (Rust, through its Python binding) on the same titles and the queries it can express.

The tantivy index holds what the engine holds, read by the engine's own loader: names normalized
with the engine's text_normalize (tantivy matches whole words of them, the engine substrings), tags
and every dimension as raw keyword fast fields, numbers as integer fast fields. Both sides sort by
popularity here (the engine's relevance sort has no tantivy equivalent) and apply the anonymous
viewer's age gate. Two comparisons per query: the page and total only (engine facets=False against a
tantivy search), and with facet counts (engine facets=True against a search plus terms aggregations
over tags and every dimension). Totals and facet counts are checked against each other.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from typing import Any

import tantivy
from common import ms, p50_p95, results_write, status_append, table
from queries import Case, cases_build
from tantivy import FieldType, Occur, Order, Query

KEYWORDS = ("content_rating", "status", "format", "country", "length", "subgenre", "perspective", "relationship")
KEYWORDS += ("rival", "drift", "consent", "revelation", "ending", "depth", "centrality", "intensity")
KEYWORDS += ("tags", "open_tags")
NUMBERS = ("pk", "year", "score", "popularity", "centrality_rank", "intensity_rank")
RANK_FIELDS = {"centrality": "centrality_rank", "intensity": "intensity_rank"}
SPOILERS = ("revelation", "ending")


def schema_build() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("names", tokenizer_name="default")
    for name in KEYWORDS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    for name in NUMBERS:
        builder.add_integer_field(name, stored=name == "pk", indexed=True, fast=True)
    return builder.build()


def _document(row: Any) -> tantivy.Document:
    from shuraba.search.normalize import text_normalize  # noqa: PLC0415 (after django.setup)

    fields: dict[str, Any] = {
        "pk": row.pk,
        "names": sorted({text_normalize(n) for n in row.names if n}),
        "popularity": row.popularity,
        "tags": [slug for slug, *_ in row.tags],
        "open_tags": [slug for slug, _, spoiler, _ in row.tags if spoiler == "none"],
    }
    for dimension, key in row.values:
        fields.setdefault(dimension, []).append(key)
    for name in ("content_rating", "status", "format", "country", "length"):
        if getattr(row, name):
            fields[name] = getattr(row, name)
    numbers = {"year": row.start_date.year if row.start_date else None, "score": row.score}
    numbers |= {RANK_FIELDS[axis]: rank for axis, rank in row.ranks.items()}
    fields |= {name: value for name, value in numbers.items() if value is not None}
    return tantivy.Document(**fields)


def index_build() -> tuple[Any, float]:
    from shuraba.search.loader import rows_load  # noqa: PLC0415 (after django.setup)

    started = time.perf_counter()
    index = tantivy.Index(schema_build())
    writer = index.writer(heap_size=512_000_000, num_threads=1)
    for row in rows_load().values():
        writer.add_document(_document(row))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - started


def _terms(schema: Any, field: str, values: list[str] | frozenset[str]) -> list[Any]:
    return [Query.term_query(schema, field, v) for v in sorted(values)]


def _any(queries: list[Any]) -> Any:
    return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Should, q) for q in queries])


def _range(schema: Any, name: str, low: int | None, high: int | None) -> Any:
    if low is not None and high is not None and low > high:
        return Query.empty_query()
    return Query.range_query(schema, name, FieldType.Integer, low, high)


def query_build(schema: Any, case: Case) -> Any:
    """The case's query as a tantivy BooleanQuery."""
    q, parts = case.query, []
    if case.who.age_gated:
        parts += [(Occur.MustNot, t) for t in _terms(schema, "content_rating", ["explicit", "unknown"])]
    # As in the engine: a viewer who hides spoilers matches only a tag's non-spoiler assignments.
    tags = _terms(schema, "tags" if case.who.shows_every_spoiler else "open_tags", list(q.include_tags))
    if tags:
        parts += [(Occur.Must, t) for t in tags] if q.include_mode == "all" else [(Occur.Must, _any(tags))]
    excluded = _terms(schema, "tags", list(q.exclude_tags))
    if excluded and q.exclude_mode == "any":
        parts += [(Occur.MustNot, t) for t in excluded]
    elif excluded:
        parts.append((Occur.MustNot, Query.boolean_query([(Occur.Must, t) for t in excluded])))
    for dimension, f in q.values:
        if f.include:
            parts.append((Occur.Must, _any(_terms(schema, dimension, f.include))))
        parts += [(Occur.MustNot, t) for t in _terms(schema, dimension, f.exclude)]
    parts += [(Occur.Must, _range(schema, RANK_FIELDS.get(name, name), r.low, r.high)) for name, r in q.ranges]
    if q.q:
        parts.append((Occur.Must, _text(schema, q.q)))
    if not any(occur == Occur.Must for occur, _ in parts):
        parts.append((Occur.Must, Query.all_query()))
    return Query.boolean_query(parts)


def _text(schema: Any, text: str) -> Any:
    from shuraba.search.normalize import text_normalize  # noqa: PLC0415 (after django.setup)

    words = [w for w in "".join(c if c.isalnum() else " " for c in text_normalize(text)).split() if w]
    if not words:
        return Query.empty_query()
    return (
        Query.term_query(schema, "names", words[0]) if len(words) == 1 else Query.phrase_query(schema, "names", words)
    )


def aggregations(case: Case) -> dict[str, Any]:
    hidden = () if case.who.shows_every_spoiler else SPOILERS
    fields = [k for k in KEYWORDS if k not in ("tags", "open_tags", *hidden)]
    tag_field = "tags" if case.who.shows_every_spoiler else "open_tags"
    aggs = {name: {"terms": {"field": name, "size": 10_000}} for name in fields}
    return {**aggs, "tags": {"terms": {"field": tag_field, "size": 100_000}}}


def tantivy_facets(result: dict[str, Any]) -> dict[str, dict[str, int]]:
    facets = {}
    for name, agg in result.items():
        counts = {b["key"]: b["doc_count"] for b in agg["buckets"] if b["doc_count"]}
        if counts or name == "tags":
            facets[name] = counts
    return facets


def _timed(call: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


def compare(index: Any, engine_index: Any, case: Case, rounds: int) -> dict[str, Any]:
    """Timings of the four calls for one case, and whether totals and facet counts agree."""
    from shuraba.search.engine import engine_search  # noqa: PLC0415 (after django.setup)

    query = replace(case.query, sort="popularity")
    searcher, built = index.searcher(), query_build(index.schema, case)
    aggs = aggregations(case)
    offset = query.offset

    def search() -> Any:
        return searcher.search(
            built, limit=query.per_page, offset=offset, order_by_field="popularity", order=Order.Desc
        )

    calls = {
        "engine": lambda: engine_search(engine_index, query, case.who, facets=False),
        "tantivy": search,
        "engine_facets": lambda: engine_search(engine_index, query, case.who, facets=True),
        "tantivy_facets": lambda: (search(), searcher.aggregate(built, aggs)),
    }
    samples: dict[str, list[float]] = {name: [] for name in calls}
    answers: dict[str, Any] = {}
    for _ in range(rounds + 1):  # the first round warms up and is not counted
        for name, call in calls.items():
            seconds, answers[name] = _timed(call)
            samples[name].append(seconds)
    fast, (hits, aggregated) = answers["engine_facets"], answers["tantivy_facets"]
    return {
        "name": case.name,
        "shape": case.shape,
        "text": case.text,
        "total": fast.total,
        "tantivy_total": hits.count,
        "totals_agree": fast.total == hits.count,
        "facets_agree": fast.facets == tantivy_facets(aggregated),
        **{f"{name}_ms": ms(statistics.median(values[1:])) for name, values in samples.items()},
    }


def run(*, scale: str, rounds: int) -> dict[str, Any]:
    from shuraba.search.build import index_build as build  # noqa: PLC0415 (after django.setup)

    engine_index = build()
    index, build_s = index_build()
    cases = [c for c in cases_build() if c.tantivy and c.query.page == 1]
    rows = [compare(index, engine_index, case, rounds) for case in cases]
    return report(scale, rows, build_s, rounds)


def report(scale: str, rows: list[dict[str, Any]], build_s: float, rounds: int) -> dict[str, Any]:
    def p50(key: str) -> float:
        return p50_p95([r[key] for r in rows])[0]

    ratio_plain = statistics.median(r["tantivy_ms"] / r["engine_ms"] for r in rows if r["engine_ms"])
    ratio_facets = statistics.median(
        r["tantivy_facets_ms"] / r["engine_facets_ms"] for r in rows if r["engine_facets_ms"]
    )
    summary = {
        "scale": scale,
        "queries": len(rows),
        "rounds": rounds,
        "tantivy_build_s": round(build_s, 2),
        "engine_p50_ms": round(p50("engine_ms"), 3),
        "tantivy_p50_ms": round(p50("tantivy_ms"), 3),
        "ratio_median": round(ratio_plain, 2),
        "engine_facets_p50_ms": round(p50("engine_facets_ms"), 3),
        "tantivy_facets_p50_ms": round(p50("tantivy_facets_ms"), 3),
        "ratio_facets_median": round(ratio_facets, 2),
        "totals_agree": sum(r["totals_agree"] for r in rows),
        "facets_agree": sum(r["facets_agree"] for r in rows),
    }
    path = results_write(f"tantivy-{scale}", {**summary, "cases": rows})
    headers = ("scale", "queries", "engine p50 ms", "tantivy p50 ms", "tantivy/engine", "engine+facets p50 ms")
    headers += ("tantivy+aggs p50 ms", "tantivy/engine (facets)", "totals agree", "facets agree")
    keys = ("engine_p50_ms", "tantivy_p50_ms", "ratio_median", "engine_facets_p50_ms", "tantivy_facets_p50_ms")
    line = [scale, len(rows), *(summary[k] for k in keys), summary["ratio_facets_median"]]
    line += [f"{summary['totals_agree']}/{len(rows)}", f"{summary['facets_agree']}/{len(rows)}"]
    print(table(headers, [line]))
    differ = [f"{r['name']} ({r['total']} vs {r['tantivy_total']})" for r in rows if not r["totals_agree"]]
    print(f"\ntotals differ (substring vs whole-word text matching): {', '.join(differ) or 'none'}")
    print(f"written {path}")
    status_append(
        f"tantivy-{scale}: engine p50 {summary['engine_p50_ms']} ms vs tantivy {summary['tantivy_p50_ms']} ms "
        f"(median ratio {summary['ratio_median']}x); with facets {summary['engine_facets_p50_ms']} vs "
        f"{summary['tantivy_facets_p50_ms']} ms ({summary['ratio_facets_median']}x) over {len(rows)} queries"
    )
    return summary
