"""Which catalog title is an imported list entry? The reader's own earlier answer, then the list's ids
(MAL, then AniList, through the catalog's external ids), then one title bearing exactly the entry's name
as the importers' identity matcher normalizes it. Anything else waits for the reader."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shuraba.catalog.models import ExternalId
from shuraba.importers.identity import external_id_normalize, name_normalize
from shuraba.library.models import UnmatchedEntry, UnmatchedState
from shuraba.library.records import ListEntry
from shuraba.search.lookup import titles_named
from shuraba.search.normalize import text_normalize

CHUNK = 500  # ids per IN (...): well under SQLite's variable limit


def name_key(name: str) -> str:
    """The key two names share when they are the same name: search's folding, then the identity matcher's."""
    return name_normalize(text_normalize(name))


def _catalog_key(folded: str) -> str:
    """`name_key` of a catalog name, which the index keeps folded already. Uncached: the map keys every name
    of the catalog once (760,000 at 200k titles), which would only churn `name_normalize`'s cache."""
    return name_normalize.__wrapped__(folded)


@dataclass(frozen=True)
class Matched:
    entry: ListEntry
    title_id: int | None
    how: str  # remembered | mal id | anilist id | name | "" (unmatched)
    candidates: tuple[int, ...] = ()  # titles bearing the name when more than one does


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _ids(source: str, values: Iterable[str]) -> dict[str, int]:
    wanted = sorted({external_id_normalize(source, value) for value in values if value})
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        rows = ExternalId.objects.filter(source=source, external_id__in=chunk).values_list("external_id", "title_id")
        found.update(rows)
    return found


def _remembered(user_id: int, entries: Sequence[ListEntry]) -> dict[tuple[str, str, str], int]:
    rows = UnmatchedEntry.objects.filter(user_id=user_id, state=UnmatchedState.RESOLVED, title__isnull=False)
    sources = {entry.source for entry in entries}
    return {
        (source, source_id, name): title_id
        for source, source_id, name, title_id in rows.filter(source__in=sources).values_list(
            "source", "source_id", "name", "title_id"
        )
    }


def _by_id(
    entry: ListEntry, remembered: Mapping[tuple[str, str, str], int], by_mal: dict[str, int], by_anilist: dict[str, int]
) -> Matched | None:
    title_id = remembered.get((entry.source, entry.source_id, entry.name))
    if title_id is not None:
        return Matched(entry, title_id, "remembered")
    if entry.mal_id in by_mal:
        return Matched(entry, by_mal[entry.mal_id], "mal id")
    if entry.anilist_id in by_anilist:
        return Matched(entry, by_anilist[entry.anilist_id], "anilist id")
    return None


def entries_match(*, user_id: int, entries: Sequence[ListEntry]) -> list[Matched]:
    remembered = _remembered(user_id, entries)
    by_mal = _ids("mal", (entry.mal_id for entry in entries))
    by_anilist = _ids("anilist", (entry.anilist_id for entry in entries))
    found = [_by_id(entry, remembered, by_mal, by_anilist) for entry in entries]
    # Names only for what the ids left: the catalog's names are keyed once per process (search/lookup.py).
    wanted = {name_key(name) for entry, one in zip(entries, found, strict=True) if one is None for name in entry.names}
    named = titles_named(keys=wanted, key=_catalog_key) if wanted else {}
    return [one or _by_name(entry, named) for entry, one in zip(entries, found, strict=True)]


def _by_name(entry: ListEntry, named: Mapping[str, tuple[int, ...]]) -> Matched:
    candidates: set[int] = set()
    for name in entry.names:
        candidates.update(named.get(name_key(name), ()))
    if len(candidates) == 1:
        return Matched(entry, candidates.pop(), "name")
    return Matched(entry, None, "", tuple(sorted(candidates)))
