"""Over HTTP through the production server: `shuraba serve` (gunicorn, gthread) on a free loopback
port against the scale's database, with a small Python load client (http.client, keep-alive, threads).

1. Latency: one connection, requests one after another, GET /api/v1/search?query=<text> over the
   anonymous cases of the mix (the API's viewer is the anonymous session), `rounds` shuffled rounds.
2. Throughput: `concurrency` client threads for `seconds`, alternating /healthz and /api/v1/search
   rounds on the same server and workers (healthz first in odd pairs, search first in even ones);
   the reported ratio is search requests/s over healthz requests/s, median of the pairs.

Every loop is bounded in count or time and only talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil
from common import REPO, SEED, VAR, ms, p50_p95, results_write, status_append, table
from queries import LAST, Case, cases_build

HOST = "127.0.0.1"
SEARCH = "/api/v1/search"
STARTUP_S = 60
WARM_S = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Client:
    """One keep-alive connection; reconnects after an error."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=300)

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=300)
            return 0, b""


def server_start(scale_dir: Path, port: int, workers: int, log: Path, *, cold: bool) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SHURABA_DATA_DIR": str(scale_dir), "SHURABA_LOG_LEVEL": "WARNING"}
    env["SHURABA_SEARCH_CACHE_RESULTS"] = "0" if cold else "1"
    command = [str(Path(sys.executable).with_name("shuraba")), "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603 (our own console script, fixed arguments)
    deadline = time.monotonic() + STARTUP_S
    client = Client(port)
    while time.monotonic() < deadline:
        if client.get("/healthz")[0] == 200:
            return server
        time.sleep(0.2)
    server_stop(server)
    raise SystemExit(f"the server did not answer /healthz within {STARTUP_S} s; see {log}")


def server_stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def workers_rss_mib(server: subprocess.Popen[bytes]) -> list[float]:
    return [round(c.memory_info().rss / 2**20, 1) for c in psutil.Process(server.pid).children()]


def url(case: Case, page: int | None = None) -> str:
    params = {"query": case.text, "page": page or case.query.page, "per_page": case.query.per_page}
    return f"{SEARCH}?{urlencode(params)}"


def warm_up(port: int, paths: list[str], workers: int) -> float:
    """Until every worker has built its index: concurrent rounds until two in a row are all quick."""
    started, quick_rounds = time.monotonic(), 0
    while quick_rounds < 2 and time.monotonic() - started < WARM_S:
        slowest = max(_concurrent(port, paths[: workers * 4], workers * 4))
        quick_rounds = quick_rounds + 1 if slowest < 1.0 else 0
    for _ in range(2):  # each worker's per-query caches, as after a while in production
        _concurrent(port, paths, workers * 2)
    return time.monotonic() - started


def _concurrent(port: int, paths: list[str], threads: int) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()
    queue = list(paths)

    def work() -> None:
        client = Client(port)
        while True:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            started = time.perf_counter()
            client.get(path)
            with lock:
                times.append(time.perf_counter() - started)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return times


def resolve(port: int, cases: list[Case]) -> dict[str, str]:
    """Each case's URL; `LAST` pages from the total of page 1 (a page past the end is a 400)."""
    client, urls = Client(port), {}
    for case in cases:
        if case.query.page == 1:
            urls[case.name] = url(case)
            continue
        status, body = client.get(url(case, page=1))
        total = json.loads(body)["total"] if status == 200 else 0
        last = max(1, -(-total // case.query.per_page))
        urls[case.name] = url(case, last if case.query.page == LAST else min(case.query.page, last))
    return urls


def latency(port: int, cases: list[Case], urls: dict[str, str], rounds: int) -> dict[str, list[float]]:
    client, samples = Client(port), {c.name: [] for c in cases}
    rng = random.Random(SEED)  # noqa: S311 (a reproducible order, not a secret)
    sizes: list[int] = []
    failures: list[str] = []
    for _ in range(rounds):
        order = cases[:]
        rng.shuffle(order)
        for case in order:
            started = time.perf_counter()
            status, body = client.get(urls[case.name])
            samples[case.name].append(time.perf_counter() - started)
            sizes.append(len(body))
            if status != 200:
                failures.append(case.name)
                print(f"  {case.name}: HTTP {status} {body[:200]!r}", flush=True)
    samples["_bytes"] = sizes  # type: ignore[assignment]
    samples["_failed"] = failures  # type: ignore[assignment]
    return samples


def throughput(port: int, paths: list[str], *, threads: int, seconds: float) -> float:
    """Requests per second answered 200 by `threads` keep-alive clients cycling through `paths`."""
    done, errors, stop = [0], [0], time.monotonic() + seconds
    lock = threading.Lock()

    def work(offset: int) -> None:
        client, n, ok, bad = Client(port), offset, 0, 0
        while time.monotonic() < stop:
            status, _ = client.get(paths[n % len(paths)])
            ok, bad, n = ok + (status == 200), bad + (status != 200), n + 1
        with lock:
            done[0] += ok
            errors[0] += bad

    started = time.monotonic()
    pool = [threading.Thread(target=work, args=(i * 7,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors[0]:
        print(f"  {errors[0]} non-200 answers", flush=True)
    return done[0] / (time.monotonic() - started)


def alternating(port: int, search_paths: list[str], args: argparse.Namespace) -> list[dict[str, float]]:
    pairs = []
    for n in range(args.rounds):
        order = ("healthz", "search") if n % 2 == 0 else ("search", "healthz")
        rps = {}
        for name in order:
            paths = ["/healthz"] if name == "healthz" else search_paths
            rps[name] = throughput(port, paths, threads=args.concurrency, seconds=args.seconds)
        pairs.append({**{k: round(v, 1) for k, v in rps.items()}, "ratio": round(rps["search"] / rps["healthz"], 3)})
        print(f"  pair {n + 1}: {pairs[-1]}", flush=True)
    return pairs


def run(args: argparse.Namespace, scale_dir: Path) -> dict[str, Any]:
    cases = [c for c in cases_build() if c.viewer == "anon"]
    port, log = free_port(), VAR / "logs" / f"http-{args.scale}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = server_start(scale_dir, port, args.workers, log, cold=args.cold)
    try:
        warm_s = warm_up(port, [url(c) for c in cases if c.query.page == 1], args.workers)
        urls = resolve(port, cases)
        rss = workers_rss_mib(server)
        samples = latency(port, cases, urls, args.rounds)
        cpu, wall = sum(psutil.Process().cpu_times()[:2]), time.monotonic()
        pairs = alternating(port, list(urls.values()), args)
        client_cpu = (sum(psutil.Process().cpu_times()[:2]) - cpu) / (time.monotonic() - wall)
    finally:
        server_stop(server)
    extra = {"warm_up_s": round(warm_s, 1), "workers_rss_mib": rss, "client_cpu_cores": round(client_cpu, 2)}
    result, shapes = report(args, cases, samples, pairs, extra)
    path = results_write(f"http-{args.scale}{'-cold' if args.cold else ''}", {**result, "shapes": shapes})
    report_print(result, shapes)
    print(f"\nwritten {path}")
    return result


def report(
    args: argparse.Namespace,
    cases: list[Case],
    samples: dict[str, list[float]],
    pairs: list[dict[str, float]],
    extra: dict[str, Any],
) -> tuple[dict[str, Any], list[list[object]]]:
    sizes, failed = samples.pop("_bytes"), samples.pop("_failed")
    p50, p95 = p50_p95([s for values in samples.values() for s in values])
    by_shape: dict[str, list[float]] = {}
    for case in cases:
        by_shape.setdefault(case.shape, []).extend(samples[case.name])
    shapes = sorted(([k, ms(p50_p95(v)[0]), ms(p50_p95(v)[1])] for k, v in by_shape.items()), key=lambda r: -r[1])
    client = f"python http.client, keep-alive; latency: 1 connection; throughput: {args.concurrency} threads"
    result = {
        "scale": args.scale,
        "results_remembered": not args.cold,
        "workers": args.workers,
        "client": f"{client} x {args.seconds} s per round",
        "queries": len(cases),
        "rounds": args.rounds,
        "http_p50_ms": ms(p50),
        "http_p95_ms": ms(p95),
        "median_body_bytes": int(statistics.median(sizes)),
        "non_200_answers": len(failed),
        "throughput_pairs": pairs,
        "search_rps_median": round(statistics.median(p["search"] for p in pairs), 1),
        "healthz_rps_median": round(statistics.median(p["healthz"] for p in pairs), 1),
        "ratio_median": round(statistics.median(p["ratio"] for p in pairs), 3),
        **extra,
    }
    return result, shapes


HEADERS = ("scale", "queries", "HTTP p50 ms", "HTTP p95 ms", "search req/s", "healthz req/s", "ratio", "worker RSS MiB")
KEYS = ("scale", "queries", "http_p50_ms", "http_p95_ms", "search_rps_median", "healthz_rps_median", "ratio_median")


def report_print(result: dict[str, Any], shapes: list[list[object]]) -> None:
    rss = "/".join(str(r) for r in result["workers_rss_mib"])
    print(table(HEADERS, [[*(result[k] for k in KEYS), rss]]))
    print()
    print(table(("shape", "HTTP p50 ms", "HTTP p95 ms"), shapes))
    slowest = ", ".join(f"{r[0]} {r[1]}" for r in shapes[:5])
    status_append(
        f"http-{result['scale']}{'' if result['results_remembered'] else ' cold'}: "
        f"p50 {result['http_p50_ms']} ms p95 {result['http_p95_ms']} ms "
        f"({result['queries']} anonymous queries x {result['rounds']}); throughput search "
        f"{result['search_rps_median']:.0f}/s vs healthz {result['healthz_rps_median']:.0f}/s "
        f"= {result['ratio_median']:.3f}x; slowest shapes (p50 ms): {slowest}"
    )
