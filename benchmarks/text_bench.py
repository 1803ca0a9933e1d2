"""Title text at a scale, in process: the text part of the query mix (queries.py's text shapes) and typo,
compound and punctuation cases, through engine_search (cold: no result remembered, facets counted), the
word match alone, and the previous matcher (benchmarks/previous_text.py) on the same texts in the same run;
then what one title's change costs each (the word index re-posts the title; the previous scan was rebuilt).

    .venv/bin/python benchmarks/text_bench.py --scale synthetic-200k
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from typing import Any

from common import SEED, django_setup, ms, p50_p95, results_write, table

ROUNDS = 7


def _typo(word: str) -> str:
    """The word with two inner letters swapped (one Damerau-Levenshtein typo)."""
    return word[:2] + word[3] + word[2] + word[4:] if len(word) >= 5 else word


def _cases() -> list[tuple[str, str]]:
    from queries import cases_build  # noqa: PLC0415 (after django.setup)

    cases = [(c.shape, c.query.q) for c in cases_build() if c.query.q]
    words = dict(cases)
    romaji = words.get("text-word", "koibito")
    cases += [("text-typo", _typo(romaji)), ("text-typo", _typo(words.get("text-exact", "synthetic title")))]
    exact = words.get("text-exact", "synthetic title").split()
    cases += [("text-compound", "".join(exact[:2])), ("text-punctuation", "☆".join(exact) + "!")]
    return cases


def _time(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def run(scale: str) -> dict[str, Any]:
    from previous_text import PreviousText  # noqa: PLC0415 (after django.setup)
    from pyroaring import BitMap  # noqa: PLC0415 (after django.setup)

    from shuraba.accounts.policies import Viewer, visibility_of  # noqa: PLC0415 (after django.setup)
    from shuraba.search.build import index_build  # noqa: PLC0415 (after django.setup)
    from shuraba.search.engine import engine_search, visible_slots  # noqa: PLC0415 (after django.setup)
    from shuraba.search.loader import rows_load  # noqa: PLC0415 (after django.setup)
    from shuraba.search.query import SearchQuery  # noqa: PLC0415 (after django.setup)

    index = index_build()
    viewer = visibility_of(Viewer(is_adult=True, spoilers="all"))
    every = visible_slots(index, viewer)
    raw = [tuple(n) for n in index.names]  # previous_text folds them again, its own way
    previous = PreviousText(raw)
    cases = _cases()
    samples: dict[str, dict[str, list[float]]] = {}
    rng = random.Random(SEED)  # noqa: S311 (a seeded shuffle of the cases, nothing secret)
    for _ in range(ROUNDS):
        rng.shuffle(cases)
        for shape, text in cases:
            seen = samples.setdefault(f"{shape}: {text}", {"engine": [], "words": [], "previous": []})
            seen["engine"].append(_time(lambda t=text: engine_search(index, SearchQuery(q=t), viewer)))
            seen["words"].append(_time(lambda t=text: index.text_match(t, BitMap(every))))
            seen["previous"].append(_time(lambda t=text: previous.match(t, BitMap(every))))
    rows = []
    for name, seen in sorted(samples.items()):
        p50s = {k: statistics.median(v) for k, v in seen.items()}
        ratio = p50s["previous"] / p50s["words"] if p50s["words"] else None
        rows.append(
            [name, ms(p50s["engine"]), ms(p50_p95(seen["engine"])[1]), ms(p50s["words"]), ms(p50s["previous"]), ratio]
        )
    every_engine = [s for seen in samples.values() for s in seen["engine"]]
    every_words = [s for seen in samples.values() for s in seen["words"]]
    every_previous = [s for seen in samples.values() for s in seen["previous"]]
    slot = len(index.names) // 2
    pk = int(index.columns["pk"][slot])
    row = rows_load([pk])[pk]
    change = [_time(lambda: index.text.slot_put(slot, row.names, row.creator_names)) for _ in range(ROUNDS)]
    rebuild = [_time(previous.rebuild) for _ in range(3)]
    result = {
        "scale": scale,
        "cases": rows,
        "engine_p50_p95_ms": [ms(v) for v in p50_p95(every_engine)],
        "words_p50_p95_ms": [ms(v) for v in p50_p95(every_words)],
        "previous_p50_p95_ms": [ms(v) for v in p50_p95(every_previous)],
        "change_words_ms": ms(statistics.median(change)),
        "change_previous_rebuild_ms": ms(statistics.median(rebuild)),
    }
    print(table(("case", "engine p50", "engine p95", "words p50", "previous p50", "previous / words"), rows))
    print(
        f"engine_search p50/p95 {result['engine_p50_p95_ms']} ms; word match {result['words_p50_p95_ms']}; previous "
        f"matcher {result['previous_p50_p95_ms']}; one title's change: words {result['change_words_ms']} ms, the "
        f"previous scan's rebuild {result['change_previous_rebuild_ms']} ms"
    )
    results_write(f"text-{scale}", result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="real")
    args = parser.parse_args()
    os.environ["SHURABA_SEARCH_CACHE_RESULTS"] = "0"
    django_setup(args.scale)
    run(args.scale)


if __name__ == "__main__":
    main()
