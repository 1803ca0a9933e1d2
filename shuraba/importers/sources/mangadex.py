"""MangaDex API v5 (https://api.mangadex.org): cross-site ids, content rating, alternative titles.

Terms (Acceptable Usage Policy): credit MangaDex, run no ads or paid services on MangaDex data, send a real
User-Agent (never spoofed). About 5 requests/s per IP. `GET /manga` serves at most 10,000 results
(offset + limit) per query, so a walk is partitioned: by publication year when `since` is given, and
always by `createdAtSince` windows over results ordered by creation time (keyset paging).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Collection, Iterator, Mapping
from typing import Any

import httpx
from rapidfuzz import process

from shuraba.importers.records import RowError, SourceCreator, SourceRecord, SourceTag
from shuraba.importers.sources import CatalogAdapter
from shuraba.importers.sources import fieldmap as f
from shuraba.importers.sources.base import AdapterBase
from shuraba.importers.sources.mangaupdates import mu_id_from_link
from shuraba.importers.sources.paging import BadPageStreak, Budget, FilterSpec, Row, filters_check
from shuraba.importers.sources.ratelimit import Clock, Rate, Sleep, SourceError, status_error
from shuraba.importers.sources.windows import PAGE_SIZE, RESULT_CAP, Params, Window

NAME = "mangadex"
LABEL = "MangaDex"
BASE = "https://api.mangadex.org"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

STATUSES = {"ongoing": "releasing", "completed": "finished", "hiatus": "hiatus", "cancelled": "cancelled"}
RATINGS = {"safe": "all-ages", "suggestive": "teen", "erotica": "mature", "pornographic": "explicit"}
DEFAULT_RATINGS = ("safe", "suggestive", "erotica")  # MangaDex hides pornographic unless asked
COUNTRIES = {"ja": "JP", "ko": "KR", "zh": "CN", "zh-hk": "HK"}
ROMANIZED = ("-ro",)
FORMAT_TAGS = {"Oneshot": "one-shot", "Long Strip": "webtoon"}
LINKS = {"al": "anilist", "mal": "mal"}


def _source_id(item: Mapping[str, Any]) -> str:
    ident = f.text(item, "id")
    if ident is None or not UUID.match(ident):
        raise f.FieldError("id", f"expected a MangaDex UUID, got {ident!r}")
    return ident


def _names(item: Mapping[str, Any], path: str) -> list[tuple[str, str]]:
    """A localized string ({"en": "..."}) as (language, text) pairs."""
    value = f.dig(item, path)
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise f.FieldError(path, f"expected an object of language → text, got {f.type_name(value)}")
    if bad := [f"{lang}: {f.type_name(v)}" for lang, v in value.items() if not isinstance(v, str)]:
        raise f.FieldError(path, f"expected text for every language, got {', '.join(bad)}")
    return [(str(lang), text.strip()) for lang, text in value.items() if text.strip()]


def _title(item: Mapping[str, Any]) -> str | None:
    names = _names(item, "attributes.title")
    return names[0][1] if names else None


def _alt_titles(item: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    original = f.text(item, "attributes.originalLanguage")
    pairs = _names(item, "attributes.title")
    for index in range(len(f.objects(item, "attributes.altTitles"))):
        pairs += _names(item, f"attributes.altTitles.{index}")
    return f.unique((_title_kind(lang, original), text) for lang, text in pairs)


def _title_kind(lang: str, original: str | None) -> str:
    if lang.endswith(ROMANIZED):
        return "romaji"
    if lang == "en":
        return "english"
    return "native" if lang == original else "synonym"


def _tag_names(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(English name, group) of each tag."""
    found = []
    for index, tag in enumerate(f.objects(item, "attributes.tags")):
        name = f.text(tag, "attributes.name.en")
        if name is None:
            raise f.FieldError(f"attributes.tags[{index}].attributes.name.en", "missing")
        found.append((name, f.text(tag, "attributes.group") or ""))
    return found


def _format(item: Mapping[str, Any]) -> str:
    formats = [FORMAT_TAGS[name] for name, _ in _tag_names(item) if name in FORMAT_TAGS]
    return formats[0] if formats else "manga"


