"""The preference quiz's starter list (issue 15, part 1), in process: `preferences.starter.starter_list` for a
few answer sets, as a visitor and with three avoid rules, after the search index is warm.

    python benchmarks/quiz_bench.py --scale synthetic-200k
    python benchmarks/quiz_bench.py --scale real --rounds 50

A starter list is one search per stage (the limits with the leanings, then fewer leanings while the list is
short) plus one narrower search per accepted value of a multi-valued answer that the viewer may see named;
this measures all of them together. Benchmarks report; they never fail on a time (STYLE habit 8).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from common import django_setup, ms, p50_p95, results_write, table

ANSWER_SETS: dict[str, dict[str, list[str]]] = {
    "open (no answers)": {},
    "limits only": {
        "endings": ["reconciliation", "revenge", "open"],
        "consent": ["no-coercion"],
        "centrality": ["major"],
    },
    "every question": {
        "motives": ["intensity", "depth"],
        "endings": ["reconciliation", "revenge"],
        "perspectives": ["betrayed", "rival"],
        "consent": ["no-manipulation"],
        "centrality": ["core"],
        "lengths": ["short", "medium"],
    },
}
RULES = (["consent:coercion,non-consent unclassified:allow", "ending:tragedy unclassified:allow"], ["no-graphic"])


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="synthetic-200k")
    parser.add_argument("--rounds", type=int, default=30)
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    django_setup(args.scale)
    from shuraba.accounts.policies import PUBLIC, Viewer, Visibility, visibility_of  # noqa: PLC0415 (after setup)
    from shuraba.accounts.rules import rules_parse  # noqa: PLC0415 (after django.setup)
    from shuraba.preferences.questions import answers_empty  # noqa: PLC0415 (after django.setup)
    from shuraba.preferences.starter import starter_list  # noqa: PLC0415 (after django.setup)
    from shuraba.search.live import search_index  # noqa: PLC0415 (after django.setup)

    started = time.perf_counter()
    search_index()
    warm_s = time.perf_counter() - started
    ruleset = rules_parse(*RULES)
    viewers: dict[str, Visibility] = {
        "visitor": PUBLIC,
        "three avoid rules": visibility_of(
            Viewer(
                is_adult=False,
                spoilers="none",
                user_id=None,
                rules=ruleset.rules,
                rule_lines=tuple(RULES[0]),
                presets=tuple(RULES[1]),
            )
        ),
    }
    rows: list[list[Any]] = []
    payload: dict[str, Any] = {
        "scale": args.scale,
        "rounds": args.rounds,
        "index_warm_s": round(warm_s, 1),
        "cases": {},
    }
    for viewer, visibility in viewers.items():
        for name, chosen in ANSWER_SETS.items():
            answers = {**answers_empty(), **chosen}
            found = starter_list(visibility=visibility, answers=answers)
            samples = []
            for _ in range(args.rounds):
                begun = time.perf_counter()
                starter_list(visibility=visibility, answers=answers)
                samples.append(time.perf_counter() - begun)
            p50, p95 = p50_p95(samples)
            rows.append([viewer, name, len(found.items), ms(p50), ms(p95)])
            payload["cases"][f"{viewer} / {name}"] = {"items": len(found.items), "p50_ms": ms(p50), "p95_ms": ms(p95)}
    print(f"index warm: {warm_s:.1f} s")
    print(table(["viewer", "answers", "items", "p50 ms", "p95 ms"], rows))
    print(results_write(f"quiz-{args.scale}", payload))


if __name__ == "__main__":
    main()
