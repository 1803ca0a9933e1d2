"""Hand-made source records, and a snapshot of every catalog and importer table, for the pipeline tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps

from shuraba.importers.records import SourceCreator, SourceRecord, SourceTag
from tests.shared_data import shared_data_dir

SHARED_DATA = shared_data_dir()
COLLECTION = SHARED_DATA / "anilist_manga_nonadult.jsonl"


def record(
    source: str = "anilist", source_id: str = "1", title: str = "Kanojo no Himitsu", **fields: Any
) -> SourceRecord:
    """A source record as an adapter would yield it; non-adult AniList facts unless told otherwise."""
    defaults: dict[str, Any] = {
        "alt_titles": (("romaji", title),),
        "format": "manga",
        "status": "finished",
        "country": "JP",
        "start_date": dt.date(2015, 4, 1),
        "chapters": 40,
        "is_adult": False,
        "tags": (SourceTag("Love Triangle", rank=85), SourceTag("Drama", kind="genre")),
        "creators": (SourceCreator("Aoi Mizuhara", role="story-art"),),
    }
    return SourceRecord(source=source, source_id=source_id, title=title, **{**defaults, **fields})


def table_rows() -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every catalog and importer table (minus timestamps that `auto_now` moves)."""
    rows: dict[str, set[tuple[Any, ...]]] = {}
    for label in ("catalog", "importers"):
        for model in apps.get_app_config(label).get_models():
            names = [f.attname for f in model._meta.concrete_fields]
            rows[model.__name__] = {tuple(repr(v) for v in row) for row in model.objects.values_list(*names)}
    return rows
