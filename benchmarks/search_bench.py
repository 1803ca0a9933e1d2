"""The search benchmark (issue 3, part 9). Each subcommand prints Markdown tables and writes
benchmarks/results/<subcommand>-<scale>.json; none of them fails on a time (STYLE habit 8).

    python benchmarks/search_bench.py inprocess --scale real
    python benchmarks/search_bench.py inprocess --scale synthetic-200k --reference-limit 40
    python benchmarks/search_bench.py http --scale synthetic-200k
    python benchmarks/search_bench.py tantivy --scale synthetic-200k
    python benchmarks/search_bench.py postgres --scale synthetic-200k
    python benchmarks/search_bench.py rules --scale synthetic-200k

Fill the databases first with benchmarks/generate.py (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os

from common import data_dir, django_setup


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("inprocess", "http", "tantivy", "postgres", "rules"):
        command = sub.add_parser(name)
        command.add_argument("--scale", default="real", help="real, synthetic-200k or synthetic-<N>")
        command.add_argument("--rounds", type=int, default=5, help="rounds over the whole mix")
        if name in ("inprocess", "postgres"):
            command.add_argument("--reference-rounds", type=int, default=1, help="rounds of the SQL reference")
            command.add_argument(
                "--reference-limit", type=int, default=None, help="at most this many reference queries"
            )
            command.add_argument("--time-limit", type=float, default=120.0, help="seconds per reference query")
        if name in ("http", "rules"):
            command.add_argument("--workers", type=int, default=2)
        if name == "rules":
            command.add_argument("--parts", default="mix,change,http", help="any of mix, change, http (comma list)")
            command.add_argument("--changes", type=int, default=30, help="rule changes per series")
            command.add_argument("--requests", type=int, default=200, help="HTTP requests of each kind")
        if name == "http":
            command.add_argument("--concurrency", type=int, default=8, help="client threads in throughput rounds")
            command.add_argument("--seconds", type=float, default=10.0, help="length of one throughput round")
            command.add_argument(
                "--cold", action="store_true", help="the server remembers no results (SHURABA_SEARCH_CACHE_RESULTS=0)"
            )
        if name == "postgres":
            command.add_argument("--keep", action="store_true", help="keep the loaded cluster for another run")
            command.add_argument("--reuse", action="store_true", help="use the kept cluster as it is")
            command.add_argument("--port", type=int, default=54339)
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    if args.command == "postgres" and not os.environ.get("DATABASE_URL"):
        import bench_postgres  # noqa: PLC0415 (each subcommand imports only what it needs)

        bench_postgres.run(args)
        return
    if args.command != "http":
        # Engine against the reference and tantivy: cold answers on both sides (neither of them remembers
        # results); the index still keeps its derived columns, as it does in production.
        os.environ["SHURABA_SEARCH_CACHE_RESULTS"] = "0"
    database = "postgres" if os.environ.get("DATABASE_URL") else "sqlite"
    django_setup(args.scale, database=database)
    if args.command == "rules":
        import bench_rules  # noqa: PLC0415 (each subcommand imports only what it needs)

        bench_rules.run(args, data_dir(args.scale))
        return
    if args.command == "http":
        import bench_http  # noqa: PLC0415 (each subcommand imports only what it needs)

        bench_http.run(args, data_dir(args.scale))
        return
    if args.command == "tantivy":
        import bench_tantivy  # noqa: PLC0415 (each subcommand imports only what it needs)

        bench_tantivy.run(scale=args.scale, rounds=args.rounds)
        return
    if args.command == "postgres":
        import bench_postgres  # noqa: PLC0415 (each subcommand imports only what it needs)

        bench_postgres.indexes_add()
    import bench_inprocess  # noqa: PLC0415 (each subcommand imports only what it needs)

    bench_inprocess.run(
        scale=args.scale,
        database=database,
        rounds=args.rounds,
        reference_rounds=args.reference_rounds,
        reference_limit=args.reference_limit,
        limit_s=args.time_limit,
    )


if __name__ == "__main__":
    main()
