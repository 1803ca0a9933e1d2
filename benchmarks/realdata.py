"""The real catalog for the benchmark: the 4,045 AniList titles of ../shared/data, read in place.

Tags and genres map onto our tag of the same slug; the others become tags named after the AniList
tag in the benchmark's "synthetic" category (benchmark database only). The file is never copied.
The collection is non-adult only, so every title is rated mature, as our importer rates it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common import shared_data
from django.utils.text import slugify

from shuraba.catalog.models import AltTitle, Title, TitleTag
from shuraba.taxonomy.models import Tag, TagCategory

FILE = "anilist_manga_nonadult.jsonl"
SOURCE = "import:anilist"
GENRE_RELEVANCE = 100  # AniList genres carry no rank: they apply to the whole work
STATUSES = {"FINISHED": "finished", "RELEASING": "releasing", "CANCELLED": "cancelled", "HIATUS": "hiatus"}


def rows_read(path: Path | None = None) -> Iterator[dict[str, Any]]:
    path = path or shared_data() / FILE
    if not path.exists():
        raise SystemExit(f"{path} is missing: set SHURABA_SHARED_DATA to the folder holding {FILE}")
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _score(distribution: dict[str, int]) -> int | None:
    votes = sum(distribution.values())
    return round(sum(int(bucket) * n for bucket, n in distribution.items()) / votes) if votes else None


def _tag_pks(rows: list[dict[str, Any]], category: TagCategory) -> dict[str, int]:
    """AniList tag or genre name -> our tag pk, creating benchmark tags for names we lack."""
    ours = dict(Tag.objects.values_list("slug", "pk"))
    names = sorted({t["name"] for r in rows for t in r["tags"]} | {g for r in rows for g in r["genres"]})
    new = [n for n in names if slugify(n) not in ours]
    Tag.objects.bulk_create(
        Tag(slug=slugify(n), name=n, category=category, definition="An AniList tag or genre (benchmark only).")
        for n in new
    )
    ours = dict(Tag.objects.values_list("slug", "pk"))
    return {n: ours[slugify(n)] for n in names}


def _title(pk: int, row: dict[str, Any]) -> Title:
    romaji = row["title_romaji"] or row["title_english"] or f"AniList {row['anilist_id']}"
    start = dt.date.fromisoformat(row["start_date"]) if row["start_date"] else None
    end = dt.date.fromisoformat(row["end_date"]) if row["end_date"] else None
    return Title(
        pk=pk,
        slug=f"{slugify(romaji)[:150] or 'anilist'}-{row['anilist_id']}",
        title=romaji,
        status=STATUSES[row["status"]],
        country=row["country_of_origin"],
        start_date=start,
        end_date=end,
        content_rating="mature",
        score=_score(row["score_distribution"]),
        popularity=row["list_users"],
    )


def _tags(pk: int, row: dict[str, Any], tag_pks: dict[str, int]) -> list[TitleTag]:
    relevance: dict[int, int] = {}
    for name, rank in [*((g, GENRE_RELEVANCE) for g in row["genres"]), *((t["name"], t["rank"]) for t in row["tags"])]:
        tag = tag_pks[name]
        relevance[tag] = max(rank, relevance.get(tag, 0))
    return [TitleTag(title_id=pk, tag_id=tag, relevance=r, source=SOURCE) for tag, r in relevance.items()]


def load(*, category: TagCategory) -> None:
    rows = list(rows_read())
    tag_pks = _tag_pks(rows, category)
    titles, alts, tags = [], [], []
    for pk, row in enumerate(rows, start=1):
        titles.append(_title(pk, row))
        names = {("romaji", row["title_romaji"]), ("english", row["title_english"])}
        alts += [AltTitle(title_id=pk, kind=kind, text=text.strip()) for kind, text in sorted(names) if text]
        tags += _tags(pk, row, tag_pks)
    Title.objects.bulk_create(titles, batch_size=2000)
    AltTitle.objects.bulk_create(alts, batch_size=2000)
    TitleTag.objects.bulk_create(tags, batch_size=2000)
    print(f"  {len(titles):,} titles from {FILE}")
