"""Recommendations (issue 15) over HTTP: "For you" for a reader with 500 library entries, through the
production server (`shuraba serve`, gunicorn) on a copy of the scale's database, with /healthz measured in
the same run as the baseline; and the title page's "Will I like this?" panel, in process, against the
title page it sits on.

    python benchmarks/recommend_http_bench.py --scale synthetic-200k

Set-up (on the copy, never the shared database): the recommendations' migration, a reader with 500 entries
(random titles, scores 1-10), a model trained on synthetic libraries (recommend_bench's generator: 20k
readers) plus that reader's, written where the server reads it; a session for /for-you/ and a personal token
for /api/v1/me/recommendations. One worker (the machine is shared). Benchmarks report; they never fail on a
time (STYLE habit 8).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import VAR, ms, p50_p95, results_write, table

HOST = "127.0.0.1"

LIBRARY = 500


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="synthetic-200k")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--readers", type=int, default=20_000)
    parser.add_argument("--copy", help="the scratch copy's folder (default: benchmarks/var/<scale>-recommend)")
    return parser.parse_args()


def _copy(scale: str, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    (target / "secret_key").write_bytes((VAR / scale / "secret_key").read_bytes())
    destination = target / "shuraba.sqlite3"
    if destination.exists():
        return
    source = sqlite3.connect(f"file:{VAR / scale / 'shuraba.sqlite3'}?mode=ro", uri=True)
    with sqlite3.connect(destination) as out:
        source.backup(out)
    source.close()


def _setup(args: argparse.Namespace, target: Path) -> dict[str, Any]:
    os.environ["SHURABA_DATA_DIR"] = str(target)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django  # noqa: PLC0415 (the environment first)

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415 (after django.setup)
    from django.test import Client  # noqa: PLC0415 (after django.setup)
    from django.test.client import RequestFactory  # noqa: PLC0415 (after django.setup)

    from shuraba.accounts.models import User  # noqa: PLC0415 (after django.setup)
    from shuraba.accounts.tokens import api_token_create  # noqa: PLC0415 (after django.setup)
    from shuraba.catalog.models import Title  # noqa: PLC0415 (after django.setup)
    from shuraba.library.models import LibraryEntry  # noqa: PLC0415 (after django.setup)
    from shuraba.library.services import entry_save  # noqa: PLC0415 (after django.setup)
    from shuraba.recommend.collab import HIGH_SCORE, model_from_arrays, model_save, strength  # noqa: PLC0415 (after django.setup)
    from shuraba.recommend.selectors import fit_panel  # noqa: PLC0415 (after django.setup)
    from shuraba.recommend.training import model_path  # noqa: PLC0415 (after django.setup)
    from shuraba.search.live import search_index  # noqa: PLC0415 (after django.setup)

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages need the manifest (shuraba setup's step)
    rng = np.random.default_rng(15)
    user, _ = User.objects.get_or_create(username="recommend-bench-reader")
    pks = list(
        Title.objects.filter(content_rating__in=["all-ages", "teen", "mature"]).values_list("pk", flat=True)[:50_000]
    )
    if LibraryEntry.objects.filter(user=user).count() < LIBRARY:
        for pk in rng.choice(pks, size=LIBRARY, replace=False).tolist():
            entry_save(
                user=user,
                title=Title.objects.get(pk=pk),
                changes={"status": "completed", "score": int(rng.integers(1, 11))},
            )
    index = search_index()
    from recommend_bench import CLUSTERS, _readers, _taste_sets  # noqa: PLC0415 (the offline generator)

    gen_args = argparse.Namespace(readers=args.readers, per_reader=60)
    sets, _ = _taste_sets(index, rng)
    rows, slots, scores, _ = _readers(gen_args, index, sets, rng)
    mine = list(LibraryEntry.objects.filter(user=user).values_list("title_id", "score"))
    titles = np.concatenate([index.columns["pk"][slots], np.array([pk for pk, _ in mine])])
    scores = np.concatenate([scores, np.array([s for _, s in mine])])
    rows = np.concatenate([rows, np.full(len(mine), args.readers)])
    weights = np.array([strength("completed", int(s)) for s in range(11)])[scores]
    keep = weights > 0
    begun = time.perf_counter()
    model = model_from_arrays(
        rows[keep], titles[keep], weights[keep], scores[keep] >= HIGH_SCORE,
        readers=args.readers + 1, version="bench", trained_at="2026-12-02T00:00:00+00:00",
    )  # fmt: skip
    model_save(model, model_path())
    train_s = time.perf_counter() - begun
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    token = api_token_create(user=user, name=f"bench {time.time():.0f}")
    panel = _panel_in_process(user, fit_panel, RequestFactory(), [int(p) for p in rng.choice(pks, 200)])
    del CLUSTERS
    return {"session": session, "token": token, "train_s": train_s, "model_likes": model.entries, "panel": panel}


def _panel_in_process(user: Any, fit_panel: Any, factory: Any, title_ids: list[int]) -> dict[str, float]:
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415 (after django.setup)
    from django.template.loader import render_to_string  # noqa: PLC0415 (after django.setup)

    samples = []
    for title_id in title_ids * 2:
        request = factory.get(f"/titles/{title_id}/")
        request.user, request.session = user, SessionStore()
        begun = time.perf_counter()
        render_to_string("recommend/_panel.html", {"panel": fit_panel(request=request, title_id=title_id)})
        samples.append(time.perf_counter() - begun)
    p50, p95 = p50_p95(samples[len(title_ids) :])  # the second pass: warm, as a served worker is
    return {"p50_ms": ms(p50), "p95_ms": ms(p95)}


def _timed(port: int, path: str, headers: dict[str, str], rounds: int) -> tuple[list[float], int]:
    conn = http.client.HTTPConnection(HOST, port, timeout=300)
    samples, status = [], 0
    for _ in range(rounds):
        begun = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        samples.append(time.perf_counter() - begun)
        status = response.status
    conn.close()
    return samples, status


def main() -> None:
    args = _arguments()
    target = Path(args.copy) if args.copy else VAR / f"{args.scale}-recommend"
    _copy(args.scale, target)
    ready = _setup(args, target)
    from bench_http import free_port, server_start, server_stop  # noqa: PLC0415 (its queries read models: after django.setup)

    port = free_port()
    log = target / "server.log"
    server = server_start(target, port, 1, log, cold=False)  # one worker, answers remembered as served
    cookie = {"Cookie": f"sessionid={ready['session']}"}
    bearer = {"Authorization": f"Bearer {ready['token']}"}
    paths = {
        "/healthz (baseline)": ("/healthz", {}),
        "/for-you/ (500 entries, session)": ("/for-you/", cookie),
        "/api/v1/me/recommendations (token)": ("/api/v1/me/recommendations", bearer),
        "a title page (signed in, panel + more like this)": ("/titles/{slug}/", cookie),
    }
    try:
        warm_started = time.monotonic()
        _timed(port, "/for-you/", cookie, 3)  # the worker builds its index and reads the model
        warm_s = time.monotonic() - warm_started
        slug = _a_slug(port, cookie)
        rows, payload = [], {}
        base = None
        for name, (path, headers) in paths.items():
            samples, status = _timed(port, path.format(slug=slug), headers, args.rounds)
            p50, p95 = p50_p95(samples)
            base = base or p50
            rows.append([name, status, ms(p50), ms(p95), round(p50 / base, 1)])
            payload[name] = {
                "status": status,
                "p50_ms": ms(p50),
                "p95_ms": ms(p95),
                "mean_ms": ms(statistics.mean(samples)),
            }
    finally:
        server_stop(server)
    result = {
        "scale": args.scale,
        "rounds": args.rounds,
        "warm_s": round(warm_s, 1),
        "train_s": round(ready["train_s"], 2),
        "model_likes": ready["model_likes"],
        "panel_in_process": ready["panel"],
        "http": payload,
    }
    print(f"model: {ready['model_likes']:,} likes, trained in {ready['train_s']:.2f} s; worker warm {warm_s:.1f} s")
    print(table(["request", "status", "p50 ms", "p95 ms", "p50 vs healthz"], rows))
    panel = ready["panel"]
    print(f"'Will I like this?' in process (selector + template): p50 {panel['p50_ms']} ms, p95 {panel['p95_ms']} ms")
    print(results_write(f"recommend-http-{args.scale}", result))


def _a_slug(port: int, cookie: dict[str, str]) -> str:

    conn = http.client.HTTPConnection(HOST, port, timeout=300)
    conn.request("GET", "/for-you/", headers=cookie)
    body = conn.getresponse().read().decode()
    conn.close()
    found = re.search(r'id="rec-([\w-]+)"', body)
    if not found:
        sys.exit("For you listed nothing for the bench reader: see the server log")
    return found.group(1)


if __name__ == "__main__":
    main()
