"""Recommendations (issue 15), offline: a synthetic generator of readers with planted taste clusters over the
NTR axes of the 200k synthetic catalog, a held-out split, and recall@20 / NDCG@10 of the popularity
baseline, profile fit alone, the readers' signal alone and the shipped blend, side by side; and the time to
train the model on the scores.

    python benchmarks/recommend_bench.py --scale synthetic-200k
    python benchmarks/recommend_bench.py --scale synthetic-200k --readers 2000 --per-reader 50   # smaller

The scores are made in memory (numpy), never written as rows. A taste cluster is one value on each of four
axes (ending, subgenre, perspective, intensity 3+); a reader of a cluster scores 70% titles that match at
least three of its four values (8-10) and 30% popular titles at random (2-7, the noise of a real library).
For each evaluated reader a fifth of their 8+ titles is held out; every method ranks every title the
reader has not scored, and a hit is a held-out title in the method's top k. Fixed seeds: one run is one
set of numbers. Benchmarks report; they never fail on a time (STYLE habit 8).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
from common import django_setup, ms, results_write, table

AXES = ("ending", "subgenre", "perspective")
CLUSTERS = 12
MATCHING_SHARE = 0.7
HELD_OUT = 0.2
K_RECALL, K_NDCG = 20, 10


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="synthetic-200k")
    parser.add_argument("--readers", type=int, default=20_000)
    parser.add_argument("--per-reader", type=int, default=50)  # 20k x 50 = 1M scores
    parser.add_argument("--evaluated", type=int, default=500)
    parser.add_argument("--seed", type=int, default=15)
    return parser.parse_args()


def _taste_sets(index: Any, rng: np.random.Generator) -> tuple[list[np.ndarray], list[tuple[str, ...]]]:
    """Per cluster, the slots matching at least three of its four values, and the values."""
    from shuraba.search.storage import bitmaps_union, slots_array  # noqa: PLC0415 (after django.setup)

    keys = {a: sorted(k for (d, k) in index.values if d == a) for a in AXES}
    intense = bitmaps_union(b for (n, v), b in index.numbers.items() if n == "intensity" and v >= 3)
    sets, tastes = [], []
    for _ in range(CLUSTERS):
        chosen = tuple(str(rng.choice(keys[a])) for a in AXES)
        counts = np.zeros(index.size, dtype=np.int8)
        for axis, key in zip(AXES, chosen, strict=True):
            counts[slots_array(index.values[(axis, key)])] += 1
        counts[slots_array(intense)] += 1
        sets.append(np.flatnonzero(counts >= 3))
        tastes.append((*chosen, "intensity 3+"))
    return sets, tastes


def _readers(args: argparse.Namespace, index: Any, sets: list[np.ndarray], rng: np.random.Generator) -> Any:
    """(reader, slot, score, cluster per reader): the synthetic libraries, titles drawn by popularity
    (inverse CDF: a draw is a binary search, so 1M scores take seconds)."""
    popularity = np.maximum(index.columns["popularity"][: index.size], 0).astype(np.float64) + 1.0
    live = np.flatnonzero(index.columns["pk"][: index.size] >= 0)

    def sampler(pool: np.ndarray) -> Any:
        cdf = np.cumsum(popularity[pool])
        cdf /= cdf[-1]
        return lambda n: np.unique(pool[np.minimum(np.searchsorted(cdf, rng.random(n)), len(pool) - 1)])

    draw_popular = sampler(live)
    draw_cluster = [sampler(pool) for pool in sets]
    clusters = rng.integers(0, CLUSTERS, args.readers)
    rows, slots, scores = [], [], []
    matching_n = int(args.per_reader * MATCHING_SHARE)
    for reader, cluster in enumerate(clusters.tolist()):
        liked = draw_cluster[cluster](matching_n)
        noise = np.setdiff1d(draw_popular(args.per_reader - matching_n), liked)
        rows.append(np.full(len(liked) + len(noise), reader))
        slots += [liked, noise]
        scores += [rng.integers(8, 11, len(liked)), rng.integers(2, 8, len(noise))]
    return np.concatenate(rows), np.concatenate(slots), np.concatenate(scores), clusters


def _metrics(ranked: np.ndarray, held: set[int]) -> tuple[float, float]:
    hits = [1.0 if int(s) in held else 0.0 for s in ranked[:K_RECALL]]
    recall = sum(hits) / min(len(held), K_RECALL)
    dcg = sum(h / np.log2(i + 2) for i, h in enumerate(hits[:K_NDCG]))
    ideal = sum(1 / np.log2(i + 2) for i in range(min(len(held), K_NDCG)))
    return recall, dcg / ideal


def main() -> None:  # noqa: PLR0915 (one benchmark, read top to bottom)
    args = _arguments()
    django_setup(args.scale)
    from shuraba.recommend.collab import HIGH_SCORE, model_from_arrays, strength  # noqa: PLC0415 (after setup)
    from shuraba.recommend.engine import _fit, value_labels  # noqa: PLC0415 (the shipped fit, after setup)
    from shuraba.recommend.weights import BLEND, library_weights  # noqa: PLC0415 (after django.setup)
    from shuraba.search.live import search_index  # noqa: PLC0415 (after django.setup)

    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    index = search_index()
    warm_s = time.perf_counter() - started
    sets, tastes = _taste_sets(index, rng)
    begun = time.perf_counter()
    rows, slots, scores, _ = _readers(args, index, sets, rng)
    generate_s = time.perf_counter() - begun

    # The held-out split: a fifth of each evaluated reader's 8+ titles.
    evaluated = rng.choice(args.readers, size=min(args.evaluated, args.readers), replace=False)
    keep = np.ones(len(rows), dtype=bool)
    held: dict[int, set[int]] = {}
    for reader in evaluated.tolist():
        mine = np.flatnonzero((rows == reader) & (scores >= HIGH_SCORE))
        out = rng.choice(mine, size=max(1, int(len(mine) * HELD_OUT)), replace=False)
        keep[out] = False
        held[reader] = set(slots[out].tolist())
    strengths = np.array([strength("completed", int(s)) for s in range(11)])[scores]
    train = keep & (strengths > 0)
    pks = index.columns["pk"][slots]
    begun = time.perf_counter()
    model = model_from_arrays(
        rows[train], pks[train], strengths[train], scores[train] >= HIGH_SCORE,
        readers=args.readers, version="bench", trained_at="",
    )  # fmt: skip
    train_s = time.perf_counter() - begun

    labels = value_labels(index)
    popularity = np.log1p(np.maximum(index.columns["popularity"][: index.size], 0).astype(np.float64))
    popularity /= popularity.max()
    slot_of_column = np.fromiter((index.slot_of[int(pk)] for pk in model.item_pks), np.int64)
    blend = BLEND["library"]
    methods = ("popularity", "profile fit", "fit + popularity (no model yet)", "readers' signal", "blend")
    sums: dict[str, list[float]] = {m: [0.0, 0.0] for m in methods}
    fallback = BLEND["no model yet"]
    timings: list[float] = []
    for reader in evaluated.tolist():
        mine = keep & (rows == reader)
        seen = slots[mine]
        liked = {
            int(index.columns["pk"][s]): float(strengths[i]) for i, s in zip(np.flatnonzero(mine), seen, strict=True)
        }
        liked = {pk: w for pk, w in liked.items() if w > 0}
        t0 = time.perf_counter()
        weights = library_weights(index, [index.slot_of[pk] for pk in liked], labels)
        fit = _fit(index, weights)
        cf = np.zeros(index.size)
        cf[slot_of_column] = model.scores(liked)
        cf /= cf.max() or 1.0
        combined = blend.fit * fit + blend.collaborative * cf + blend.popularity * popularity
        timings.append(time.perf_counter() - t0)
        vectors = {
            "popularity": popularity,
            "profile fit": fit + 1e-6 * popularity,  # popularity only breaks ties
            "fit + popularity (no model yet)": fallback.fit * fit + fallback.popularity * popularity,
            "readers' signal": cf + 1e-6 * popularity,
            "blend": combined,
        }
        for name, vector in vectors.items():
            ranked = vector.copy()
            ranked[seen] = -1.0
            ranked[index.columns["pk"][: index.size] < 0] = -1.0
            top = np.argpartition(-ranked, K_RECALL)[:K_RECALL]
            top = top[np.argsort(-ranked[top], kind="stable")]
            recall, ndcg = _metrics(top, held[reader])
            sums[name][0] += recall
            sums[name][1] += ndcg
    count = len(evaluated)
    results = {m: {"recall@20": round(r / count, 4), "ndcg@10": round(n / count, 4)} for m, (r, n) in sums.items()}
    base = results["popularity"]
    table_rows = [
        [m, v["recall@20"], v["ndcg@10"], round(v["recall@20"] / (base["recall@20"] or 1e-9), 1)]
        for m, v in results.items()
    ]
    payload = {
        "scale": args.scale,
        "readers": args.readers,
        "scores": len(rows),
        "titles": index.size,
        "clusters": [list(t) for t in tastes],
        "evaluated": count,
        "index_warm_s": round(warm_s, 1),
        "generate_s": round(generate_s, 1),
        "train_s": round(train_s, 2),
        "train_readers": model.readers,
        "train_entries": model.entries,
        "score_p50_ms": ms(float(np.percentile(timings, 50))),
        "score_p95_ms": ms(float(np.percentile(timings, 95))),
        "methods": results,
    }
    print(f"{len(rows):,} scores by {args.readers:,} readers over {index.size:,} titles; {CLUSTERS} taste clusters")
    print(f"training {train_s:.2f} s on {model.entries:,} likes; scoring one reader p50 {payload['score_p50_ms']} ms")
    print(table(["method", "recall@20", "NDCG@10", "recall vs popularity"], table_rows))
    print(results_write(f"recommend-{args.scale}", payload))


if __name__ == "__main__":
    main()
