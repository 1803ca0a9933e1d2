"""AniList (GraphQL, https://graphql.anilist.co): the richest NTR signal, tags with a 0-100 rank and spoiler flags.

Terms: no mass collection or mirroring. Runs are meant for on-demand per-title sync (`id` filter) and
narrow filtered pulls; the query asks for facts only (no description). Rate: designed for the degraded
30 requests/min, adapting to `X-RateLimit-Limit`/`-Remaining`; 429 honours `Retry-After`; a 403
("temporarily disabled") is an outage and stops the run at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from shuraba.importers.records import RowError, SourceCreator, SourceRecord, SourceTag
from shuraba.importers.sources import CatalogAdapter
from shuraba.importers.sources import fieldmap as f
from shuraba.importers.sources.base import AdapterBase
from shuraba.importers.sources.paging import (
    BadPageStreak,
    Budget,
    FilterSpec,
    PageCursor,
    Row,
    filters_check,
    fuzzy_date_int,
)
from shuraba.importers.sources.ratelimit import (
    Rate,
    SourceOutage,
    status_error,
)

NAME = "anilist"
LABEL = "AniList"
ENDPOINT = "https://graphql.anilist.co"
PER_PAGE = 50  # AniList's maximum
DEFAULT_PER_MINUTE = 30  # the documented degraded limit; X-RateLimit-Limit may raise it

QUERY = """
query ($page: Int, $perPage: Int, $tags: [String], $notTags: [String], $genres: [String], $adult: Boolean,
       $search: String, $ids: [Int], $startDate: FuzzyDateInt, $minRank: Int) {
  Page(page: $page, perPage: $perPage) {
    pageInfo { total currentPage lastPage hasNextPage }
    media(type: MANGA, isAdult: $adult, tag_in: $tags, tag_not_in: $notTags, genre_in: $genres,
          search: $search, id_in: $ids, startDate_greater: $startDate, minimumTagRank: $minRank, sort: ID) {
      id idMal
      title { romaji english native }
      synonyms
      format
      status(version: 2)
      startDate { year month day }
      endDate { year month day }
      chapters volumes countryOfOrigin isLicensed source(version: 3)
      genres
      tags { id name rank category isMediaSpoiler isGeneralSpoiler isAdult }
      isAdult averageScore meanScore popularity favourites
      staff(perPage: 25) { edges { role node { id name { full native } } } }
      siteUrl updatedAt
    }
  }
}
""".strip()

FORMATS = {"MANGA": "manga", "ONE_SHOT": "one-shot", "NOVEL": "light-novel"}
LONG_STRIP = "Long Strip"  # AniList tag 1789, category Technical
STATUSES = {
    "FINISHED": "finished",
    "RELEASING": "releasing",
    "NOT_YET_RELEASED": "not-yet-released",
    "CANCELLED": "cancelled",
    "HIATUS": "hiatus",
}
# Staff roles are free text ("Story & Art", "Art (chapters 1-3)"); the part before any parenthesis decides.
ROLES = {
    "story & art": "story-art",
    "story": "story",
    "art": "art",
    "original creator": "original",
    "original story": "original",
}
GENRE_ADULT = "Hentai"


def _source_id(item: Mapping[str, Any]) -> str:
    ident = f.integer(item, "id")
    if ident is None:
        raise f.FieldError("id", "missing")
    return str(ident)


def _title(item: Mapping[str, Any]) -> str | None:
    return f.text(item, "title.romaji") or f.text(item, "title.english") or f.text(item, "title.native")


def _alt_titles(item: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    pairs = [(kind, f.text(item, f"title.{kind}")) for kind in ("romaji", "english", "native")]
    pairs += [("synonym", name) for name in f.texts(item, "synonyms")]
    return f.unique((kind, value) for kind, value in pairs if value)


def _tags(item: Mapping[str, Any]) -> tuple[SourceTag, ...]:
    tags = []
    for index, tag in enumerate(f.objects(item, "tags")):
        path = f"tags[{index}]"
        name = f.text(tag, "name")
        if name is None:
            raise f.FieldError(f"{path}.name", "missing")
        rank = f.integer(tag, "rank")
        if rank is not None and rank > 100:
            raise f.FieldError(f"{path}.rank", f"expected 0-100, got {rank}")
        spoiler = bool(f.flag(tag, "isMediaSpoiler")) or bool(f.flag(tag, "isGeneralSpoiler"))
        tags.append(SourceTag(name=name, rank=rank, kind="tag", spoiler=spoiler, adult=bool(f.flag(tag, "isAdult"))))
    return tuple(tags)


def _format(item: Mapping[str, Any]) -> str | None:
    """AniList has no webtoon format: a vertical-scroll work is MANGA with its Long Strip tag ("Technical").
    countryOfOrigin says where a work is from (a manhwa is KR), not how it is laid out."""
    ours = f.enum(item, "format", FORMATS)
    if ours == "manga" and any(f.text(tag, "name") == LONG_STRIP for tag in f.objects(item, "tags")):
        return "webtoon"
    return ours


def _genres(item: Mapping[str, Any]) -> tuple[SourceTag, ...]:
    return tuple(SourceTag(name=g, kind="genre", adult=g == GENRE_ADULT) for g in f.texts(item, "genres"))


def _role(text: str) -> str | None:
    return ROLES.get(text.split("(", 1)[0].strip().casefold())


def _creators(item: Mapping[str, Any]) -> tuple[SourceCreator, ...]:
    """Story and Art credited separately to one person become one story-art credit; other staff are not credits."""
    found: dict[str, tuple[SourceCreator, set[str]]] = {}
    for edge in f.objects(item, "staff.edges"):
        role = _role(f.text(edge, "role") or "")
        name = f.text(edge, "node.name.full") or f.text(edge, "node.name.native")
        if role is None or name is None:
            continue
        staff_id = f.integer(edge, "node.id")
        native = f.text(edge, "node.name.native") or ""
        creator = SourceCreator(name=name, native_name=native, source_id=str(staff_id) if staff_id else "")
        found.setdefault(creator.source_id or name, (creator, set()))[1].add(role)
    return tuple(
        SourceCreator(creator.name, creator.native_name, _merged_role(roles), creator.source_id)
        for creator, roles in found.values()
    )


def _merged_role(roles: set[str]) -> str:
    if "story-art" in roles or {"story", "art"} <= roles:
        return "story-art"
    return next(r for r in ("story", "art", "original") if r in roles)


def _cross_ids(item: Mapping[str, Any]) -> dict[str, str]:
    mal = f.integer(item, "idMal")
    return {"mal": str(mal)} if mal else {}


def _score(item: Mapping[str, Any]) -> int | None:
    score = f.integer(item, "meanScore")
    if score is not None and score > 100:
        raise f.FieldError("meanScore", f"expected 0-100, got {score}")
    return score


def _country(item: Mapping[str, Any]) -> str | None:
    country = f.text(item, "countryOfOrigin")
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise f.FieldError("countryOfOrigin", f"expected a two-letter country code, got {country!r}")
    return country.upper() if country else None


RULES: tuple[f.FieldRule, ...] = (
    f.FieldRule("id", "source_id", _source_id, "AniList media id, as text"),
    f.FieldRule("title.romaji / english / native", "title", _title, "the first one present, romaji first"),
    f.FieldRule(
        "title.romaji, title.english, title.native, synonyms[]",
        "alt_titles",
        _alt_titles,
        "kinds romaji, english, native, synonym",
    ),
    f.FieldRule(
        "format, tags[].name",
        "format",
        _format,
        "MANGA → manga, or webtoon with AniList's Long Strip tag; ONE_SHOT → one-shot, NOVEL → light-novel",
    ),
    f.FieldRule(
        "status(version: 2)",
        "status",
        lambda i: f.enum(i, "status", STATUSES),
        "FINISHED, RELEASING, NOT_YET_RELEASED, CANCELLED, HIATUS → ours",
    ),
    f.FieldRule("countryOfOrigin", "country", _country, "ISO 3166-1 alpha-2"),
    f.FieldRule(
        "startDate", "start_date", lambda i: f.fuzzy_date(i, "startDate"), "FuzzyDate; a missing month or day becomes 1"
    ),
    f.FieldRule(
        "endDate", "end_date", lambda i: f.fuzzy_date(i, "endDate"), "FuzzyDate; a missing month or day becomes 1"
    ),
    f.FieldRule("chapters", "chapters", lambda i: f.integer(i, "chapters")),
    f.FieldRule("volumes", "volumes", lambda i: f.integer(i, "volumes")),
    f.FieldRule("isAdult", "is_adult", lambda i: f.flag(i, "isAdult"), "Media.isAdult: intended only for 18+"),
    f.FieldRule(
        "isAdult",
        "content_rating",
        lambda i: "explicit" if f.flag(i, "isAdult") else None,
        "true → explicit; false says nothing more (non-adult ranges from all-ages to mature)",
    ),
    f.FieldRule("meanScore", "score", _score, "plain mean 0-100 (not the weighted averageScore)"),
    f.FieldRule("popularity", "popularity", lambda i: f.integer(i, "popularity"), "users with the title on a list"),
    f.FieldRule(
        "tags[].name, rank, isMediaSpoiler, isGeneralSpoiler, isAdult",
        "tags",
        _tags,
        "kind tag; rank 0-100 as is; spoiler when either spoiler flag is set",
    ),
    f.FieldRule("genres[]", "tags", _genres, "kind genre, unranked; Hentai is adult"),
    f.FieldRule(
        "staff.edges[].role, node.id, node.name.full, node.name.native",
        "creators",
        _creators,
        "Story & Art → story-art, Story → story, Art → art, Original Creator/Story → original; "
        "Story plus Art for one person → story-art; other staff roles are not credits",
    ),
    f.FieldRule("idMal", "cross_ids", _cross_ids, '{"mal": idMal}'),
    f.FieldRule(
        "siteUrl",
        "url",
        lambda i: f.text(i, "siteUrl") or f"https://anilist.co/manga/{i.get('id')}",
        "or the canonical URL",
    ),
    f.FieldRule("updatedAt", "updated_at", lambda i: f.timestamp(i, "updatedAt"), "unix seconds → UTC"),
)

FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("tag", str, "tag_in", "AniList tag names (how several combine is undocumented)", many=True),
    FilterSpec("exclude_tag", str, "tag_not_in", "AniList tag names to leave out", many=True),
    FilterSpec("genre", str, "genre_in", "AniList genres", many=True),
    FilterSpec("search", str, "search", "title search"),
    FilterSpec("id", int, "id_in", "AniList media ids: on-demand per-title sync", many=True),
    FilterSpec("adult", bool, "isAdult", "true: adult only; false: non-adult only; absent: both"),
    FilterSpec(
        "min_tag_rank", int, "minimumTagRank", "apply the tag filters only above this rank (AniList default 18)"
    ),
)


def page_read(payload: Any, *, where: str) -> tuple[list[Row], bool | None]:
    """Rows of one saved response and whether another page follows (None when the page is unusable)."""
    if not isinstance(payload, Mapping):
        return [RowError(where, f"expected a JSON object, got {f.type_name(payload)}")], None
    errors = payload.get("errors")
    data = payload.get("data")
    if not isinstance(data, Mapping):
        reason = _graphql_message(payload) if errors else "no data object in the response"
        return [RowError(where, reason)], None
    if isinstance(data.get("Media"), Mapping):  # a single-title query ({"data": {"Media": {...}}})
        return f.items_parse(NAME, [data["Media"]], RULES, where=where, id_path="id"), False
    page = data.get("Page")
    if not isinstance(page, Mapping):
        return [RowError(where, "expected data.Page or data.Media in the response")], None
    has_next = f.dig(page, "pageInfo.hasNextPage")
    rows = f.items_parse(NAME, page.get("media"), RULES, where=where, id_path="id")
    return rows, has_next if isinstance(has_next, bool) else None


def _graphql_message(payload: Mapping[str, Any]) -> str:
    errors = payload.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        return f"AniList error: {errors[0].get('message', 'no message')}"
    return "AniList answered with errors and no data"


class AniListAdapter(AdapterBase):
    name, label, rules, filters = NAME, LABEL, RULES, FILTERS
    rates = (Rate(1, 60 / DEFAULT_PER_MINUTE),)
    adapt_per_minute = True
    page_read = staticmethod(page_read)

    def variables(self, filters: Mapping[str, Any], since: dt.date | None) -> dict[str, Any]:
        checked = filters_check(NAME, FILTERS, filters)
        names = {"tag": "tags", "exclude_tag": "notTags", "genre": "genres", "search": "search", "id": "ids"}
        names |= {"adult": "adult", "min_tag_rank": "minRank"}
        variables = {names[key]: value for key, value in checked.items()}
        if since is not None:  # startDate_greater is strict, so ask for the day before
            variables["startDate"] = fuzzy_date_int(since - dt.timedelta(days=1))
        return variables | {"perPage": PER_PAGE}

    def fetch(
        self,
        client: httpx.Client,
        *,
        filters: Mapping[str, Any],
        since: dt.date | None,
        limit: int | None,
        checkpoint: Mapping[str, Any] | None,
    ) -> Iterator[tuple[list[SourceRecord | RowError], dict[str, Any]]]:
        variables = self.variables(filters, since)
        cursor, budget, streak = PageCursor.resume(checkpoint), Budget(limit), BadPageStreak(LABEL)
        while not cursor.done and not budget.spent:
            where = f"{NAME} page {cursor.page}"
            rows, has_next = self._page(client, variables | {"page": cursor.page}, where)
            streak.record(bad=has_next is None)
            fresh = rows[cursor.skip :]
            taken = budget.take(fresh)
            cursor = cursor.after(len(rows), len(taken), has_next=has_next is not False and bool(rows))
            yield taken, cursor.as_checkpoint()

    def _page(self, client: httpx.Client, variables: dict[str, Any], where: str) -> tuple[list[Row], bool | None]:
        request = client.build_request("POST", ENDPOINT, json={"query": QUERY, "variables": variables})
        response = self.throttle.send(client, request)
        if response.status_code == 403:
            raise SourceOutage(
                f"AniList answered 403: {_body_message(response)}. The API is disabled or blocking us for now; "
                "the run stops here without retrying. Try again later; it resumes from its checkpoint."
            )
        if response.status_code >= 400:
            raise status_error(LABEL, response, f"the query for {where}")
        try:
            payload = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return [RowError(where, f"the response is not valid JSON ({exc}); the page was skipped")], None
        return page_read(payload, where=where)


def _body_message(response: httpx.Response) -> str:
    try:
        return _graphql_message(response.json())
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return response.text[:200] or "(empty body)"


ADAPTER: CatalogAdapter = AniListAdapter()
