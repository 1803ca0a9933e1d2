"""MangaUpdates API v1 (https://api.mangaupdates.com/v1): series with community categories and their votes.

Terms (Acceptable Use Policy): credit MangaUpdates, space requests reasonably and cache. No number is
documented; we send about one request per second and cache every GET within a run. Series ids are int64
in the API and base36 on the site and in MangaDex links; records use the base36 form.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from shuraba.importers.records import RowError, SourceCreator, SourceRecord, SourceTag
from shuraba.importers.sources import CatalogAdapter
from shuraba.importers.sources import fieldmap as f
from shuraba.importers.sources.base import AdapterBase
from shuraba.importers.sources.paging import BadPageStreak, Budget, FilterSpec, PageCursor, Row, filters_check
from shuraba.importers.sources.ratelimit import Rate, Throttle, status_error

NAME = "mangaupdates"
LABEL = "MangaUpdates"
BASE = "https://api.mangaupdates.com/v1"
PER_PAGE = 25
DETAIL_CHUNK = 10  # yield (and checkpoint) after this many series fetched one by one
DIGITS = string.digits + string.ascii_lowercase
LEGACY_MAX = 1_000_000  # old integer ids ("series.html?id=71967") stay below this; new ids are far above
SITE_URL = re.compile(r"mangaupdates\.com/series/([0-9a-z]+)", re.IGNORECASE)
VOTES_HALF = 3  # net votes at which a category's rank reaches 50

# type -> (our format, country of origin); Artbook and Drama CD are not comics and are rejected.
TYPES = {
    "Manga": ("manga", "JP"),
    "Manhwa": ("manga", "KR"),
    "Manhua": ("manga", "CN"),
    "Doujinshi": ("manga", ""),
    "OEL": ("manga", ""),
    "Novel": ("light-novel", ""),
    "Thai": ("manga", "TH"),
    "Indonesian": ("manga", "ID"),
    "Vietnamese": ("manga", "VN"),
    "Malaysian": ("manga", "MY"),
    "Filipino": ("manga", "PH"),
    "French": ("manga", "FR"),
    "Spanish": ("manga", "ES"),
    "German": ("manga", "DE"),
    "Nordic": ("manga", ""),
}
ADULT_GENRES = frozenset({"Adult", "Hentai", "Smut"})
STATUS_WORDS = (("hiatus", "hiatus"), ("cancel", "cancelled"), ("discontinued", "cancelled"), ("ongoing", "releasing"))
ROLES = {"author": "story", "artist": "art"}


# ---------------------------------------------------------------------------------------------------
# Ids: int64 in the API, base36 on the site and in MangaDex links
# ---------------------------------------------------------------------------------------------------


def base36_encode(number: int) -> str:
    if number < 0:
        raise ValueError(f"a series id is never negative, got {number}")
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = DIGITS[digit] + digits
        if number == 0:
            return digits


def base36_decode(text: str) -> int:
    cleaned = text.strip().lower()
    if not cleaned or any(c not in DIGITS for c in cleaned):
        raise ValueError(f"not a base36 MangaUpdates id: {text!r}")
    return int(cleaned, 36)


def mu_id_from_link(value: str) -> dict[str, str]:
    """A MangaDex `links.mu` value as cross ids: base36 (or a site URL) → mangaupdates; a small all-digit
    value is a legacy integer id, which only henrik9999/mangaupdates-old-id-mapping can translate."""
    text = value.strip()
    if match := SITE_URL.search(text):
        text = match.group(1)
    if text.isdigit() and int(text) < LEGACY_MAX:
        return {"mangaupdates-legacy": text}
    try:
        return {"mangaupdates": base36_encode(base36_decode(text))}
    except ValueError as exc:
        raise f.FieldError("attributes.links.mu", str(exc)) from exc


def series_id_parse(value: str | int) -> int:
    """A series id as the API wants it, from the API's integer or the site's base36 form."""
    if isinstance(value, int):
        return value
    return base36_decode(value)


def category_rank(plus: int, minus: int) -> int:
    """Community agreement as a 0-100 rank: n net votes → 100·n/(n+3); none or negative → 0."""
    net = plus - minus
    return 0 if net <= 0 else round(100 * net / (net + VOTES_HALF))


# ---------------------------------------------------------------------------------------------------
# The field-mapping table
# ---------------------------------------------------------------------------------------------------


def _series_id(item: Mapping[str, Any]) -> str:
    ident = f.integer(item, "series_id")
    if ident is None:
        raise f.FieldError("series_id", "missing")
    return base36_encode(ident)


def _type(item: Mapping[str, Any]) -> tuple[str, str] | None:
    kind = f.text(item, "type")
    if kind is None:
        return None
    if kind not in TYPES:
        raise f.FieldError("type", f"{kind!r} is not a comic or novel type we import (known: {', '.join(TYPES)})")
    return TYPES[kind]


def _year(item: Mapping[str, Any]) -> dt.date | None:
    value = f.text(item, "year")
    if value is None:
        return None
    if not re.match(r"^\d{4}\b", value):
        raise f.FieldError("year", f"expected a year, got {value!r}")
    return f.date_from_parts(int(value[:4]), None, None, "year")


def _status(item: Mapping[str, Any]) -> str | None:
    if f.flag(item, "completed"):
        return "finished"
    text = (f.text(item, "status") or "").casefold()
    return next((ours for word, ours in STATUS_WORDS if word in text), None)


def _volumes(item: Mapping[str, Any]) -> int | None:
    match = re.search(r"(\d+)\s+Volumes?", f.text(item, "status") or "", re.IGNORECASE)
    return int(match.group(1)) if match and f.flag(item, "completed") else None


def _score(item: Mapping[str, Any]) -> int | None:
    rating = f.number(item, "bayesian_rating")
    if rating is not None and not 0 <= rating <= 10:
        raise f.FieldError("bayesian_rating", f"expected 0-10, got {rating}")
    return None if rating is None else round(rating * 10)


def _popularity(item: Mapping[str, Any]) -> int | None:
    lists = [f.integer(item, f"rank.lists.{name}") for name in ("reading", "wish", "complete", "unfinished", "custom")]
    known = [n for n in lists if n is not None]
    return sum(known) if known else None


def _genres(item: Mapping[str, Any]) -> list[str]:
    names = []
    for index, genre in enumerate(f.objects(item, "genres")):
        name = f.text(genre, "genre")
        if name is None:
            raise f.FieldError(f"genres[{index}].genre", "missing")
        names.append(name)
    return names


def _tags(item: Mapping[str, Any]) -> tuple[SourceTag, ...]:
    tags = [SourceTag(name=g, kind="genre", adult=g in ADULT_GENRES) for g in _genres(item)]
    for index, category in enumerate(f.objects(item, "categories")):
        name = f.text(category, "category")
        if name is None:
            raise f.FieldError(f"categories[{index}].category", "missing")
        plus = f.integer(category, "votes_plus")
        minus = f.integer(category, "votes_minus") or 0
        votes = plus if plus is not None else (f.integer(category, "votes") or 0)
        tags.append(SourceTag(name=name, rank=category_rank(votes, minus), kind="category"))
    return tuple(tags)


def _adult(item: Mapping[str, Any]) -> bool | None:
    genres = _genres(item)
    return bool(ADULT_GENRES.intersection(genres)) if f.dig(item, "genres") is not None else None


def _creators(item: Mapping[str, Any]) -> tuple[SourceCreator, ...]:
    roles: dict[str, set[str]] = {}
    found: dict[str, SourceCreator] = {}
    for author in f.objects(item, "authors"):
        name, role = f.text(author, "name"), ROLES.get((f.text(author, "type") or "").casefold())
        if name is None or role is None:
            continue
        ident = f.integer(author, "author_id")
        key = str(ident) if ident else name
        roles.setdefault(key, set()).add(role)
        found[key] = SourceCreator(name=name, source_id=str(ident) if ident else "")
    return tuple(
        SourceCreator(c.name, "", "story-art" if len(roles[k]) == 2 else next(iter(roles[k])), c.source_id)
        for k, c in found.items()
    )


def _url(item: Mapping[str, Any]) -> str:
    return f.text(item, "url") or f"https://www.mangaupdates.com/series/{_series_id(item)}"


RULES: tuple[f.FieldRule, ...] = (
    f.FieldRule("series_id", "source_id", _series_id, "int64 → base36 (the site's form, as in MangaDex links)"),
    f.FieldRule("title", "title", lambda i: f.text(i, "title")),
    f.FieldRule(
        "associated[].title",
        "alt_titles",
        lambda i: f.unique(("synonym", t) for a in f.objects(i, "associated") if (t := f.text(a, "title"))),
        "kind synonym (MangaUpdates does not say the language)",
    ),
    f.FieldRule(
        "type",
        "format",
        lambda i: (t := _type(i)) and t[0],
        "Manga, Manhwa, Manhua, Doujinshi, OEL and the national types → manga; Novel → light-novel; "
        "Artbook and Drama CD are rejected",
    ),
    f.FieldRule(
        "type",
        "country",
        lambda i: ((t := _type(i)) and t[1]) or None,
        "Manga → JP, Manhwa → KR, Manhua → CN, Thai → TH, … (Doujinshi, OEL, Novel, Nordic name no country)",
    ),
    f.FieldRule("year", "start_date", _year, '"2014" → 1 January 2014'),
    f.FieldRule(
        "completed, status",
        "status",
        _status,
        "completed → finished; else the status text: Ongoing → releasing, Hiatus, Cancelled/Discontinued; "
        "otherwise unknown",
    ),
    f.FieldRule(
        "latest_chapter",
        "chapters",
        lambda i: f.integer(i, "latest_chapter") if f.flag(i, "completed") else None,
        "only once completed (before that it is the latest, not the total)",
    ),
    f.FieldRule("status", "volumes", _volumes, '"12 Volumes (Complete)" → 12, only once completed'),
    f.FieldRule("genres[].genre", "is_adult", _adult, "Adult, Hentai or Smut → true"),
    f.FieldRule(
        "genres[].genre",
        "content_rating",
        lambda i: "explicit" if _adult(i) else None,
        "Adult, Hentai or Smut → explicit; otherwise not said",
    ),
    f.FieldRule("bayesian_rating", "score", _score, "0-10 → 0-100"),
    f.FieldRule("rating_votes", "score_votes", lambda i: f.integer(i, "rating_votes"), "readers who rated"),
    f.FieldRule(
        "rank.lists", "popularity", _popularity, "readers' lists: reading + wish + complete + unfinished + custom"
    ),
    f.FieldRule(
        "genres[].genre, categories[].category, votes_plus, votes_minus",
        "tags",
        _tags,
        "genres: kind genre, unranked; categories: kind category, rank 100·n/(n+3) for n = votes_plus - votes_minus",
    ),
    f.FieldRule(
        "authors[].name, type, author_id",
        "creators",
        _creators,
        "Author → story, Artist → art, both for one author_id → story-art",
    ),
    f.FieldRule("url", "url", _url, "or https://www.mangaupdates.com/series/{base36}"),
    f.FieldRule(
        "last_updated.timestamp", "updated_at", lambda i: f.timestamp(i, "last_updated.timestamp"), "unix → UTC"
    ),
)

FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("search", str, "search", "title search"),
    FilterSpec("genre", str, "genre", "genres that must all be present", many=True),
    FilterSpec("exclude_genre", str, "exclude_genre", "genres to leave out", many=True),
    FilterSpec("category", str, "category", "categories (exact spelling; see POST /categories/search)", many=True),
    FilterSpec("type", str, "type", "Manga, Manhwa, Manhua, ...", many=True),
    FilterSpec("id", str, "GET /series/{id}", "series ids, base36 or decimal: on-demand per-title sync", many=True),
)


def page_read(payload: Any, *, where: str) -> tuple[list[Row], bool | None]:
    """A saved `GET /series/{id}` (one series) or `POST /series/search` page, and whether more pages follow."""
    if not isinstance(payload, Mapping):
        return [RowError(where, f"expected a JSON object, got {f.type_name(payload)}")], None
    if "series_id" in payload:
        return [f.item_parse(NAME, payload, RULES, where=where, id_path="series_id")], False
    results = payload.get("results")
    if not isinstance(results, list):
        return [RowError(where, f"expected a series or a search page with results, got {sorted(payload)[:6]}")], None
    items = [r.get("record") if isinstance(r, Mapping) else r for r in results]
    return f.items_parse(NAME, items, RULES, where=where, id_path="series_id"), _has_next(payload, len(items))


def _has_next(payload: Mapping[str, Any], count: int) -> bool:
    total, page, per_page = payload.get("total_hits"), payload.get("page"), payload.get("per_page")
    if isinstance(total, int) and isinstance(page, int) and isinstance(per_page, int):
        return page * per_page < total
    return count > 0


class MangaUpdatesAdapter(AdapterBase):
    name, label, rules, filters = NAME, LABEL, RULES, FILTERS
    rates = (Rate(1, 1.0),)
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
            yield from self._by_ids(run, checked["id"], cursor, budget)
            return
        body = dict(checked) | {"perpage": PER_PAGE, "orderby": "title"}
        streak = BadPageStreak(LABEL)
        while not cursor.done and not budget.spent:
            where = f"{NAME} search page {cursor.page}"
            ids, has_next = run.search(body | {"page": cursor.page}, where, since)
            streak.record(bad=has_next is None)
            last: dict[str, Any] | None = None
            for rows, last in self._details(run, ids, cursor, budget, has_next=has_next is not False):
                yield rows, last
            cursor = PageCursor.resume(last) if last else PageCursor(cursor.page + 1, 0, done=has_next is False)
            if last is None:  # nothing on this page passed the filters: still record the progress
                yield [], cursor.as_checkpoint()

    def _details(
        self, run: _Run, ids: list[int | RowError], cursor: PageCursor, budget: Budget, *, has_next: bool
    ) -> Iterator[tuple[list[Row], dict[str, Any]]]:
        """Fetch each series of one search page in chunks, checkpointing after each chunk."""
        position = cursor.skip
        while position < len(ids) and not budget.spent:
            chunk = ids[position : position + DETAIL_CHUNK]
            rows = budget.take([run.series(i) if isinstance(i, int) else i for i in chunk[: budget.left or None]])
            position += len(rows)
            after = cursor.after(len(ids), position - cursor.skip, has_next=has_next)
            yield rows, after.as_checkpoint()

    def _by_ids(
        self, run: _Run, ids: list[str], cursor: PageCursor, budget: Budget
    ) -> Iterator[tuple[list[Row], dict[str, Any]]]:
        parsed: list[int | RowError] = []
        for raw in ids:
            try:
                parsed.append(series_id_parse(int(raw) if raw.isdigit() and len(raw) > 9 else raw))
            except ValueError as exc:
                parsed.append(RowError(f"{NAME} id {raw!r}", str(exc)))
        if not cursor.done:
            yield from self._details(run, parsed, cursor, budget, has_next=False)


class _Run:
    """One fetch: the throttle, the client and the GET cache the terms ask for."""

    def __init__(self, throttle: Throttle, client: httpx.Client) -> None:
        self.throttle = throttle
        self.client = client
        self.cache: dict[str, Any] = {}

    def search(
        self, body: dict[str, Any], where: str, since: dt.date | None
    ) -> tuple[list[int | RowError], bool | None]:
        request = self.client.build_request("POST", f"{BASE}/series/search", json=body)
        payload = self._json(request, where)
        if isinstance(payload, RowError):
            return [payload], None
        if not isinstance(payload, Mapping) or not isinstance(payload.get("results"), list):
            return [RowError(where, "expected a search page with results")], None
        ids: list[int | RowError] = []
        for index, result in enumerate(payload["results"], start=1):
            record = result.get("record") if isinstance(result, Mapping) else None
            ident = record.get("series_id") if isinstance(record, Mapping) else None
            if not isinstance(record, Mapping) or not isinstance(ident, int) or isinstance(ident, bool):
                ids.append(RowError(f"{where} item {index}", f"series_id: expected a whole number, got {ident!r}"))
            elif since is None or _year_at_least(record, since.year):
                ids.append(ident)
        return ids, _has_next(payload, len(payload["results"]))

    def series(self, series_id: int) -> Row:
        where = f"{NAME} series {base36_encode(series_id)} ({series_id})"
        url = f"{BASE}/series/{series_id}"
        if url not in self.cache:
            self.cache[url] = self._json(self.client.build_request("GET", url), where)
        payload = self.cache[url]
        if isinstance(payload, RowError):
            return payload
        return page_read(payload, where=where)[0][0]

    def _json(self, request: httpx.Request, where: str) -> Any:
        response = self.throttle.send(self.client, request)
        if response.status_code == 404:
            return RowError(where, "MangaUpdates has no such series (404)")
        if response.status_code >= 400:
            raise status_error(LABEL, response, where)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return RowError(where, f"the response is not valid JSON ({exc})")


def _year_at_least(record: Mapping[str, Any], year: int) -> bool:
    """The --since filter on a search hit (MangaUpdates searches one exact year at most); unknown years fail it."""
    value = record.get("year")
    return isinstance(value, str) and value[:4].isdigit() and int(value[:4]) >= year


ADAPTER: CatalogAdapter = MangaUpdatesAdapter()
