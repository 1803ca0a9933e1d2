"""The fictional sample's reading lists (`content/sample_lists.toml`): editorial starter lists over the sample
catalog's titles, loaded once. A list already there is the site's and is left as it is; a title the catalog
does not hold stops the load before anything is written."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from shuraba.catalog.models import Title
from shuraba.core.errors import DataFileError
from shuraba.lists.models import Kind, ListItem, ReadingList

SAMPLE_LISTS = Path(__file__).with_name("content") / "sample_lists.toml"


@dataclass(frozen=True)
class ListsLoaded:
    created: int
    kept: int
    skipped: bool = False  # the catalog holds none of the sample's titles (a real catalog): nothing to list

    def __str__(self) -> str:
        if self.skipped:
            return "sample reading lists: skipped (the catalog does not hold the fictional sample)"
        return f"sample reading lists: {self.created} created, {self.kept} kept as the site has them"


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"{path.name}: {exc}") from exc
    lists = data.get("list")
    if not isinstance(lists, list) or not all(isinstance(x, dict) for x in lists):
        raise DataFileError(f"{path.name}: expected [[list]] tables")
    return lists


@transaction.atomic
def lists_sample_load(*, path: Path = SAMPLE_LISTS) -> ListsLoaded:
    lists = _read(path)
    wanted = {str(item.get("title", "")) for entry in lists for item in entry.get("item", [])}
    titles = {t.slug: t for t in Title.objects.filter(slug__in=wanted)}
    if not titles:
        return ListsLoaded(0, 0, skipped=True)
    missing = sorted(wanted - set(titles))
    if missing:
        raise DataFileError(f"{path.name}: the catalog has no title {missing[0]!r} (load the sample catalog first)")
    created = kept = 0
    for entry in lists:
        slug = str(entry.get("slug", ""))
        if not slug or ReadingList.objects.filter(slug=slug).exists():
            kept += 1
            continue
        made = ReadingList.objects.create(
            slug=slug, name=str(entry["name"]), intro=str(entry.get("intro", "")).strip(), kind=Kind.EDITORIAL,
            starter=True, focus=str(entry.get("focus", "")),
        )  # fmt: skip
        ListItem.objects.bulk_create(
            ListItem(reading_list=made, title=titles[str(item["title"])], position=n, note=str(item.get("note", "")))
            for n, item in enumerate(entry.get("item", []), 1)
        )
        created += 1
    return ListsLoaded(created, kept)
