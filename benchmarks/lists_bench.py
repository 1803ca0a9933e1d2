"""Reading lists (issue 14): a 200-item list page with three avoid rules, over HTTP.

    python benchmarks/lists_bench.py --scale real             # the 4,045 AniList titles' database
    python benchmarks/lists_bench.py --scale real --requests 100

Set-up, once per database (kept, so a rerun only measures): an editor makes an editorial starter list of 200
titles past the age gate, each with a note, through `lists.services`. Then `shuraba serve` (gunicorn), a
reader signed in through the login form keeps three avoid rules that hide a minority of the real catalog
(coercion and tragedy, each letting unclassified titles through, and graphic warnings) and asks, in a
shuffled order, for the list's page, the lists index, the list over the API and a title page of the list
(its "in N lists" section); `GET /healthz` before each request is the baseline. Benchmarks report; they
never fail on a time (STYLE habit 8).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from common import SEED, VAR, data_dir, django_setup, ms, p50_p95, results_write, table

ITEMS = 200
LIST_NAME = "Bench: a 200-title starter list"
READER, PASSWORD = "bench-lists-reader", "a-long-bench-password"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="real")
    parser.add_argument("--requests", type=int, default=60, help="rounds over the cases")
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args()


def list_prepare() -> tuple[str, str, dict[str, Any]]:
    from shuraba.accounts.models import User  # noqa: PLC0415 (after django.setup)
    from shuraba.catalog.models import Title  # noqa: PLC0415 (after django.setup)
    from shuraba.lists import services  # noqa: PLC0415 (after django.setup)
    from shuraba.lists.models import ReadingList  # noqa: PLC0415 (after django.setup)

    started = time.perf_counter()
    editor, _ = User.objects.get_or_create(username="bench-lists-editor", defaults={"is_staff": True})
    made = ReadingList.objects.filter(name=LIST_NAME).first()
    if made is None:
        made = services.list_create(user=editor, kind="editorial", changes={"name": LIST_NAME, "starter": True})
    held = set(made.items.values_list("title_id", flat=True))
    shown = Title.objects.filter(content_rating__in=["all-ages", "teen", "mature"]).order_by("slug")
    for title in shown[:ITEMS]:
        if title.pk not in held:
            note = f"Why {title.title[:60]} is on this list: the betrayal lands early and the ending pays it off."
            services.item_add(user=editor, reading_list=made, title=title, note=note)
    first = made.items.select_related("title").order_by("position").first()
    if first is None:
        raise SystemExit("the scale's catalog has no title outside the age gate")
    User.objects.filter(username=READER).first() or User.objects.create_user(READER, password=PASSWORD)
    data = {"items": made.items.count(), "set_up_s": round(time.perf_counter() - started, 1)}
    return made.slug, first.title.slug, data


# bench_rules' custom rules with the first one relaxed too: strict, it hides every unclassified title, 199 of
# the list's 200, and the page would measure one item.
RULES = ("consent:coercion,non-consent unclassified:allow", "ending:tragedy unclassified:allow", "warning:*>=graphic")


def _rules_put(client: Any) -> None:
    body = {"rules": list(RULES), "presets": []}
    answer = client.put("/api/v1/me/avoid-rules", json=body, headers={"X-CSRFToken": client.cookies["csrftoken"]})
    if answer.status_code != 200:
        raise SystemExit(f"saving the avoid rules failed: HTTP {answer.status_code} {answer.text[:300]!r}")


def http_run(args: argparse.Namespace, slug: str, title_slug: str) -> dict[str, Any]:
    import library_bench  # noqa: PLC0415 (its sign-in and warm-up steps, for another reader)
    from bench_http import free_port, server_start, server_stop  # noqa: PLC0415 (the bench extra)
    from django.core.management import call_command  # noqa: PLC0415 (after django.setup)

    call_command("collectstatic", interactive=False, verbosity=0)
    cases = {
        "list page (200 items)": f"/lists/{slug}/",
        "lists index": "/lists/",
        "API list": f"/api/v1/lists/{slug}",
        "title page (in N lists)": f"/titles/{title_slug}/",
    }
    port, log = free_port(), VAR / "logs" / f"lists-{args.scale}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = server_start(data_dir(args.scale), port, args.workers, log, cold=False)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    healthz: list[float] = []
    failures: list[str] = []
    hidden = ""
    library_bench.READER, library_bench.PASSWORD = READER, PASSWORD
    try:
        client = library_bench.signed_in(f"http://127.0.0.1:{port}")
        _rules_put(client)
        library_bench.http_warm(client, tuple(cases.values()), args.workers)
        body = client.get(f"/api/v1/lists/{slug}").json()
        hidden = f"{body['hidden_by_rules']} of {body['total']} hidden by the three rules"
        rng = random.Random(SEED)  # noqa: S311 (a reproducible order, not a secret)
        for _ in range(args.requests):
            order = list(cases.items())
            rng.shuffle(order)
            for name, path in order:
                started = time.perf_counter()
                client.get("/healthz")
                healthz.append(time.perf_counter() - started)
                started = time.perf_counter()
                answer = client.get(path)
                samples[name].append(time.perf_counter() - started)
                if answer.status_code != 200:
                    failures.append(f"{name}: HTTP {answer.status_code}")
        client.close()
    finally:
        server_stop(server)
    base = statistics.median(healthz)
    return {
        "requests": args.requests,
        "workers": args.workers,
        "hidden": hidden,
        "failures": failures[:20],
        "healthz_p50_ms": ms(base),
        "cases": {
            name: {
                "p50_ms": ms(p50_p95(values)[0]),
                "p95_ms": ms(p50_p95(values)[1]),
                "p50_over_healthz": round(p50_p95(values)[0] / base, 2),
            }
            for name, values in samples.items()
        },
    }


def main() -> None:
    args = _arguments()
    django_setup(args.scale)
    from django.core.management import call_command  # noqa: PLC0415 (after django.setup)

    call_command("migrate", verbosity=0)
    slug, title_slug, data = list_prepare()
    result: dict[str, Any] = {"scale": args.scale, "list": slug, "data": data}
    print(f"{slug}: {data}", flush=True)
    result["http"] = http_run(args, slug, title_slug)
    rows = [(name, c["p50_ms"], c["p95_ms"], c["p50_over_healthz"]) for name, c in result["http"]["cases"].items()]
    print(table(("case", "p50 ms", "p95 ms", "p50 / healthz"), rows))
    print(f"{result['http']['hidden']}; healthz p50 {result['http']['healthz_p50_ms']} ms; "
          f"failures: {result['http']['failures'] or 'none'}")  # fmt: skip
    print(f"results: {results_write(f'lists-{args.scale}', result)}")


if __name__ == "__main__":
    main()