def _tags(item: Mapping[str, Any]) -> tuple[SourceTag, ...]:
    tags = [SourceTag(name=name, kind="tag") for name, _ in _tag_names(item)]
    rating = f.text(item, "attributes.contentRating")
    if rating is not None:
        tags.append(SourceTag(name=rating, kind="content-rating", adult=rating == "pornographic"))
    return tuple(tags)


def _whole(item: Mapping[str, Any], path: str) -> int | None:
    """lastChapter/lastVolume are strings ("162", "12.5", ""); only a whole number is a count."""
    value = f.text(item, path)
    return int(value) if value is not None and value.isdigit() else None


def _start(item: Mapping[str, Any]) -> dt.date | None:
    year = f.integer(item, "attributes.year")
    return f.date_from_parts(year, None, None, "attributes.year")


def _creators(item: Mapping[str, Any]) -> tuple[SourceCreator, ...]:
    roles: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for rel in f.objects(item, "relationships"):
        kind, ident, name = f.text(rel, "type"), f.text(rel, "id"), f.text(rel, "attributes.name")
        if kind in {"author", "artist"} and ident and name:
            roles.setdefault(ident, set()).add("story" if kind == "author" else "art")
            names[ident] = name
    return tuple(SourceCreator(names[i], "", _role(r), i) for i, r in roles.items())


def _role(roles: set[str]) -> str:
    return "story-art" if len(roles) == 2 else next(iter(roles))


def _cross_ids(item: Mapping[str, Any]) -> dict[str, str]:
    links = f.dig(item, "attributes.links")
    if links is None:
        return {}
    if not isinstance(links, Mapping):
        raise f.FieldError("attributes.links", f"expected an object, got {f.type_name(links)}")
    ids = {ours: str(links[key]).strip() for key, ours in LINKS.items() if links.get(key)}
    if links.get("mu"):
        ids.update(mu_id_from_link(str(links["mu"])))
    return ids


RULES: tuple[f.FieldRule, ...] = (
    f.FieldRule("id", "source_id", _source_id, "the manga UUID"),
    f.FieldRule("attributes.title", "title", _title, "the first (main) language entry"),
    f.FieldRule(
        "attributes.title, attributes.altTitles[]",
        "alt_titles",
        _alt_titles,
        "*-ro → romaji, en → english, the originalLanguage → native, any other language → synonym",
    ),
    f.FieldRule(
        "attributes.tags[] (group format)",
        "format",
        _format,
        "Oneshot tag → one-shot, Long Strip tag → webtoon, otherwise manga",
    ),
    f.FieldRule(
        "attributes.status",
        "status",
        lambda i: f.enum(i, "attributes.status", STATUSES),
        "ongoing → releasing, completed → finished, hiatus, cancelled",
    ),
    f.FieldRule(
        "attributes.originalLanguage",
        "country",
        lambda i: COUNTRIES.get(f.text(i, "attributes.originalLanguage") or ""),
        "ja → JP, ko → KR, zh → CN, zh-hk → HK; other languages name no country",
    ),
    f.FieldRule("attributes.year", "start_date", _start, "publication year → 1 January of it"),
    f.FieldRule(
        "attributes.lastChapter", "chapters", lambda i: _whole(i, "attributes.lastChapter"), "only a whole number"
    ),
    f.FieldRule(
        "attributes.lastVolume", "volumes", lambda i: _whole(i, "attributes.lastVolume"), "only a whole number"
    ),
    f.FieldRule(
        "attributes.contentRating",
        "content_rating",
        lambda i: f.enum(i, "attributes.contentRating", RATINGS),
        "safe → all-ages, suggestive → teen, erotica → mature, pornographic → explicit",
    ),
    f.FieldRule(
        "attributes.contentRating",
        "is_adult",
        lambda i: None if (r := f.text(i, "attributes.contentRating")) is None else r == "pornographic",
        "pornographic → true, any other rating → false",
    ),
    f.FieldRule(
        "attributes.tags[].attributes.name.en, attributes.contentRating",
        "tags",
        _tags,
        "kind tag, unranked; the rating also as kind content-rating",
    ),
    f.FieldRule(
        "relationships[] (type author, artist; includes[])",
        "creators",
        _creators,
        "author → story, artist → art, both → story-art",
    ),
    f.FieldRule(
        "attributes.links",
        "cross_ids",
        _cross_ids,
        "al → anilist, mal → mal, mu → mangaupdates (base36; a legacy numeric id → mangaupdates-legacy)",
    ),
    f.FieldRule("id", "url", lambda i: f"https://mangadex.org/title/{i.get('id')}", "https://mangadex.org/title/{id}"),
    f.FieldRule("attributes.updatedAt", "updated_at", lambda i: f.timestamp(i, "attributes.updatedAt"), "ISO 8601"),
)

FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("tag", str, "includedTags[]", "tag names or UUIDs (names resolved with GET /manga/tag)", many=True),
    FilterSpec("tag_mode", str, "includedTagsMode", "AND (default) or OR"),
    FilterSpec("exclude_tag", str, "excludedTags[]", "tag names or UUIDs", many=True),
    FilterSpec("exclude_tag_mode", str, "excludedTagsMode", "OR (default) or AND"),
    FilterSpec("content_rating", str, "contentRating[]", "safe, suggestive, erotica, pornographic", many=True),
    FilterSpec("adult", bool, "contentRating[]", "true adds pornographic to the default safe/suggestive/erotica"),
    FilterSpec("search", str, "title", "title search"),
    FilterSpec("id", str, "ids[]", "manga UUIDs (at most 100): on-demand per-title sync", many=True),
    FilterSpec("status", str, "status[]", "ongoing, completed, hiatus, cancelled", many=True),
    FilterSpec("original_language", str, "originalLanguage[]", "ja, ko, zh, ...", many=True),
    FilterSpec("demographic", str, "publicationDemographic[]", "shounen, shoujo, josei, seinen, none", many=True),
)
PARAMS = {
    "tag_mode": "includedTagsMode",
    "exclude_tag_mode": "excludedTagsMode",
    "search": "title",
    "id": "ids[]",
    "status": "status[]",
    "original_language": "originalLanguage[]",
    "demographic": "publicationDemographic[]",
}


def page_read(payload: Any, *, where: str) -> tuple[list[Row], list[Mapping[str, Any]] | None]:
    """Rows of one saved response and its raw items (None when the page is unusable)."""
    if not isinstance(payload, Mapping):
        return [RowError(where, f"expected a JSON object, got {f.type_name(payload)}")], None
    if payload.get("result") == "error":
        return [RowError(where, f"MangaDex error: {_error_detail(payload)}")], None
    data = payload.get("data")
    items = [data] if payload.get("response") == "entity" and isinstance(data, Mapping) else data
    if not isinstance(items, list):
        return [RowError(where, f"expected a list of items in data, got {f.type_name(data)}")], None
    rows = f.items_parse(NAME, items, RULES, where=where, id_path="id")
    return rows, [i if isinstance(i, Mapping) else {} for i in items]


def _error_detail(payload: Mapping[str, Any]) -> str:
    errors = payload.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        return str(errors[0].get("detail") or errors[0].get("title") or "no detail")
    return "no detail"


