"""Fill a benchmark database: a seeded synthetic catalog, or the real 4,045 AniList titles.

    python benchmarks/generate.py synthetic --scale synthetic-200k    # 200,000 titles, 2,000 extra tags
    python benchmarks/generate.py real                                 # ../shared/data, 4,045 titles

The SQLite database lives in benchmarks/var/<scale>/ and is recreated each run. With DATABASE_URL set
(see `search_bench.py postgres`), that database is used instead and must hold no titles yet.
Everything is written with bulk_create, which skips the services on purpose: a benchmark catalog is
not an edit history, so it gets one change-log row at the end (the engine's change counter) and
no ChangeRecords.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from common import SEED, data_dir, django_setup, scale_titles

SYNTHETIC_CATEGORY = "synthetic"


def database_prepare(scale: str, *, database: str) -> None:
    """A fresh SQLite file for the scale, or an empty PostgreSQL database; migrated, taxonomy synced."""
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(data_dir(scale), f"shuraba.sqlite3{suffix}").unlink(missing_ok=True)
    django_setup(scale, database=database)
    from django.core.management import call_command  # noqa: PLC0415 (after django.setup)

    from shuraba.catalog.models import Title  # noqa: PLC0415 (after django.setup)

    call_command("migrate", interactive=False, verbosity=0)
    if Title.objects.exists():
        raise SystemExit("the database already holds titles; give the benchmark an empty one")
    call_command("taxonomy_sync", verbosity=0)


def synthetic_category() -> object:
    """The category of benchmark-only tags: created in the benchmark database, never in taxonomy.toml."""
    from shuraba.taxonomy.models import TagCategory  # noqa: PLC0415 (after django.setup)

    category, _ = TagCategory.objects.get_or_create(
        key=SYNTHETIC_CATEGORY,
        defaults={
            "label": "Synthetic (benchmark only)",
            "definition": "Tags made up by the search benchmark; they exist only in benchmark databases.",
            "order": 99,
        },
    )
    return category


def finish(started: float) -> None:
    """Announce the catalog to the index (one change row) and give the planner statistics."""
    from django.db import connection  # noqa: PLC0415 (after django.setup)

    from shuraba.catalog.models import Title  # noqa: PLC0415 (after django.setup)
    from shuraba.core.changelog import change_announce  # noqa: PLC0415 (after django.setup)
    from shuraba.core.models import Change  # noqa: PLC0415 (after django.setup)

    last = Title.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    change_announce(title_id=last)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style  # noqa: PLC0415 (after django.setup)

        # Explicit pks leave the id sequences behind; later writes (none here) would collide.
        statements = connection.ops.sequence_reset_sql(no_style(), [Title, Change])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    print(f"done in {time.perf_counter() - started:.1f} s: {catalog_summary()}")


def catalog_summary() -> str:
    from django.db.models import Count  # noqa: PLC0415 (after django.setup)

    from shuraba.catalog.models import AltTitle, Title, TitleAxisValue, TitleTag  # noqa: PLC0415 (after django.setup)
    from shuraba.taxonomy.models import Tag  # noqa: PLC0415 (after django.setup)

    per_tag = sorted(
        Tag.objects.annotate(n=Count("title_tags")).values_list("n", flat=True),
        reverse=True,
    )
    median = per_tag[len(per_tag) // 2] if per_tag else 0
    return (
        f"{Title.objects.count():,} titles, {AltTitle.objects.count():,} alt titles, "
        f"{TitleTag.objects.count():,} tag assignments over {len(per_tag):,} tags "
        f"(most used {per_tag[0] if per_tag else 0:,}, median {median:,}), "
        f"{TitleAxisValue.objects.count():,} profile values"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="kind", required=True)
    synthetic = sub.add_parser("synthetic", help="a seeded synthetic catalog")
    synthetic.add_argument("--scale", default="synthetic-200k", help="synthetic-200k or synthetic-<N>[k]")
    synthetic.add_argument("--tags", type=int, default=2000, help="synthetic tags added to the taxonomy's")
    synthetic.add_argument("--seed", type=int, default=SEED)
    sub.add_parser("real", help="the 4,045 AniList titles of ../shared/data (tags mapped onto ours)")
    args = parser.parse_args()
    scale = "real" if args.kind == "real" else args.scale
    if args.kind == "synthetic" and not scale.startswith("synthetic-"):
        raise SystemExit("a synthetic scale is named synthetic-<N>")
    database = "postgres" if os.environ.get("DATABASE_URL") else "sqlite"
    started = time.perf_counter()
    database_prepare(scale, database=database)
    from django.db import transaction  # noqa: PLC0415 (after django.setup)

    with transaction.atomic():
        if args.kind == "real":
            import realdata  # noqa: PLC0415 (needs Django set up)

            realdata.load(category=synthetic_category())
        else:
            import synthetic as synthetic_catalog  # noqa: PLC0415 (needs Django set up)

            synthetic_catalog.generate(
                titles=scale_titles(scale), extra_tags=args.tags, seed=args.seed, category=synthetic_category()
            )
        finish(started)


if __name__ == "__main__":
    sys.exit(main())
