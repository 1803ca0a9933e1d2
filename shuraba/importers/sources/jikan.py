"""Jikan v4 (https://api.jikan.moe/v4), the unofficial MyAnimeList API: MAL ids, genres, themes, adult genres.

Limits: 60 requests/min and 3 requests/s; Jikan caches for 24 h and we cache GETs within a run too.
Terms: MyAnimeList's terms apply to the data (the official MAL API v2 is the sanctioned path), so Jikan
runs are for on-demand lookups and cross-checks, not for mirroring MAL. Records use source "mal".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from rapidfuzz import process

from shuraba.importers.records import RowError, SourceCreator, SourceRecord, SourceTag
from shuraba.importers.sources import CatalogAdapter
from shuraba.importers.sources import fieldmap as f
from shuraba.importers.sources.base import AdapterBase
from shuraba.importers.sources.paging import BadPageStreak, Budget, FilterSpec, PageCursor, Row, filters_check
from shuraba.importers.sources.ratelimit import Rate, SourceError, Throttle, status_error

NAME = "mal"
LABEL = "Jikan (MyAnimeList)"
BASE = "https://api.jikan.moe/v4"
PER_PAGE = 25  # Jikan's maximum
TYPES = {
    "Manga": ("manga", "JP"),
    "One-shot": ("one-shot", ""),
    "Doujinshi": ("manga", ""),
    "Manhwa": ("manga", "KR"),
    "Manhua": ("manga", "CN"),
    "OEL": ("manga", ""),
    "Light Novel": ("light-novel", ""),
    "Novel": ("light-novel", ""),
}
STATUSES = {
    "Finished": "finished",
    "Publishing": "releasing",
    "On Hiatus": "hiatus",
    "Discontinued": "cancelled",
    "Not yet published": "not-yet-released",
}
TITLE_KINDS = {"Default": "romaji", "English": "english", "Japanese": "native", "Synonym": "synonym"}
ADULT_GENRES = frozenset({"Hentai", "Erotica"})
TAG_LISTS = (("genres", "genre"), ("explicit_genres", "genre"), ("themes", "theme"), ("demographics", "demographic"))


def _source_id(item: Mapping[str, Any]) -> str:
    ident = f.integer(item, "mal_id")
    if ident is None:
        raise f.FieldError("mal_id", "missing")
    return str(ident)


def _alt_titles(item: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """titles[] when present; otherwise the older flat fields."""
    if f.dig(item, "titles") is not None:
        pairs = [
            (TITLE_KINDS.get(f.text(t, "type") or "", "synonym"), f.text(t, "title")) for t in f.objects(item, "titles")
        ]
    else:
        pairs = [("romaji", f.text(item, "title")), ("english", f.text(item, "title_english"))]
        pairs += [("native", f.text(item, "title_japanese"))] + [
            ("synonym", s) for s in f.texts(item, "title_synonyms")
        ]
    return f.unique((kind, text) for kind, text in pairs if text)


def _type(item: Mapping[str, Any]) -> tuple[str, str] | None:
    kind = f.text(item, "type")
    if kind is None:
        return None
    if kind not in TYPES:
        raise f.FieldError("type", f"unknown value {kind!r} (known: {', '.join(TYPES)})")
    return TYPES[kind]


def _date(item: Mapping[str, Any], end: str) -> dt.date | None:
    path = f"published.prop.{end}"
    parts = f.dig(item, path)
    if parts is None:
        return None
    if not isinstance(parts, Mapping):
        raise f.FieldError(path, f"expected an object with day, month and year, got {f.type_name(parts)}")
    return f.date_from_parts(parts.get("year"), parts.get("month"), parts.get("day"), path)


def _score(item: Mapping[str, Any]) -> int | None:
    score = f.number(item, "score")
    if score is not None and not 0 <= score <= 10:
        raise f.FieldError("score", f"expected 0-10, got {score}")
    return None if score is None else round(score * 10)


def _named(item: Mapping[str, Any], path: str) -> list[str]:
    names = []
    for index, entry in enumerate(f.objects(item, path)):
        name = f.text(entry, "name")
        if name is None:
            raise f.FieldError(f"{path}[{index}].name", "missing")
        names.append(name)
    return names


def _tags(item: Mapping[str, Any]) -> tuple[SourceTag, ...]:
    return tuple(
        SourceTag(name=name, kind=kind, adult=name in ADULT_GENRES)
        for path, kind in TAG_LISTS
        for name in _named(item, path)
    )


def _adult(item: Mapping[str, Any]) -> bool | None:
    if f.dig(item, "explicit_genres") is None:
        return None
    return bool(ADULT_GENRES.intersection(_named(item, "explicit_genres")))


def person_name(mal_name: str) -> str:
    """MAL writes people as "Family, Given"; other sources write "Given Family"."""
    family, comma, given = mal_name.partition(",")
    return f"{given.strip()} {family.strip()}" if comma and given.strip() else mal_name.strip()


def _creators(item: Mapping[str, Any]) -> tuple[SourceCreator, ...]:
    return tuple(
        SourceCreator(name=person_name(name), role="story-art", source_id=str(f.integer(a, "mal_id") or ""))
        for a in f.objects(item, "authors")
        if (name := f.text(a, "name"))
    )


RULES: tuple[f.FieldRule, ...] = (
    f.FieldRule("mal_id", "source_id", _source_id, "MyAnimeList manga id, as text"),
    f.FieldRule("title", "title", lambda i: f.text(i, "title"), "MAL's default title"),
    f.FieldRule(
        "titles[].type, titles[].title",
        "alt_titles",
        _alt_titles,
        "Default → romaji, English → english, Japanese → native, Synonym and other languages → synonym "
        "(title, title_english, title_japanese, title_synonyms when titles[] is absent)",
    ),
    f.FieldRule(
        "type",
        "format",
        lambda i: (t := _type(i)) and t[0],
        "Manga, Manhwa, Manhua, Doujinshi, OEL → manga; One-shot → one-shot; Light Novel, Novel → light-novel",
    ),
    f.FieldRule(
        "type", "country", lambda i: ((t := _type(i)) and t[1]) or None, "Manga → JP, Manhwa → KR, Manhua → CN"
    ),
    f.FieldRule(
        "status",
        "status",
        lambda i: f.enum(i, "status", STATUSES),
        "Finished, Publishing → releasing, On Hiatus → hiatus, Discontinued → cancelled, Not yet published",
    ),
    f.FieldRule("published.prop.from", "start_date", lambda i: _date(i, "from"), "a missing month or day becomes 1"),
    f.FieldRule("published.prop.to", "end_date", lambda i: _date(i, "to"), "a missing month or day becomes 1"),
    f.FieldRule("chapters", "chapters", lambda i: f.integer(i, "chapters")),
    f.FieldRule("volumes", "volumes", lambda i: f.integer(i, "volumes")),
    f.FieldRule("explicit_genres[].name", "is_adult", _adult, "Hentai or Erotica → true (Ecchi is not adult)"),
    f.FieldRule(
        "explicit_genres[].name",
        "content_rating",
        lambda i: "explicit" if _adult(i) else None,
        "Hentai or Erotica → explicit; otherwise not said",
    ),
    f.FieldRule("score", "score", _score, "0-10 → 0-100"),
    f.FieldRule("scored_by", "score_votes", lambda i: f.integer(i, "scored_by"), "members who scored"),
    f.FieldRule("members", "popularity", lambda i: f.integer(i, "members"), "users with the title on a list"),
    f.FieldRule(
        "genres[], explicit_genres[], themes[], demographics[] (name)",
        "tags",
        _tags,
        "kinds genre (explicit genres too, Hentai and Erotica adult), theme, demographic; unranked",
    ),
    f.FieldRule(
        "authors[].name, mal_id",
        "creators",
        _creators,
        '"Family, Given" → "Given Family"; MAL does not say the role here, so story-art',
    ),
    f.FieldRule(
        "url", "url", lambda i: f.text(i, "url") or f"https://myanimelist.net/manga/{i.get('mal_id')}", "as given"
    ),
)

FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("search", str, "q", "title search"),
    FilterSpec("genre", str, "genres", "MAL genre, theme or demographic names or ids, all required", many=True),
    FilterSpec("exclude_genre", str, "genres_exclude", "names or ids to leave out", many=True),
    FilterSpec("type", str, "type", "manga, novel, lightnovel, oneshot, doujin, manhwa, manhua"),
    FilterSpec("status", str, "status", "publishing, complete, hiatus, discontinued, upcoming"),
    FilterSpec("sfw", bool, "sfw", "true leaves out adult entries"),
    FilterSpec("id", int, "GET /manga/{id}", "MAL manga ids: on-demand per-title lookups", many=True),
)


def page_read(payload: Any, *, where: str) -> tuple[list[Row], bool | None]:
    """A saved `GET /manga` page or `GET /manga/{id}` answer, and whether another page follows."""
    if not isinstance(payload, Mapping):
        return [RowError(where, f"expected a JSON object, got {f.type_name(payload)}")], None
    data = payload.get("data")
    if isinstance(data, Mapping):
        return [f.item_parse(NAME, data, RULES, where=where, id_path="mal_id")], False
    if not isinstance(data, list):
        message = payload.get("message") or payload.get("error")
        reason = f"Jikan error: {message}" if message else f"expected data in the response, got {f.type_name(data)}"
        return [RowError(where, reason)], None
    has_next = f.dig(payload, "pagination.has_next_page")
    rows = f.items_parse(NAME, data, RULES, where=where, id_path="mal_id")
    return rows, has_next if isinstance(has_next, bool) else None


class JikanAdapter(AdapterBase):
    name, label, rules, filters = NAME, LABEL, RULES, FILTERS
    rates = (Rate(3, 1.0), Rate(60, 60.0))
    page_read = staticmethod(page_read)

    def fetch(
        self,
        client: httpx.Client,
        *,
        filters: Mapping[str, Any],
        since: dt.date | None,
        limit: int | None,
        checkpoint: Mapping[str, Any] | None,
    ) -> Iterator[tuple[list[SourceRecord | RowError], dict[str, Any]]]:
        checked = filters_check(NAME, FILTERS, filters)
        run = _Run(self.throttle, client)
        cursor, budget = PageCursor.resume(checkpoint), Budget(limit)
        if "id" in checked:
            yield from _by_ids(run, checked["id"], cursor, budget)
            return
        params = self.params(run, checked, since)
        streak = BadPageStreak(LABEL)
        while not cursor.done and not budget.spent:
            where = f"{NAME} page {cursor.page}"
            rows, has_next = run.page(params | {"page": str(cursor.page)}, where)
            streak.record(bad=has_next is None)
            taken = budget.take(rows[cursor.skip :])
            cursor = cursor.after(len(rows), len(taken), has_next=has_next is not False and bool(rows))
            yield taken, cursor.as_checkpoint()

    def params(self, run: _Run, checked: Mapping[str, Any], since: dt.date | None) -> dict[str, str]:
        params = {"order_by": "mal_id", "sort": "asc", "limit": str(PER_PAGE)}
        for key, param in (("search", "q"), ("type", "type"), ("status", "status")):
            if key in checked:
                params[param] = checked[key]
        if checked.get("sfw"):
            params["sfw"] = "true"
        for key, param in (("genre", "genres"), ("exclude_genre", "genres_exclude")):
            if key in checked:
                params[param] = ",".join(run.genre_id(name) for name in checked[key])
        if since is not None:
            params["start_date"] = since.isoformat()
        return params


def _by_ids(
    run: _Run, ids: list[int], cursor: PageCursor, budget: Budget
) -> Iterator[tuple[list[Row], dict[str, Any]]]:
    position = cursor.skip
    while not cursor.done and position < len(ids) and not budget.spent:
        rows = budget.take([run.manga(ids[position])])
        position += 1
        yield rows, PageCursor(1, position, done=position >= len(ids)).as_checkpoint()


class _Run:
    """One fetch: the throttle, the client and the GET cache."""

    def __init__(self, throttle: Throttle, client: httpx.Client) -> None:
        self.throttle = throttle
        self.client = client
        self.cache: dict[str, Any] = {}
        self.genres: dict[str, str] = {}

    def page(self, params: dict[str, str], where: str) -> tuple[list[Row], bool | None]:
        payload = self.get(f"{BASE}/manga", where, params)
        if isinstance(payload, RowError):
            return [payload], None
        return page_read(payload, where=where)

    def manga(self, mal_id: int) -> Row:
        where = f"{NAME} id {mal_id}"
        payload = self.get(f"{BASE}/manga/{mal_id}", where)
        return payload if isinstance(payload, RowError) else page_read(payload, where=where)[0][0]

    def genre_id(self, name: str) -> str:
        if name.isdigit():
            return name
        if not self.genres:
            payload = self.get(f"{BASE}/genres/manga", "the genre list")
            items = payload.get("data") if isinstance(payload, Mapping) else None
            if not isinstance(items, list):
                raise SourceError("Jikan sent a genre list we cannot read; give genre ids instead of names")
            self.genres = {
                str(g.get("name", "")).casefold(): str(g.get("mal_id")) for g in items if isinstance(g, Mapping)
            }
        if (ident := self.genres.get(name.casefold())) is not None:
            return ident
        guess = process.extractOne(name.casefold(), list(self.genres))
        hint = f" Did you mean {guess[0]!r}?" if guess and guess[1] >= 60 else ""
        raise SourceError(f"MyAnimeList has no manga genre named {name!r}.{hint}")

    def get(self, url: str, where: str, params: dict[str, str] | None = None) -> Any:
        request = self.client.build_request("GET", url, params=params)
        key = str(request.url)
        if key not in self.cache:
            self.cache[key] = self._json(request, where)
        return self.cache[key]

    def _json(self, request: httpx.Request, where: str) -> Any:
        response = self.throttle.send(self.client, request)
        if response.status_code == 404:
            return RowError(where, "MyAnimeList has no such entry (404)")
        if response.status_code >= 400:
            raise status_error(LABEL, response, where)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return RowError(where, f"the response is not valid JSON ({exc})")


ADAPTER: CatalogAdapter = JikanAdapter()
