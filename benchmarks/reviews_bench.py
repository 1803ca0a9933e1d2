"""Reviews (issue 13): a title page with 500 reviews and 5,000 classification votes, over HTTP.

    python benchmarks/reviews_bench.py --scale real            # the 4,045 AniList titles' database
    python benchmarks/reviews_bench.py --scale real --requests 100

Set-up, once per database (kept, so a rerun only measures): 500 readers each write a review of one title
through `services.review_write` (two spoiler blocks each, some dimension scores) and an editor approves them
all through `services.review_approve`; 1,250 readers with month-old accounts vote on four axes (centrality,
subgenre, perspective, consent) through `votes.vote_cast`: 5,000 votes, each recounting the consensus as the
site does. Then `shuraba serve` (gunicorn), a reader signed in through the login form, at chapter 3 of the
title in their library, asks in a shuffled order for the title
page, its reviews page (sorted by helpful, newest, score) and the API's reviews and votes; `GET /healthz` before
each request is the baseline. `--rules`: the reader also keeps bench_rules' light avoid rules. Benchmarks
report; they never fail on a time (STYLE habit 8).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from common import SEED, VAR, data_dir, django_setup, ms, p50_p95, results_write, table

REVIEWS, VOTERS = 500, 1250
VOTED = ("centrality", "subgenre", "perspective", "consent")
READER, PASSWORD = "bench-reviews-reader", "a-long-bench-password"
BODY = (
    "A careful read of the couple's first year.\n\n:::spoiler drift ch. {a}\nThe drift begins at the festival.\n:::\n\n"
    "The art is the reason to stay.\n\n:::spoiler resolution\nHow it ends.\n:::"
)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="real")
    parser.add_argument("--requests", type=int, default=60, help="rounds over the cases")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rules", action="store_true", help="the reader keeps bench_rules' light avoid rules")
    return parser.parse_args()


def bench_title() -> Any:
    from shuraba.catalog.models import Title  # noqa: PLC0415 (after django.setup)

    title = Title.objects.filter(content_rating__in=["all-ages", "teen", "mature"]).order_by("slug").first()
    if title is None:
        raise SystemExit("the scale's catalog has no title outside the age gate")
    return title


def _users(prefix: str, count: int) -> list[Any]:
    from django.utils import timezone  # noqa: PLC0415 (after django.setup)

    from shuraba.accounts.models import User  # noqa: PLC0415 (after django.setup)

    have = {u.username for u in User.objects.filter(username__startswith=prefix)}
    old = timezone.now() - timedelta(days=60)
    User.objects.bulk_create(
        User(username=f"{prefix}{i:05d}", date_joined=old, password="!")  # noqa: S106 (an unusable password)
        for i in range(count)
        if f"{prefix}{i:05d}" not in have
    )
    return list(User.objects.filter(username__startswith=prefix).order_by("username"))


def reviews_prepare(title: Any) -> dict[str, Any]:
    from shuraba.accounts.models import User  # noqa: PLC0415 (after django.setup)
    from shuraba.reviews import services, votes  # noqa: PLC0415 (after django.setup)
    from shuraba.reviews.models import ClassificationVote, Review  # noqa: PLC0415 (after django.setup)

    started = time.perf_counter()
    rng = random.Random(SEED)  # noqa: S311 (reproducible data, not a secret)
    editor, _ = User.objects.get_or_create(username="bench-reviews-editor", defaults={"is_staff": True})
    written = Review.objects.filter(title=title).count()
    for user in _users("bench-reviewer-", REVIEWS)[written:]:
        fields = {
            "score": rng.randint(3, 10),
            "story": rng.randint(1, 10),
            "art": rng.choice([None, rng.randint(1, 10)]),
            "characters": None,
            "emotional_impact": rng.randint(1, 10),
            "psychological_depth": None,
            "resolution_payoff": rng.choice([None, rng.randint(1, 10)]),
            "verdict": rng.choice(["recommended", "mixed", "not-recommended"]),
            "for_readers": "like slow, careful stories",
            "skip_if": "",
            "body": BODY.format(a=rng.randint(2, 40)),
            "reached_chapter": rng.choice([None, rng.randint(5, 60)]),
            "finished": rng.random() < 0.6,
        }
        review = services.review_write(user=user, title=title, fields=fields)
        services.review_approve(editor=editor, review=review)
    reviews_s = time.perf_counter() - started
    cast = ClassificationVote.objects.filter(title=title).values("user").distinct().count()
    voters = _users("bench-voter-", VOTERS)[cast:]
    values = {"centrality": ["major", "core"], "subgenre": ["netorare", "revenge"], "perspective": ["betrayed"]}
    values["consent"] = ["emotional-only", "manipulation"]
    for user in voters:
        for axis in VOTED:
            choice = rng.choice(values[axis])
            votes.vote_cast(user=user, title=title, axis_key=axis, ballot={choice: rng.choice([0.5, 1.0])})
    return {
        "reviews": Review.objects.filter(title=title).count(),
        "votes": ClassificationVote.objects.filter(title=title).count(),
        "set_up_s": round(time.perf_counter() - started, 1),
        "reviews_s": round(reviews_s, 1),
    }


def reader_prepare(title: Any) -> None:
    from shuraba.accounts.models import User  # noqa: PLC0415 (after django.setup)
    from shuraba.library.services import entry_changes_read, entry_save  # noqa: PLC0415 (after django.setup)

    user = User.objects.filter(username=READER).first() or User.objects.create_user(READER, password=PASSWORD)
    entry_save(user=user, title=title, changes=entry_changes_read({"status": "reading", "chapters_read": 3}))


def http_run(args: argparse.Namespace, slug: str) -> dict[str, Any]:
    import library_bench  # noqa: PLC0415 (its sign-in and rules steps, for another reader)
    from bench_http import free_port, server_start, server_stop  # noqa: PLC0415 (the bench extra)
    from django.core.management import call_command  # noqa: PLC0415 (after django.setup)

    call_command("collectstatic", interactive=False, verbosity=0)
    cases = {
        "title page": f"/titles/{slug}/",
        "reviews, helpful": f"/titles/{slug}/reviews/",
        "reviews, newest": f"/titles/{slug}/reviews/?sort=newest",
        "reviews, score p.3": f"/titles/{slug}/reviews/?sort=score&page=3",
        "API reviews": f"/api/v1/titles/{slug}/reviews",
        "API votes": f"/api/v1/titles/{slug}/votes",
    }
    port, log = free_port(), VAR / "logs" / f"reviews-{args.scale}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = server_start(data_dir(args.scale), port, args.workers, log, cold=False)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    healthz: list[float] = []
    failures: list[str] = []
    library_bench.READER, library_bench.PASSWORD = READER, PASSWORD
    try:
        client = library_bench.signed_in(f"http://127.0.0.1:{port}")
        if args.rules:
            library_bench.rules_put(client)
        library_bench.http_warm(client, tuple(cases.values()), args.workers)
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
    title = bench_title()
    result: dict[str, Any] = {"scale": args.scale, "title": title.slug, "rules": args.rules}
    result["data"] = reviews_prepare(title)
    print(f"{title.slug}: {result['data']}", flush=True)
    reader_prepare(title)
    result["http"] = http_run(args, title.slug)
    rows = [(name, c["p50_ms"], c["p95_ms"], c["p50_over_healthz"]) for name, c in result["http"]["cases"].items()]
    print(table(("case", "p50 ms", "p95 ms", "p50 / healthz"), rows))
    print(f"healthz p50 {result['http']['healthz_p50_ms']} ms; failures: {result['http']['failures'] or 'none'}")
    print(f"results: {results_write(f'reviews-{args.scale}' + ('-rules' if args.rules else ''), result)}")


if __name__ == "__main__":
    main()
