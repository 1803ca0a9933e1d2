"""Rows of the AniList research collection (`anilist_manga_nonadult.jsonl`, see ../shared/data/README.md).

A field-mapping table: each rule reads one of the file's fields, checks its type and says what it becomes.
The file has no MAL ids, staff, chapters, volumes, format or synonyms; those stay unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shuraba.importers.facts import RecordInvalid
from shuraba.importers.records import SourceRecord, SourceTag

STATUSES = {
    "FINISHED": "finished",
    "RELEASING": "releasing",
    "CANCELLED": "cancelled",
    "HIATUS": "hiatus",
    "NOT_YET_RELEASED": "not-yet-released",
}


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__.replace("str", "text").replace("dict", "object")


def _int(row: Mapping[str, Any], key: str, *, required: bool = False) -> int | None:
    value = row.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordInvalid(f"{key}: expected a whole number, got {_type(value)} {value!r}")
    if value < 0:
        raise RecordInvalid(f"{key}: expected 0 or more, got {value}")
    return value


def _text(row: Mapping[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordInvalid(f"{key}: expected text, got {_type(value)} {value!r}")
    return value.strip() or None


def _date(row: Mapping[str, Any], key: str) -> dt.date | None:
    value = _text(row, key)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise RecordInvalid(f"{key}: expected a YYYY-MM-DD date, got {value!r}") from exc


def _status(row: Mapping[str, Any]) -> str | None:
    value = _text(row, "status")
    if value is not None and value not in STATUSES:
        raise RecordInvalid(f"status: unknown value {value!r} (known: {', '.join(STATUSES)})")
    return STATUSES.get(value or "")


def _adult(row: Mapping[str, Any]) -> bool:
    value = row.get("is_adult")
    if not isinstance(value, bool):
        raise RecordInvalid(f"is_adult: expected true or false, got {_type(value)} {value!r}")
    return value


def _score(row: Mapping[str, Any]) -> int | None:
    """The mean of the score distribution (buckets 10-100 with user counts), rounded; None without votes."""
    total, weighted = _distribution(row)
    return round(weighted / total) if total else None


def _votes(row: Mapping[str, Any]) -> int | None:
    """How many readers scored the title: the score distribution's counts summed; None without votes."""
    return _distribution(row)[0] or None


def _distribution(row: Mapping[str, Any]) -> tuple[int, int]:
    """(readers who scored, the sum of their scores), from the distribution's buckets."""
    buckets = row.get("score_distribution")
    if buckets is None:
        return 0, 0
    if not isinstance(buckets, Mapping):
        raise RecordInvalid(f"score_distribution: expected an object, got {_type(buckets)}")
    total = weighted = 0
    for bucket, count in buckets.items():
        if not str(bucket).isdigit() or not 0 <= int(bucket) <= 100:
            raise RecordInvalid(f"score_distribution: bucket {bucket!r} is not a score 0-100")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise RecordInvalid(f"score_distribution[{bucket}]: expected a count, got {count!r}")
        total, weighted = total + count, weighted + int(bucket) * count
    return total, weighted


def _country(row: Mapping[str, Any]) -> str | None:
    value = _text(row, "country_of_origin")
    if value is not None and not (len(value) == 2 and value.isalpha() and value.isascii()):
        raise RecordInvalid(f"country_of_origin: expected a two-letter code, got {value!r}")
    return value.upper() if value else None


def _tags(row: Mapping[str, Any]) -> tuple[SourceTag, ...]:
    tags, genres = row.get("tags") or [], row.get("genres") or []
    if not isinstance(tags, list) or not isinstance(genres, list):
        raise RecordInvalid("tags and genres: expected lists")
    result = []
    for index, tag in enumerate(tags):
        if not isinstance(tag, Mapping) or not isinstance(tag.get("name"), str):
            raise RecordInvalid(f"tags[{index}]: expected an object with a name, got {tag!r}"[:300])
        rank = _int(tag, "rank")
        if rank is not None and rank > 100:
            raise RecordInvalid(f"tags[{index}].rank: expected 0-100, got {rank}")
        result.append(SourceTag(name=tag["name"], rank=rank, kind="tag"))
    for index, genre in enumerate(genres):
        if not isinstance(genre, str):
            raise RecordInvalid(f"genres[{index}]: expected text, got {_type(genre)}")
        result.append(SourceTag(name=genre, kind="genre"))
    return tuple(result)


def _titles(row: Mapping[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    romaji, english = _text(row, "title_romaji"), _text(row, "title_english")
    if not romaji and not english:
        raise RecordInvalid("title_romaji and title_english are both empty")
    alt = tuple((kind, text) for kind, text in (("romaji", romaji), ("english", english)) if text)
    return english or romaji or "", alt


@dataclass(frozen=True)
class FieldRule:
    theirs: str
    ours: str
    read: Callable[[Mapping[str, Any]], Any]
    note: str = ""


RULES: tuple[FieldRule, ...] = (
    FieldRule("status", "status", _status, "FINISHED, RELEASING, CANCELLED, HIATUS, NOT_YET_RELEASED"),
    FieldRule("start_date", "start_date", lambda r: _date(r, "start_date"), "YYYY-MM-DD or null"),
    FieldRule("end_date", "end_date", lambda r: _date(r, "end_date"), "YYYY-MM-DD or null"),
    FieldRule("country_of_origin", "country", _country, "ISO 3166-1 alpha-2"),
    FieldRule("is_adult", "is_adult", _adult, "required; false is the rating not-adult (at most mature)"),
    FieldRule("list_users", "popularity", lambda r: _int(r, "list_users"), "users with the title on a list"),
    FieldRule("score_distribution", "score", _score, "mean of the buckets, 0-100"),
    FieldRule("score_distribution", "score_votes", _votes, "the buckets' counts summed: readers who scored"),
    FieldRule("tags[].name, rank", "tags", _tags, "kind tag with rank; genres[] as kind genre, unranked"),
)


def dataset_row_parse(row: Any) -> SourceRecord:
    """One line of the collection as a SourceRecord; raises RecordInvalid naming the field at fault."""
    if not isinstance(row, Mapping):
        raise RecordInvalid(f"expected a JSON object, got {_type(row)}")
    if row.get("source", "anilist") != "anilist":
        raise RecordInvalid(f"source: expected 'anilist', got {row.get('source')!r}")
    anilist_id = _int(row, "anilist_id", required=True)
    if not anilist_id:
        raise RecordInvalid("anilist_id: expected a positive id, got 0")
    title, alt_titles = _titles(row)
    values = {rule.ours: rule.read(row) for rule in RULES}
    return SourceRecord(
        source="anilist",
        source_id=str(anilist_id),
        title=title,
        alt_titles=alt_titles,
        url=f"https://anilist.co/manga/{anilist_id}",
        **values,
    )
