"""From a source's own tags to our vocabulary: tags with relevance and spoiler level, and axis evidence.

The reviewed alias table (`aliases.toml`) says which source tag, genre, category, content rating or adult
flag means which of our tags (taxonomy.toml slugs) and which axis value it is evidence for. Every mapped
tag and every piece of evidence carries its reason ("AniList tag Netorare rank 80"), so suggestions and
"why this title" can be explained. Evidence is only that: classification decides what to suggest.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.text import slugify

from shuraba.core.datafiles import optional, require, toml_read
from shuraba.core.errors import DataFileError
from shuraba.importers.records import SourceRecord, SourceTag

ALIASES_PATH = Path(__file__).resolve().parent / "aliases.toml"
# The same file as taxonomy.services.TAXONOMY_PATH, named here so mapping stays importable without models.
TAXONOMY_PATH = Path(__file__).resolve().parents[1] / "taxonomy" / "taxonomy.toml"
SOURCE_LABELS = {"anilist": "AniList", "mangadex": "MangaDex", "mangaupdates": "MangaUpdates", "mal": "MyAnimeList"}
KINDS = ("tag", "genre", "theme", "category", "demographic", "content-rating", "adult-flag")
KIND_WORDS = {"content-rating": "content rating", "adult-flag": "adult flag"}
SPOILER_LEVELS = ("none", "minor", "major")
SEVERITY_ORDER = ("minor", "moderate", "graphic")
DEFAULT_RELEVANCE = 50  # an unranked source tag (a genre) counts as a plain, middling fit
MIN_COMPANION_RANK = 20  # a `with_any` companion tag counts only from this rank up (unranked counts)
ALIAS_KEYS = frozenset(
    (
        *("source", "kind", "name", "tag", "axis", "value", "weight", "min_rank", "max_rank"),
        *("with_any", "spoiler", "severity", "relevance", "note"),
    )
)


@dataclass(frozen=True)
class MappedTag:
    slug: str
    relevance: int  # 0-100
    spoiler: str  # none | minor | major
    severity: str  # content warnings: minor | moderate | graphic; "" otherwise
    reason: str


@dataclass(frozen=True)
class Evidence:
    axis: str
    value: str
    weight: float  # 0-1: how strongly this record points at the value
    reason: str


@dataclass(frozen=True)
class MappedRecord:
    tags: tuple[MappedTag, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    unmapped: tuple[str, ...] = ()  # source tags no alias took, for reviewing the table


@dataclass(frozen=True)
class Alias:
    """One reviewed row: a source name, what it maps onto, and when it applies."""

    source: str
    kind: str
    name: str
    note: str
    tag: str | None = None
    axis: str | None = None
    value: str | None = None
    weight: float = 1.0
    min_rank: int | None = None
    max_rank: int | None = None
    with_any: tuple[str, ...] = ()
    spoiler: str = "major"  # our level when the source flags the tag as a spoiler
    severity: str | None = None  # overrides the warning tag's default severity
    relevance: int | None = None  # used when the source gives no rank

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.kind, self.name.casefold())

    def describe(self) -> str:
        when = []
        if self.min_rank is not None or self.max_rank is not None:
            when.append(f"rank {self.min_rank or 0}-{100 if self.max_rank is None else self.max_rank}")
        if self.with_any:
            when.append(f"with any of {', '.join(self.with_any)}")
        effects = ([f"tag {self.tag}"] if self.tag else []) + (
            [f"{self.axis}={self.value} (weight {self.weight:g})"] if self.axis else []
        )
        condition = f" ({'; '.join(when)})" if when else ""
        return f"{SOURCE_LABELS[self.source]} {self.kind} {self.name}{condition} → {', '.join(effects)}"

    def rank_fits(self, rank: int | None) -> bool:
        if rank is None:
            return True
        return (self.min_rank is None or rank >= self.min_rank) and (self.max_rank is None or rank <= self.max_rank)


@dataclass(frozen=True)
class Vocabulary:
    """What taxonomy.toml allows: tag slugs with their default severity, and each axis's values."""

    severities: dict[str, str]
    axes: dict[str, frozenset[str]]

    @classmethod
    def from_file(cls, path: Path = TAXONOMY_PATH) -> Vocabulary:
        data = toml_read(path)
        severities = {slugify(t["name"]): t.get("severity", "") for t in data.get("tags", [])}
        axes = {a["key"]: frozenset(v["key"] for v in a.get("values", [])) for a in data.get("axes", [])}
        return cls(severities, axes)


