"""The SQL reference on PostgreSQL, given the best indexes we could think of, against the engine.

A throwaway cluster on loopback, as .ci/run starts one (initdb as the postgres user, trust auth,
fsync off), tuned for a read benchmark on this machine; the same catalog is loaded into it with
benchmarks/generate.py and DATABASE_URL; then this script runs itself again with DATABASE_URL set,
which adds the indexes, runs VACUUM ANALYZE, and measures like `inprocess` (the engine's index is
built from PostgreSQL too). The cluster is removed at the end unless --keep.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from common import BENCH, REPO

PGBIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")])
SETTINGS = (
    "listen_addresses=127.0.0.1",
    "fsync=off",
    "full_page_writes=off",
    "shared_buffers=2GB",
    "effective_cache_size=8GB",
    "work_mem=64MB",
    "maintenance_work_mem=1GB",
    "random_page_cost=1.1",
    "max_wal_size=8GB",
    "jit=off",  # JIT compiles each reference query anew; it only adds latency at these sizes
)
# The reference's shapes: EXISTS on a title's tags by tag and relevance, EXISTS on profile values,
# facet reads of every tag and value of the result, the age gate, and the sort orders.
INDEXES = (
    ("bench_titletag_tag", "catalog_titletag", "(tag_id, relevance, title_id)"),
    ("bench_titletag_title", "catalog_titletag", "(title_id) INCLUDE (tag_id, relevance, spoiler)"),
    ("bench_tav_value", "catalog_titleaxisvalue", "(axis_id, value_id, title_id)"),
    ("bench_tav_title", "catalog_titleaxisvalue", "(title_id) INCLUDE (axis_id, value_id)"),
    ("bench_title_rating", "catalog_title", "(content_rating, id)"),
    ("bench_title_popularity", "catalog_title", "(popularity DESC, id)"),
    ("bench_title_score", "catalog_title", "(score DESC NULLS LAST, id)"),
    ("bench_title_start", "catalog_title", "(start_date DESC NULLS LAST, id)"),
    ("bench_title_title", "catalog_title", '((title COLLATE "C"), id)'),
    ("bench_title_facets", "catalog_title", "(id) INCLUDE (content_rating, status, format, country, chapters)"),
    ("bench_alttitle_title", "catalog_alttitle", "(title_id) INCLUDE (text)"),
    ("bench_tag_slug", "taxonomy_tag", "(slug, id)"),
)


def _as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, stdout=subprocess.DEVNULL)  # noqa: S603, S607 (runuser from PATH runs PostgreSQL's binaries)


def cluster_dir(scale: str) -> Path:
    return Path("/tmp") / f"shuraba-bench-pg-{scale}"  # noqa: S108 (owned by the postgres user, like .ci/run's)


def cluster_start(pgdata: Path, port: int, *, fresh: bool) -> None:
    binary = PGBIN[-1]
    if fresh:
        shutil.rmtree(pgdata, ignore_errors=True)
        pgdata.mkdir(parents=True)
        shutil.chown(pgdata, "postgres")
        _as_postgres(str(binary / "initdb"), "-D", str(pgdata), "-U", "shuraba", "--auth=trust", "-E", "UTF8")
    options = " ".join(f"-c {s}" for s in SETTINGS) + f" -p {port} -k {pgdata}"
    _as_postgres(
        str(binary / "pg_ctl"), "-D", str(pgdata), "-w", "-l", str(pgdata / "server.log"), "-o", options, "start"
    )
    if fresh:
        _as_postgres(str(binary / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "shuraba", "shuraba")


def cluster_stop(pgdata: Path, *, remove: bool) -> None:
    subprocess.run(  # noqa: S603 (PostgreSQL's pg_ctl, fixed arguments)
        ["runuser", "-u", "postgres", "--", str(PGBIN[-1] / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "stop"],  # noqa: S607 (runuser from PATH, as root runs it)
        check=False,
        stdout=subprocess.DEVNULL,
    )
    if remove:
        shutil.rmtree(pgdata, ignore_errors=True)


def indexes_add() -> None:
    """Run inside the child (DATABASE_URL set): the indexes, then fresh statistics and visibility maps."""
    from django.db import connection  # noqa: PLC0415 (after django.setup)

    with connection.cursor() as cursor:
        for name, table, columns in INDEXES:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}")
        cursor.execute("VACUUM ANALYZE")


def run(args: argparse.Namespace) -> None:
    pgdata = cluster_dir(args.scale)
    reuse = args.reuse and (pgdata / "PG_VERSION").exists()
    cluster_start(pgdata, args.port, fresh=not reuse)
    env = {**os.environ, "DATABASE_URL": f"postgres://shuraba@127.0.0.1:{args.port}/shuraba"}
    try:
        if not reuse:
            kind = ["real"] if args.scale == "real" else ["synthetic", "--scale", args.scale]
            subprocess.run([sys.executable, str(BENCH / "generate.py"), *kind], cwd=REPO, env=env, check=True)  # noqa: S603 (our own benchmark scripts, fixed arguments)
        command = [sys.executable, str(BENCH / "search_bench.py"), "postgres", "--scale", args.scale]
        command += ["--rounds", str(args.rounds), "--reference-rounds", str(args.reference_rounds)]
        command += ["--time-limit", str(args.time_limit)]
        if args.reference_limit is not None:
            command += ["--reference-limit", str(args.reference_limit)]
        subprocess.run(command, cwd=REPO, env=env, check=True)  # noqa: S603 (our own benchmark scripts, fixed arguments)
    finally:
        cluster_stop(pgdata, remove=not args.keep)
