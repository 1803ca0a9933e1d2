"""One work seen by several sources: which source's value the title takes, field by field.

Rules as data: `SOURCE_PRIORITY` orders the sources for every field (the first that has a value wins);
the content rating is the exception and takes the most restrictive rating any source supports.
Merging is computed from all of a title's snapshots at once, so the result does not depend on the
order in which sources were imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shuraba.catalog.models import ContentRating, Format
from shuraba.catalog.rules import TITLE_FIELDS as CATALOG_TITLE_FIELDS
from shuraba.importers.facts import Facts

# AniList first (ranked tags, spoiler flags), MangaUpdates second, MyAnimeList third; MangaDex last,
# used mostly for cross-ids, alternative titles and its content rating (SOURCES.md §5).
SOURCE_PRIORITY = ("anilist", "mangaupdates", "mal", "mangadex")
RATING_ORDER: tuple[str, ...] = tuple(
    r.value for r in (ContentRating.ALL_AGES, ContentRating.TEEN, ContentRating.MATURE, ContentRating.EXPLICIT)
)
# How strict a stored rating is: AniList's "not adult" is a bound (at most mature), so it is as strict as mature
# and a source that says explicit raises it. A bound is never a source's rating that raises another.
RATING_RANK: Mapping[str, int] = {
    **{rating: rank for rank, rating in enumerate(RATING_ORDER)},
    ContentRating.NOT_ADULT.value: RATING_ORDER.index(ContentRating.MATURE.value),
}


def rating_raises(old: object, new: object) -> bool:
    """Is the source's rating `new` stricter than the stored `old`? Unknown (treated as explicit) is never raised."""
    return str(old) in RATING_RANK and new in RATING_ORDER and RATING_RANK[str(new)] > RATING_RANK[str(old)]


# Title fields an import may set: every writable title field except our own prose (`description`; the
# sources' prose is theirs) and the sample-catalog flag.
TITLE_FIELDS = tuple(f for f in CATALOG_TITLE_FIELDS if f not in {"description", "is_fictional"})


@dataclass(frozen=True)
class Snap:
    """One source's facts about a work, as the merge sees them."""

    source: str
    source_id: str
    facts: Facts


@dataclass(frozen=True)
class Sourced:
    value: Any
    source: str


def _ordered(snaps: Iterable[Snap]) -> list[Snap]:
    rank = {name: index for index, name in enumerate(SOURCE_PRIORITY)}
    return sorted(snaps, key=lambda s: (rank.get(s.source, len(rank)), s.source_id))


def _field_value(name: str, facts: Facts) -> Any:
    value = facts.get(name)
    if name in {"start_date", "end_date"} and value:
        return dt.date.fromisoformat(value)
    return value


def _rating(snaps: list[Snap]) -> Sourced:
    """The strictest rating a source gives; a source's "not adult" only when no source rates the work."""
    informative = [s for s in snaps if s.facts.get("content_rating") in RATING_ORDER]
    if not informative:
        bound = next((s for s in snaps if s.facts.get("content_rating") == ContentRating.NOT_ADULT), None)
        if bound is not None:
            return Sourced(ContentRating.NOT_ADULT.value, bound.source)
        return Sourced(ContentRating.UNKNOWN.value, snaps[0].source)
    strictest = max(informative, key=lambda s: RATING_ORDER.index(s.facts["content_rating"]))
    return Sourced(strictest.facts["content_rating"], strictest.source)


def fields_merge(snaps: Iterable[Snap]) -> dict[str, Sourced]:
    """The value of each title field and the source it comes from; fields no source knows are left out, but
    the format, which no source knowing is "unknown" (not the model's old default, manga)."""
    ordered = _ordered(snaps)
    result: dict[str, Sourced] = {}
    for name in TITLE_FIELDS:
        if name == "content_rating":
            result[name] = _rating(ordered)
            continue
        for snap in ordered:
            value = _field_value(name, snap.facts)
            if value is not None and value != "":
                result[name] = Sourced(value, snap.source)
                break
    if "format" not in result and ordered:  # said as unknown, so an import's guess of before is undone
        result["format"] = Sourced(Format.UNKNOWN.value, ordered[0].source)
    return result


@dataclass(frozen=True)
class TagValue:
    relevance: int
    spoiler: str
    severity: str
    source: str


def tags_merge(snaps: Iterable[Snap]) -> dict[str, TagValue]:
    """Our tags on the work: each from the highest-priority source that gives it."""
    result: dict[str, TagValue] = {}
    for snap in _ordered(snaps):
        for slug, relevance, spoiler, severity in snap.facts.get("tags", ()):
            result.setdefault(slug, TagValue(int(relevance), spoiler, severity, snap.source))
    return result


def names_merge(snaps: Iterable[Snap]) -> dict[tuple[str, str], str]:
    """Every (kind, text) alternative title any source gives, with the first source that gives it."""
    result: dict[tuple[str, str], str] = {}
    for snap in _ordered(snaps):
        for kind, text in snap.facts.get("alt_titles", ()):
            result.setdefault((kind, text), snap.source)
    return result


def creators_merge(snaps: Iterable[Snap]) -> dict[tuple[str, str], tuple[str, str]]:
    """(name, role) -> (native name, source) for every credited creator."""
    result: dict[tuple[str, str], tuple[str, str]] = {}
    for snap in _ordered(snaps):
        for name, native, role in snap.facts.get("creators", ()):
            result.setdefault((name, role), (native, snap.source))
    return result


def ids_merge(snaps: Iterable[Snap]) -> dict[tuple[str, str], str]:
    """(id source, id) -> the snapshot source that knows it (its own id or a cross-link)."""
    result: dict[tuple[str, str], str] = {}
    for snap in _ordered(snaps):
        for id_source, value in snap.facts.get("ids", {}).items():
            result.setdefault((id_source, value), snap.source)
    return result


def evidence_merge(snaps: Iterable[Snap]) -> list[tuple[str, str, float, str, str]]:
    """(axis, value, weight, reason, source) for every piece of axis evidence from the alias table."""
    return [
        (axis, value, float(weight), reason, snap.source)
        for snap in _ordered(snaps)
        for axis, value, weight, reason in snap.facts.get("evidence", ())
    ]


def disagreements(snaps: Iterable[Snap], fields: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Fields on which the sources say different things: field -> {source: value}."""
    ordered = _ordered(snaps)
    result = {}
    for name in fields:
        said = {s.source: s.facts.get(name) for s in ordered if s.facts.get(name) is not None}
        if len({repr(v) for v in said.values()}) > 1:
            result[name] = said
    return result
