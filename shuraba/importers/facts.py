"""A SourceRecord checked and turned into facts: the JSON a SourceSnapshot keeps for one source and work.

Checks happen here, before anything is written: a record that breaks an invariant of the catalog is
rejected whole with a reason, never half-imported.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from django.utils.text import slugify

from shuraba.catalog.models import AltTitleKind, ContentRating, CreditRole, Format, Severity, SpoilerLevel, Status
from shuraba.importers.identity import ID_SOURCES, cross_ids_normalize, external_id_normalize, source_name
from shuraba.importers.records import RowError, SourceCreator, SourceRecord, SourceTag

TITLE_MAX = 300
FORMATS, STATUSES, RATINGS = frozenset(Format.values), frozenset(Status.values), frozenset(ContentRating.values)
ALT_KINDS, ROLES, SPOILERS = (
    frozenset(AltTitleKind.values),
    frozenset(CreditRole.values),
    frozenset(SpoilerLevel.values),
)
SEVERITIES = frozenset(Severity.values)
INT_MAX = 2_147_483_647  # PositiveIntegerField on every backend
Facts = dict[str, Any]


class MappedTagLike(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def relevance(self) -> int: ...
    @property
    def spoiler(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def reason(self) -> str: ...


class EvidenceLike(Protocol):
    @property
    def axis(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def reason(self) -> str: ...


class MappedLike(Protocol):
    """The shape of `shuraba.importers.mapping.record_map`'s result (the alias table's verdict)."""

    @property
    def tags(self) -> Sequence[MappedTagLike]: ...
    @property
    def evidence(self) -> Sequence[EvidenceLike]: ...


Mapper = Callable[[SourceRecord], MappedLike]


class RecordInvalid(ValueError):
    """A record that cannot be imported as it is; the message says which field and why."""


def content_rating_of(record: SourceRecord) -> str:
    """The content rating a source's facts support (docs/importers.md, "Content rating").

    An adult flag always means explicit (default deny wins over a milder mapped rating); otherwise the
    adapter's own mapped rating; otherwise AniList's "not adult" flag is a rating of its own, `not-adult`:
    AniList's flag marks works meant only for 18+, so a work without it is at most mature, which is all the
    source says (not "mature", not milder). MangaUpdates' and MyAnimeList's flags are read from the
    absence of an adult genre, a weaker word, and still cap the title at mature. No flag at all stays
    unknown, i.e. age-gated.
    """
    if record.is_adult:
        return ContentRating.EXPLICIT
    if record.content_rating:
        return record.content_rating
    if record.is_adult is False:
        return ContentRating.NOT_ADULT if source_name(record.source) == "anilist" else ContentRating.MATURE
    return ContentRating.UNKNOWN


def _check_choice(name: str, value: str | None, choices: frozenset[str]) -> None:
    if value is not None and value not in choices:
        raise RecordInvalid(f"{name} {value!r} is not one of {', '.join(sorted(choices))}")


def _check_count(name: str, value: int | None, high: int = INT_MAX) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordInvalid(f"{name} must be a whole number, got {value!r}")
    if not 0 <= value <= high:
        raise RecordInvalid(f"{name} {value} is outside 0-{high}")


def _check_text(name: str, value: object, high: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RecordInvalid(f"{name} is empty")
    if len(value.strip()) > high:
        raise RecordInvalid(f"{name} is longer than {high} characters")
    return value.strip()


def _check_dates(record: SourceRecord) -> None:
    for name in ("start_date", "end_date"):
        value = getattr(record, name)
        if value is not None and not isinstance(value, dt.date):
            raise RecordInvalid(f"{name} must be a date, got {value!r}")
    if record.start_date and record.end_date and record.end_date < record.start_date:
        raise RecordInvalid(f"end_date {record.end_date} is before start_date {record.start_date}")


def _check(record: SourceRecord) -> None:
    if source_name(record.source) not in ID_SOURCES:
        raise RecordInvalid(f"unknown source {record.source!r}; use one of {', '.join(ID_SOURCES)}")
    _check_text("source_id", record.source_id, 80)
    _check_text("title", record.title, TITLE_MAX)
    _check_choice("format", record.format, FORMATS)
    _check_choice("status", record.status, STATUSES)
    _check_choice("content_rating", record.content_rating, RATINGS)
    if record.country is not None and not (
        isinstance(record.country, str) and len(record.country) == 2 and record.country.isalpha()
    ):
        raise RecordInvalid(f"country {record.country!r} is not a two-letter code")
    _check_dates(record)
    _check_count("chapters", record.chapters)
    _check_count("volumes", record.volumes)
    _check_count("score", record.score, 100)
    _check_count("score_votes", record.score_votes)
    _check_count("popularity", record.popularity)
    if record.is_adult is not None and not isinstance(record.is_adult, bool):
        raise RecordInvalid(f"is_adult must be true, false or absent, got {record.is_adult!r}")


def _alt_titles(record: SourceRecord) -> list[list[str]]:
    """Every name the source gives, the main one included (as a synonym when no kind lists it)."""
    seen: set[tuple[str, str]] = set()
    for kind, text in record.alt_titles:
        _check_choice("alt title kind", kind, ALT_KINDS)
        if isinstance(text, str) and text.strip():
            seen.add((kind, _check_text(f"{kind} title", text, TITLE_MAX)))
    if record.title.strip() not in {text for _, text in seen}:
        seen.add((AltTitleKind.SYNONYM.value, record.title.strip()))
    return [list(pair) for pair in sorted(seen)]


def _creators(creators: Sequence[SourceCreator]) -> list[list[str]]:
    rows = set()
    for creator in creators:
        _check_choice("creator role", creator.role, ROLES)
        name = _check_text("creator name", creator.name, 200)
        native = creator.native_name.strip() if creator.native_name else ""
        rows.add((name, native[:200], creator.role))
    return [list(row) for row in sorted(rows)]


def _source_tags(tags: Sequence[SourceTag]) -> list[list[Any]]:
    rows = []
    for tag in tags:
        _check_text("tag name", tag.name, 120)
        _check_count(f"rank of tag {tag.name!r}", tag.rank, 100)
        rows.append([tag.name.strip(), tag.rank, tag.kind, bool(tag.spoiler), bool(tag.adult)])
    return sorted(rows, key=lambda row: (row[2], row[0]))


def _mapped_tags(mapped: MappedLike, known: Mapping[str, str | None]) -> list[list[Any]]:
    """Our tags from the alias table, one row per slug (highest relevance wins), checked against the vocabulary.

    A content warning without a severity takes the tag's default, as `title_tag_set` does.
    """
    best: dict[str, list[Any]] = {}
    for tag in mapped.tags:
        if tag.slug not in known:
            raise RecordInvalid(f"the alias table maps onto unknown tag {tag.slug!r}")
        _check_count(f"relevance of {tag.slug}", tag.relevance, 100)
        _check_choice(f"spoiler level of {tag.slug}", tag.spoiler, SPOILERS)
        default = known[tag.slug]
        severity = (tag.severity or default or Severity.MODERATE) if default is not None else ""
        _check_choice(f"severity of {tag.slug}", severity or None, SEVERITIES)
        row = [tag.slug, int(tag.relevance), tag.spoiler, severity]
        if tag.slug not in best or best[tag.slug][1] < row[1]:
            best[tag.slug] = row
    return sorted(best.values())


def _evidence(mapped: MappedLike) -> list[list[Any]]:
    rows = []
    for item in mapped.evidence:
        if not 0.0 <= float(item.weight) <= 1.0:
            raise RecordInvalid(f"evidence weight {item.weight} for {item.axis}={item.value} is outside 0-1")
        rows.append([item.axis, item.value, round(float(item.weight), 4), item.reason[:200]])
    return sorted(rows)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# What the facts mean, as a number a snapshot keeps: when the pipeline starts reading the same facts
# differently, raising it makes the next run of every record merge again once (an identical snapshot is
# skipped). 2: a format no source gives is "unknown", where imports had left the model's default, manga.
# 3: AniList's isAdult=false is the rating `not-adult`, where imports had stored mature; a score's votes.
FACTS_READING = 3


def record_facts(record: SourceRecord, *, mapper: Mapper, known_tags: Mapping[str, str | None]) -> Facts:
    """Check a record and return its facts; raises RecordInvalid with a reason a person can act on.

    `known_tags` maps each tag slug of our vocabulary to None, or for a content warning to its default severity.
    """
    _check(record)
    source = source_name(record.source)
    own_id = external_id_normalize(source, record.source_id)
    ids = {**cross_ids_normalize(record.cross_ids), source: own_id}
    for id_source, value in ids.items():
        _check_text(f"{id_source} id", value, 80)
    mapped = mapper(record)
    return {
        "title": record.title.strip(),
        "alt_titles": _alt_titles(record),
        "format": record.format,
        "status": record.status,
        "country": record.country.upper() if record.country else None,
        "start_date": _iso(record.start_date),
        "end_date": _iso(record.end_date),
        "chapters": record.chapters,
        "volumes": record.volumes,
        "is_adult": record.is_adult,
        "content_rating": content_rating_of(record),
        "score": record.score,
        "score_votes": record.score_votes,
        "popularity": record.popularity,
        "tags": _mapped_tags(mapped, known_tags),
        "source_tags": _source_tags(record.tags),
        "creators": _creators(record.creators),
        "ids": dict(sorted(ids.items())),
        "url": record.url[:300],
        "evidence": _evidence(mapped),
        "reading": FACTS_READING,
    }


def slug_base(text: str, fallback: str) -> str:
    """An ASCII slug from a name (Latin diacritics dropped); `fallback` when nothing Latin is left."""
    plain = "".join(
        unicodedata.normalize("NFD", c)[0] if unicodedata.normalize("NFD", c)[0].isascii() else c
        for c in unicodedata.normalize("NFKC", text)
    )
    return slugify(plain)[:180].strip("-") or fallback


def creator_slug(name: str) -> str:
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        name = f"{first} {last}"
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:10]
    return slug_base(name, f"creator-{digest}")[:120]


# --- records as JSON (a MatchReview keeps the record it waits on) ------------------------------------


def record_to_json(record: SourceRecord) -> dict[str, Any]:
    """The record as JSON values (lists, not tuples), so it compares equal to what the database returns."""
    data = dataclasses.asdict(record)
    for key in ("start_date", "end_date", "updated_at"):
        data[key] = data[key].isoformat() if data[key] else None
    data["cross_ids"] = dict(record.cross_ids)
    result: dict[str, Any] = json.loads(json.dumps(data))
    return result


def record_from_json(data: Mapping[str, Any]) -> SourceRecord:
    values = dict(data)
    for key in ("start_date", "end_date"):
        values[key] = dt.date.fromisoformat(values[key]) if values.get(key) else None
    values["updated_at"] = dt.datetime.fromisoformat(values["updated_at"]) if values.get("updated_at") else None
    values["alt_titles"] = tuple(tuple(pair) for pair in values.get("alt_titles", ()))
    values["tags"] = tuple(SourceTag(**tag) for tag in values.get("tags", ()))
    values["creators"] = tuple(SourceCreator(**creator) for creator in values.get("creators", ()))
    return SourceRecord(**values)


def row_error(where: str, exc: Exception) -> RowError:
    return RowError(where=where[:120], reason=str(exc)[:500])