@dataclass(frozen=True)
class AliasTable:
    version: str
    aliases: tuple[Alias, ...]
    vocabulary: Vocabulary
    by_key: dict[tuple[str, str, str], tuple[Alias, ...]] = field(default_factory=dict)

    def lookup(self, source: str, kind: str, name: str) -> tuple[Alias, ...]:
        return self.by_key.get((source, kind, name.strip().casefold()), ())


# ---------------------------------------------------------------------------------------------------
# Loading and checking aliases.toml
# ---------------------------------------------------------------------------------------------------


def aliases_load(path: Path = ALIASES_PATH, *, taxonomy_path: Path = TAXONOMY_PATH) -> AliasTable:
    """Read and check the table: every slug and axis value must exist in taxonomy.toml."""
    data = toml_read(path)
    vocabulary = Vocabulary.from_file(taxonomy_path)
    entries = data.get("aliases", [])
    aliases = tuple(_alias_read(entry, f"{path.name} aliases[{i}]", vocabulary) for i, entry in enumerate(entries))
    by_key: dict[tuple[str, str, str], tuple[Alias, ...]] = {}
    for alias in aliases:
        by_key[alias.key] = (*by_key.get(alias.key, ()), alias)
    return AliasTable(str(data.get("version", "")), aliases, vocabulary, by_key)


@functools.cache
def alias_table() -> AliasTable:
    """The shipped table, read once per process."""
    return aliases_load()


def _alias_read(entry: dict[str, Any], where: str, vocabulary: Vocabulary) -> Alias:
    if unknown := set(entry) - ALIAS_KEYS:
        raise DataFileError(f"{where}: unknown keys {sorted(unknown)}")
    where = f"{where} ({entry.get('source')} {entry.get('name')})"
    alias = Alias(
        source=_one_of(require(entry, "source", str, where), SOURCE_LABELS, "source", where),
        kind=_one_of(optional(entry, "kind", str, where, "tag"), KINDS, "kind", where),
        name=require(entry, "name", str, where),
        note=require(entry, "note", str, where),
        tag=optional(entry, "tag", str, where),
        axis=optional(entry, "axis", str, where),
        value=optional(entry, "value", str, where),
        weight=optional(entry, "weight", float, where, 1.0),
        min_rank=optional(entry, "min_rank", int, where),
        max_rank=optional(entry, "max_rank", int, where),
        with_any=tuple(optional(entry, "with_any", list, where, [])),
        spoiler=_one_of(optional(entry, "spoiler", str, where, "major"), SPOILER_LEVELS, "spoiler", where),
        severity=optional(entry, "severity", str, where),
        relevance=optional(entry, "relevance", int, where),
    )
    _alias_check(alias, where, vocabulary)
    return alias


