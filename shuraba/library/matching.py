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


def entries_match(*, user_id: int, entries: Sequence[ListEntry]) -> list[Matched]:
    remembered = _remembered(user_id, entries)
    by_mal = _ids("mal", (entry.mal_id for entry in entries))
    by_anilist = _ids("anilist", (entry.anilist_id for entry in entries))
    named: Mapping[str, tuple[int, ...]] = titles_named(key=name_key) if any(e.names for e in entries) else {}
    matched = []
    for entry in entries:
        title_id = remembered.get((entry.source, entry.source_id, entry.name))
        if title_id is not None:
            matched.append(Matched(entry, title_id, "remembered"))
        elif entry.mal_id in by_mal:
            matched.append(Matched(entry, by_mal[entry.mal_id], "mal id"))
        elif entry.anilist_id in by_anilist:
            matched.append(Matched(entry, by_anilist[entry.anilist_id], "anilist id"))
        else:
            matched.append(_by_name(entry, named))
    return matched


def _by_name(entry: ListEntry, named: Mapping[str, tuple[int, ...]]) -> Matched:
    candidates: set[int] = set()
    for name in entry.names:
        candidates.update(named.get(name_key(name), ()))
    if len(candidates) == 1:
        return Matched(entry, candidates.pop(), "name")
    return Matched(entry, None, "", tuple(sorted(candidates)))