class MangaDexAdapter(AdapterBase):
    name, label, rules, filters = NAME, LABEL, RULES, FILTERS
    rates = (Rate(5, 1.0),)
    page_read = staticmethod(page_read)
    result_cap = RESULT_CAP

    def __init__(self, *, clock: Clock = time.time, sleep: Sleep = time.sleep) -> None:
        super().__init__(clock=clock, sleep=sleep)
        self._tag_ids: dict[str, str] = {}

    def fetch(
        self,
        client: httpx.Client,
        *,
        filters: Mapping[str, Any],
        since: dt.date | None,
        limit: int | None,
        checkpoint: Mapping[str, Any] | None,
    ) -> Iterator[tuple[list[SourceRecord | RowError], dict[str, Any]]]:
        base = self.base_params(client, filters_check(NAME, FILTERS, filters))
        years = tuple(range(since.year, self._this_year() + 1)) if since else ()
        window, budget, streak = Window.resume(checkpoint, years), Budget(limit), BadPageStreak(LABEL)
        while not window.done and not budget.spent:
            if window.offset + PAGE_SIZE > self.result_cap:
                window = window.next_window()
            where = f"{NAME} {self._where(window)}"
            rows, items, total = self._page(client, base + window.params(), where)
            streak.record(bad=items is None)
            window, taken, whole_page = self._step(window, rows, items, budget)
            last_page = items is not None and (len(items) < PAGE_SIZE or (total is not None and window.offset >= total))
            if last_page and whole_page:
                window = window.next_partition()
            yield taken, window.as_checkpoint()

    @staticmethod
    def _step(
        window: Window, rows: list[Row], items: list[Mapping[str, Any]] | None, budget: Budget
    ) -> tuple[Window, list[Row], bool]:
        """Drop results already yielded before a window change, take what the budget allows, move on.
        Returns the new window, the rows to yield and whether the whole page was consumed."""
        if items is None:  # an unreadable page: report it and step over its results
            return window.skipped(), budget.take(rows), True
        taken: list[Row] = []
        consumed = 0
        for item, row in zip(items, rows, strict=True):
            if budget.spent:
                break
            consumed += 1
            if item.get("id") not in window.recent:
                taken += budget.take([row])
        return window.consumed(items[:consumed]), taken, consumed == len(items)

    def _page(
        self, client: httpx.Client, params: Params, where: str
    ) -> tuple[list[Row], list[Mapping[str, Any]] | None, int | None]:
        response = self.throttle.send(client, client.build_request("GET", f"{BASE}/manga", params=params))
        if response.status_code >= 400:
            raise status_error(LABEL, response, f"the search for {where}")
        try:
            payload = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return [RowError(where, f"the response is not valid JSON ({exc}); its results were skipped")], None, None
        rows, items = page_read(payload, where=where)
        total = payload.get("total") if isinstance(payload, Mapping) else None
        return rows, items, total if isinstance(total, int) else None

    def base_params(self, client: httpx.Client, checked: Mapping[str, Any]) -> Params:
        params: Params = [("includes[]", "author"), ("includes[]", "artist")]
        ratings = list(checked.get("content_rating") or DEFAULT_RATINGS)
        if checked.get("adult") and "pornographic" not in ratings:
            ratings.append("pornographic")
        self._choices("content_rating", ratings, RATINGS)
        params += [("contentRating[]", r) for r in ratings]
        for key, param in (("tag", "includedTags[]"), ("exclude_tag", "excludedTags[]")):
            params += [(param, self.tag_id(client, name)) for name in checked.get(key, [])]
        for key in ("tag_mode", "exclude_tag_mode"):
            if key in checked:
                params.append((PARAMS[key], self._choices(key, [checked[key].upper()], ("AND", "OR"))[0]))
        for key in ("search", "id", "status", "original_language", "demographic"):
            value = checked.get(key)
            params += [
                (PARAMS[key], v) for v in (value if isinstance(value, list) else [] if value is None else [value])
            ]
        return params

    @staticmethod
    def _choices(key: str, values: list[str], allowed: Collection[str]) -> list[str]:
        bad = [v for v in values if v not in allowed]
        if bad:
            raise SourceError(f"MangaDex filter {key!r}: unknown {', '.join(bad)} (known: {', '.join(allowed)})")
        return values

    def tag_id(self, client: httpx.Client, name: str) -> str:
        """A tag UUID as given, or the UUID of a tag name (the vocabulary is fetched once per adapter)."""
        if UUID.match(name.lower()):
            return name.lower()
        if not self._tag_ids:
            self._tag_ids = self._tags_fetch(client)
        if (ident := self._tag_ids.get(name.casefold())) is not None:
            return ident
        guess = process.extractOne(name.casefold(), list(self._tag_ids))
        hint = f" Did you mean {guess[0]!r}?" if guess and guess[1] >= 60 else ""
        raise SourceError(f"MangaDex has no tag named {name!r}.{hint}")

    def _tags_fetch(self, client: httpx.Client) -> dict[str, str]:
        response = self.throttle.send(client, client.build_request("GET", f"{BASE}/manga/tag"))
        if response.status_code >= 400:
            raise status_error(LABEL, response, "the tag list")
        try:
            items = response.json()["data"]
            return {str(t["attributes"]["name"]["en"]).casefold(): str(t["id"]) for t in items}
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
            raise SourceError(f"MangaDex sent a tag list we cannot read ({exc}); try again later") from exc

    def _this_year(self) -> int:
        return dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC).year

    @staticmethod
    def _where(window: Window) -> str:
        parts = [f"year {window.years[0]}"] if window.years else []
        parts += [f"created since {window.since}"] if window.since else []
        return " ".join([*parts, f"offset {window.offset}"])


ADAPTER: CatalogAdapter = MangaDexAdapter()
