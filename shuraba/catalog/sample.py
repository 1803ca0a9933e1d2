"""The fictional sample catalog (sample/*.toml): loaded into an empty database by `sample_load`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from shuraba.catalog import services
from shuraba.catalog.models import SOURCE_EDITOR, Title
from shuraba.core.datafiles import optional, require, toml_read
from shuraba.core.errors import DataFileError, ShurabaError

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
SAMPLE_REASON = "fictional sample catalog"
PROFILE_AXES = (
    "centrality",
    "subgenre",
    "perspective",
    "relationship",
    "rival",
    "drift",
    "consent",
    "revelation",
    "ending",
    "intensity",
    "depth",
)


@dataclass
class LoadReport:
    files: int = 0
    creators: int = 0
    titles: int = 0
    skipped: bool = False

    def __str__(self) -> str:
        if self.skipped:
            return "the catalog already has titles; the sample catalog was not loaded"
        return f"loaded {self.titles} fictional titles and {self.creators} creators from {self.files} files"


def _date(entry: dict[str, Any], key: str, where: str) -> dt.date | None:
    value = entry.get(key)
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DataFileError(f"{where}: {key} {value!r} is not a YYYY-MM-DD date") from exc


def _axis_values(value: Any, where: str) -> dict[str, float]:
    """Profile values as written: "core", 4, ["friend", "boss"] or {netorare = 1.0}."""
    if isinstance(value, dict):
        return {str(k): float(v) for k, v in value.items()}
    if isinstance(value, list):
        return {str(v): 1.0 for v in value}
    if isinstance(value, str | int) and not isinstance(value, bool):
        return {str(value): 1.0}
    raise DataFileError(f"{where}: cannot read profile value {value!r}")


def _title_fields(entry: dict[str, Any], where: str) -> dict[str, Any]:
    return {
        "title": require(entry, "title", str, where),
        "description": require(entry, "description", str, where),
        "format": require(entry, "format", str, where),
        "status": require(entry, "status", str, where),
        "country": require(entry, "country", str, where),
        "start_date": _date(entry, "start_date", where),
        "end_date": _date(entry, "end_date", where),
        "chapters": optional(entry, "chapters", int, where),
        "volumes": optional(entry, "volumes", int, where),
        "content_rating": services.content_rating_validate(require(entry, "content_rating", str, where)),
        "score": optional(entry, "score", int, where),
        "popularity": optional(entry, "popularity", int, where, default=0),
        "is_fictional": True,
    }


def _load_profile(title: Title, entry: dict[str, Any], where: str) -> None:
    profile = require(entry, "profile", dict, where)
    provenance = optional(entry, "provenance", dict, where, default={})
    for axis_key, raw in profile.items():
        prov = provenance.get(axis_key, {})
        services.title_axis_set(
            title=title,
            axis_key=axis_key,
            values=_axis_values(raw, f"{where} profile.{axis_key}"),
            source=prov.get("source", SOURCE_EDITOR),
            confidence=float(prov.get("confidence", 1.0)),
            reason=SAMPLE_REASON,
        )


def _load_title(entry: dict[str, Any], creators: dict[str, Any], where: str) -> None:
    slug = require(entry, "slug", str, where)
    where = f"{where} ({slug})"
    title = services.title_create(slug=slug, source=SOURCE_EDITOR, reason=SAMPLE_REASON, **_title_fields(entry, where))
    for alt in optional(entry, "alt_titles", list, where, default=[]):
        services.title_alt_title_add(title=title, kind=alt["kind"], text=alt["text"], source=SOURCE_EDITOR)
    for credit in optional(entry, "credits", list, where, default=[]):
        if credit["creator"] not in creators:
            raise DataFileError(f"{where}: unknown creator {credit['creator']!r}")
        services.title_credit_add(
            title=title, creator=creators[credit["creator"]], role=credit["role"], source=SOURCE_EDITOR
        )
    for tag in optional(entry, "tags", list, where, default=[]):
        services.title_tag_set(
            title=title,
            tag_slug=tag["tag"],
            relevance=int(tag["relevance"]),
            spoiler=tag.get("spoiler", "none"),
            severity=tag.get("severity", ""),
            source=SOURCE_EDITOR,
        )
    _load_profile(title, entry, where)
    for stage in optional(entry, "stages", list, where, default=[]):
        start, end = stage.get("chapters", [None, None])
        services.title_stage_set(
            title=title,
            stage=stage["stage"],
            chapter_start=start,
            chapter_end=end,
            note=stage.get("note", ""),
            spoiler=stage.get("spoiler", "none"),
            source=SOURCE_EDITOR,
        )


def _read_file(path: Path) -> dict[str, Any]:
    data = toml_read(path)
    if data.get("fictional") is not True or not data.get("notice"):
        raise DataFileError(f"{path.name}: a sample file must say `fictional = true` and carry a notice")
    return data


def _load_creators(path: Path, data: dict[str, Any], creators: dict[str, Any]) -> None:
    for index, entry in enumerate(optional(data, "creators", list, path.name, default=[])):
        where = f"{path.name} creator #{index + 1}"
        slug = require(entry, "slug", str, where)
        if slug in creators:
            raise DataFileError(f"{where}: creator {slug!r} is defined twice")
        creators[slug] = services.creator_upsert(
            slug=slug, name=require(entry, "name", str, where), native_name=entry.get("native_name", "")
        )


def _load_titles(path: Path, data: dict[str, Any], creators: dict[str, Any]) -> int:
    titles = optional(data, "titles", list, path.name, default=[])
    for index, entry in enumerate(titles):
        where = f"{path.name} title #{index + 1}"
        try:
            _load_title(entry, creators, where)
        except DataFileError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(f"{where}: malformed entry ({exc})") from exc
        except ShurabaError as exc:
            raise DataFileError(f"{where}: {exc}") from exc
    return len(titles)


@transaction.atomic
def sample_load(*, directory: Path = SAMPLE_DIR, force: bool = False) -> LoadReport:
    """Load every sample file into an empty catalog: all or nothing."""
    report = LoadReport()
    if Title.objects.exists() and not force:
        report.skipped = True
        return report
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise DataFileError(f"{directory}: no sample files")
    files = [(path, _read_file(path)) for path in paths]
    creators: dict[str, Any] = {}
    for path, data in files:
        _load_creators(path, data, creators)
    for path, data in files:
        report.titles += _load_titles(path, data, creators)
    report.files, report.creators = len(files), len(creators)
    return report