def _one_of(value: str, allowed: Iterable[str], key: str, where: str) -> str:
    if value not in allowed:
        raise DataFileError(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
    return value


def _alias_check(alias: Alias, where: str, vocabulary: Vocabulary) -> None:
    if not alias.note.strip():
        raise DataFileError(f"{where}: every alias needs a note saying why")
    if alias.tag is None and alias.axis is None:
        raise DataFileError(f"{where}: maps onto nothing (give a tag, an axis and value, or both)")
    if alias.tag is not None and alias.tag not in vocabulary.severities:
        raise DataFileError(f"{where}: tag {alias.tag!r} is not a tag slug in taxonomy.toml")
    if (alias.axis is None) != (alias.value is None):
        raise DataFileError(f"{where}: axis and value go together")
    if alias.axis is not None and alias.value not in vocabulary.axes.get(alias.axis, frozenset()):
        raise DataFileError(f"{where}: {alias.axis}={alias.value} is not an axis value in taxonomy.toml")
    if alias.severity is not None and alias.severity not in SEVERITY_ORDER:
        raise DataFileError(f"{where}: severity {alias.severity!r} is not one of {', '.join(SEVERITY_ORDER)}")
    if alias.severity is not None and not vocabulary.severities.get(alias.tag or ""):
        raise DataFileError(f"{where}: only content-warning tags carry a severity")
    if not 0.0 < alias.weight <= 1.0:
        raise DataFileError(f"{where}: weight must be above 0 and at most 1, got {alias.weight}")
    for bound in (alias.min_rank, alias.max_rank, alias.relevance):
        if bound is not None and not 0 <= bound <= 100:
            raise DataFileError(f"{where}: ranks and relevance are 0-100, got {bound}")
    if alias.min_rank is not None and alias.max_rank is not None and alias.min_rank > alias.max_rank:
        raise DataFileError(f"{where}: min_rank {alias.min_rank} is above max_rank {alias.max_rank}")


# ---------------------------------------------------------------------------------------------------
# Mapping one record
# ---------------------------------------------------------------------------------------------------


def record_map(record: SourceRecord, *, table: AliasTable | None = None) -> MappedRecord:
    """Our tags and axis evidence for one source record, each with its reason."""
    table = table or alias_table()
    present = _companions(record)
    tags: dict[str, MappedTag] = {}
    evidence: dict[tuple[str, str], Evidence] = {}
    unmapped: list[str] = []
    for tag in (*record.tags, *_adult_flag(record)):
        rows = table.lookup(record.source, tag.kind, tag.name)
        applied = [a for a in rows if a.rank_fits(tag.rank) and _companion_of(a, present)]
        if not applied:
            unmapped.append(_described(record.source, tag) + (" (below every alias threshold)" if rows else ""))
        for alias in applied:
            reason = _described(record.source, tag) + _with(alias, present)
            if alias.tag:
                _tag_merge(tags, _tag_make(alias, tag, reason, table.vocabulary))
            if alias.axis and alias.value:
                _evidence_merge(evidence, Evidence(alias.axis, alias.value, _weight(alias, tag), reason))
    return MappedRecord(tuple(tags.values()), tuple(evidence.values()), tuple(unmapped))


def _adult_flag(record: SourceRecord) -> tuple[SourceTag, ...]:
    """The record's adult flag as a pseudo-tag, so the table maps it like anything else."""
    if record.is_adult is None:
        return ()
    return (SourceTag(name="true" if record.is_adult else "false", kind="adult-flag"),)


def _described(source: str, tag: SourceTag) -> str:
    label = SOURCE_LABELS.get(source, source)
    if tag.kind == "adult-flag":
        return f"{label} adult flag {tag.name}"
    rank = f" rank {tag.rank}" if tag.rank is not None else ""
    return f"{label} {KIND_WORDS.get(tag.kind, tag.kind)} {tag.name}{rank}"


def _companions(record: SourceRecord) -> set[str]:
    return {t.name.casefold() for t in record.tags if t.rank is None or t.rank >= MIN_COMPANION_RANK}


def _companion_of(alias: Alias, present: set[str]) -> bool:
    return not alias.with_any or any(name.casefold() in present for name in alias.with_any)


def _with(alias: Alias, present: set[str]) -> str:
    found = [name for name in alias.with_any if name.casefold() in present]
    return f" with {', '.join(found)}" if found else ""


def _weight(alias: Alias, tag: SourceTag) -> float:
    scale = tag.rank / 100 if tag.rank is not None else 1.0
    return round(alias.weight * scale, 2)


def _tag_make(alias: Alias, tag: SourceTag, reason: str, vocabulary: Vocabulary) -> MappedTag:
    slug = alias.tag or ""
    relevance = tag.rank if tag.rank is not None else (alias.relevance or DEFAULT_RELEVANCE)
    default = vocabulary.severities.get(slug, "")
    severity = (alias.severity or default) if default else ""
    return MappedTag(slug, relevance, alias.spoiler if tag.spoiler else "none", severity, reason)


def _tag_merge(tags: dict[str, MappedTag], new: MappedTag) -> None:
    """Several source tags on one of ours: the highest relevance, the least hidden spoiler level (a
    non-spoiler source already gives the fact away), the strongest severity, every reason."""
    old = tags.get(new.slug)
    if old is None:
        tags[new.slug] = new
        return
    tags[new.slug] = MappedTag(
        slug=new.slug,
        relevance=max(old.relevance, new.relevance),
        spoiler=min(old.spoiler, new.spoiler, key=SPOILER_LEVELS.index),
        severity=max(old.severity, new.severity, key=lambda s: SEVERITY_ORDER.index(s) if s else -1),
        reason=f"{old.reason}; {new.reason}",
    )


def _evidence_merge(evidence: dict[tuple[str, str], Evidence], new: Evidence) -> None:
    old = evidence.get((new.axis, new.value))
    if old is None:
        evidence[(new.axis, new.value)] = new
        return
    evidence[(new.axis, new.value)] = Evidence(
        new.axis, new.value, max(old.weight, new.weight), f"{old.reason}; {new.reason}"
    )
