"""Import speed (issue 4's bar: >= 1,000 titles/s): the 4,045-title AniList collection into an empty SQLite database.

    .venv/bin/python benchmarks/import_bench.py                      # median of 3 runs
    .venv/bin/python benchmarks/import_bench.py --runs 5 --file PATH

Each run is a fresh process with a fresh data directory: `migrate` and `taxonomy_sync` (not timed), then
one `file_import` of the whole file (timed: reading, parsing, tag mapping, identity, the bulk writes with
their history rows, suggestions), then the same file again (timed: the idempotent rerun, nothing written).
Not a test: it reports and never fails on a time (STYLE habit 8).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import shared_data

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FILE = shared_data() / "anilist_manga_nonadult.jsonl"


def _one(data_dir: Path, path: Path) -> None:
    """Child process: migrate an empty database, then time two imports of the file."""
    import time  # noqa: PLC0415 (the child imports Django only after pointing it at its own data directory)

    os.environ["SHURABA_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPO))
    import django  # noqa: PLC0415 (after SHURABA_DATA_DIR is set)

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415 (after django.setup)

    from shuraba.importers.runs import file_import  # noqa: PLC0415 (after django.setup)

    call_command("migrate", verbosity=0)
    call_command("taxonomy_sync", verbosity=0)
    started = time.perf_counter()
    first = file_import(path=path)
    middle = time.perf_counter()
    second = file_import(path=path)
    ended = time.perf_counter()
    result = {
        "created": first.run.created,
        "rejected": first.run.rejected,
        "seconds": middle - started,
        "unchanged": second.run.unchanged,
        "rerun_seconds": ended - middle,
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _one(args.one, args.file)
        return
    results = []
    for index in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="shuraba-import-bench-") as tmp:
            child = subprocess.run(  # noqa: S603 (this script again, as a fresh child process)
                [sys.executable, __file__, "--one", tmp, "--file", str(args.file)],
                capture_output=True,
                text=True,
                check=True,
                env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            )
        result = json.loads(child.stdout.strip().splitlines()[-1])
        results.append(result)
        rate = result["created"] / result["seconds"]
        print(
            f"run {index + 1}: {result['created']} titles in {result['seconds']:.2f} s = {rate:,.0f} titles/s; "
            f"rerun {result['unchanged']} unchanged in {result['rerun_seconds']:.2f} s"
        )
    seconds = statistics.median(r["seconds"] for r in results)
    rerun = statistics.median(r["rerun_seconds"] for r in results)
    titles = results[0]["created"]
    print(
        f"median of {len(results)}: {titles} titles in {seconds:.2f} s = {titles / seconds:,.0f} titles/s "
        f"(bar: 1,000); idempotent rerun {rerun:.2f} s = {titles / rerun:,.0f} titles/s"
    )


if __name__ == "__main__":
    main()
