"""AniList's list, as its GraphQL API answers `MediaListCollection(type: MANGA)` (`../shared/SOURCES.md` §2.2).

Accepted: the whole response (`{"data": {"MediaListCollection": …}}`), the collection itself, or a JSON
array of responses (one per chunk of 500). Scores are read on the 10-point scale (`score(format: POINT_10)`
or `POINT_10_DECIMAL`); a larger number means the query asked for another scale and is rejected. An entry
that sits in a status list and in custom lists is one entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from shuraba.library.models import SCORE_MAX, Status
from shuraba.library.records import (
    EntryRejected,
    ListEntry,
    ListFileError,
    Rejected,
    count_read,
    entries_count_check,
    id_read,
    names_read,
    notes_read,
    partial_date,
    rereads_read,
    score_read,
)

STATUS_FROM_ANILIST = {
    "CURRENT": Status.READING,
    "PLANNING": Status.PLAN_TO_READ,
    "COMPLETED": Status.COMPLETED,
    "DROPPED": Status.DROPPED,
    "PAUSED": Status.ON_HOLD,
    "REPEATING": Status.REREADING,
}


def _collections(payload: Any) -> Iterator[Mapping[str, Any]]:
    pages = payload if isinstance(payload, list) else [payload]
    for page in pages:
        if not isinstance(page, Mapping):
            raise ListFileError("the JSON holds something other than AniList responses (an object per chunk)")
        if page.get("errors") and not page.get("data"):
            raise ListFileError("the file is an AniList error response, not a list: run the query again")
        data = page.get("data", page)
        collection = data.get("MediaListCollection") if isinstance(data, Mapping) else None
        if not isinstance(collection, Mapping):
            raise ListFileError(
                "the JSON has no MediaListCollection: save AniList's answer to a MediaListCollection(type: MANGA) "
                "query (its data, or the whole response)"
            )
        yield collection


def _lists(collection: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    lists = collection.get("lists")
    if not isinstance(lists, list) or not all(isinstance(one, Mapping) for one in lists):
        raise ListFileError("MediaListCollection.lists is not a list of lists")
    # Status lists first: an entry also listed in a custom list is read where its status is.
    return sorted(lists, key=lambda one: bool(one.get("isCustomList")))


def _fuzzy(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, Mapping):
        raise EntryRejected(f"{field} is not a date ({{year, month, day}})")
    parts = [value.get(key) for key in ("year", "month", "day")]
    if not all(part is None or (isinstance(part, int) and not isinstance(part, bool)) for part in parts):
        raise EntryRejected(f"{field} has parts that are not numbers")
    return partial_date(parts[0], parts[1], parts[2], field)


def _id(value: Any, field: str, site: str) -> str:
    if value is not None and not isinstance(value, int | str):
        raise EntryRejected(f"{field} is {value!r}, not an id")
    return id_read(value, field, site=site)


def _score(value: Any) -> int | None:
    """A 10-point score. The default scale of the query is the account's own (often POINT_100), so a
    larger number says which argument the query lacked rather than a typo."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > SCORE_MAX:
        raise EntryRejected(
            f"score is {value}, not on the 10-point scale: ask AniList for score(format: POINT_10) "
            "(or POINT_10_DECIMAL) and save the answer again"
        )
    return score_read(value, "score")


def _names(media: Mapping[str, Any]) -> tuple[str, ...]:
    title = media.get("title")
    if not isinstance(title, Mapping):
        return ()
    names = (title.get(key) for key in ("romaji", "english", "native", "userPreferred"))
    kept = (name.replace("\x00", "").strip() for name in names if isinstance(name, str))  # PostgreSQL keeps no NUL
    return tuple(dict.fromkeys(name for name in kept if name))


def _entry(raw: Mapping[str, Any], where: str) -> ListEntry:
    media_raw = raw.get("media")
    media: Mapping[str, Any] = media_raw if isinstance(media_raw, Mapping) else {}
    status = STATUS_FROM_ANILIST.get(str(raw.get("status")))
    if status is None:
        raise EntryRejected(f"status is {raw.get('status')!r}; AniList's are {', '.join(STATUS_FROM_ANILIST)}")
    anilist_id = _id(raw.get("mediaId") or media.get("id"), "mediaId", "AniList")
    mal_id, names = _id(media.get("idMal"), "media.idMal", "MAL"), names_read(_names(media), "media.title")
    if not anilist_id and not mal_id and not names:
        raise EntryRejected("no mediaId, no media.idMal and no title")
    notes = raw.get("notes")
    return ListEntry(
        where=where,
        source="anilist",
        mal_id=mal_id,
        anilist_id=anilist_id,
        names=names,
        status=status,
        chapters_read=count_read(raw.get("progress"), "progress"),
        volumes_read=count_read(raw.get("progressVolumes"), "progressVolumes"),
        score=_score(raw.get("score")),
        started_on=_fuzzy(raw.get("startedAt"), "startedAt"),
        finished_on=_fuzzy(raw.get("completedAt"), "completedAt"),
        reread_count=rereads_read(raw.get("repeat"), "repeat"),
        notes=notes_read(notes if isinstance(notes, str) else "", "notes"),
        private=raw.get("private") if isinstance(raw.get("private"), bool) else None,
    )


def _where_name(raw: Any) -> str:
    media = raw.get("media") if isinstance(raw, Mapping) else None
    names = _names(media) if isinstance(media, Mapping) else ()
    return names[0] if names else ""


def _payload(data: bytes) -> Any:
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise ListFileError(f"the JSON does not read at line {exc.lineno}, column {exc.colno} ({exc.msg})") from exc
    except ValueError as exc:  # a number of more than 4,300 digits
        raise ListFileError(f"the JSON does not read ({exc}); an AniList answer has no such number") from exc
    except RecursionError as exc:
        raise ListFileError("the JSON nests arrays or objects too deeply to read; an AniList answer is flat") from exc


def _key(raw: Any) -> str:
    """The work an entry is about, to read it once when it is in its status list and in custom lists."""
    if not isinstance(raw, Mapping):
        return ""
    media = raw.get("media")
    work = raw.get("mediaId") or (media.get("id") if isinstance(media, Mapping) else None)
    return "" if work is None else json.dumps(work)


def _raws(payload: Any) -> list[Any]:
    """Every entry of every list of every chunk, in reading order (status lists first in each chunk)."""
    raws: list[Any] = []
    for collection in _collections(payload):
        for one in _lists(collection):
            entries = one.get("entries")
            if not isinstance(entries, list):
                raise ListFileError(f"the list “{one.get('name', '?')}” has no entries array")
            raws += entries
    entries_count_check(len(raws))
    return raws


def anilist_read(data: bytes) -> tuple[list[ListEntry], list[Rejected]]:
    entries: list[ListEntry] = []
    rejected: list[Rejected] = []
    seen: set[str] = set()
    for raw in _raws(_payload(data)):
        key = _key(raw)
        if key and key in seen:
            continue  # the same entry in a custom list
        seen.add(key)
        where = f"entry {len(entries) + len(rejected) + 1}"
        try:
            if not isinstance(raw, Mapping):
                raise EntryRejected("not an object")
            entries.append(_entry(raw, where))
        except EntryRejected as exc:
            rejected.append(Rejected(where, _where_name(raw), str(exc)))
    if not entries and not rejected:
        raise ListFileError("the AniList list has no entries")
    return entries, rejected
