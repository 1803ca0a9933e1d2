from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from shuraba.importers.records import RowError, SourceCreator, SourceRecord
from shuraba.importers.sources import mangadex
from shuraba.importers.sources.ratelimit import FakeClock, SourceError

from .support import Recorder, drain, json_response, payload, records, tag_map

A_ID = "00000000-0000-4000-8000-00000000000a"
F_ID = "00000000-0000-4000-8000-00000000000f"
G_ID = "00000000-0000-4000-8000-000000000006"
D_ID = "00000000-0000-4000-8000-00000000000d"


def parse(name: str) -> list[SourceRecord | RowError]:
    return mangadex.ADAPTER.parse_page(payload("mangadex", name), where=f"mangadex {name}")


# --- parsing recorded pages ----------------------------------------------------------------------


def test_entry_with_links_parses_cross_ids_rating_and_credits() -> None:
    a = records(parse("manga_page_1.json"))[A_ID]
    assert (a.source, a.title, a.url) == ("mangadex", "Example Title A", f"https://mangadex.org/title/{A_ID}")
    assert a.alt_titles == (
        ("english", "Example Title A"),
        ("romaji", "Reibun Taitoru A"),
        ("native", "例文タイトルA"),
        ("english", "Sample Work A"),
    )
    assert a.cross_ids == {"anilist": "9000001", "mal": "9100001", "mangaupdates": "zzexampla"}
    assert (a.format, a.status, a.country, a.start_date) == ("manga", "finished", "JP", dt.date(2019, 1, 1))
    assert (a.chapters, a.volumes) == (47, 6)
    assert (a.content_rating, a.is_adult) == ("explicit", True)
    assert a.creators == (SourceCreator("Example Author One", "", "story-art", "00000000-0000-4000-8000-0000000a0001"),)
    assert tag_map(a) == {
        "Drama": (None, False, False),
        "Romance": (None, False, False),
        "Psychological": (None, False, False),
        "Office Workers": (None, False, False),
    }
    assert tag_map(a, "content-rating") == {"pornographic": (None, False, True)}
    assert a.updated_at == dt.datetime(2025, 12, 1, 8, 30, tzinfo=dt.UTC)


def test_long_strip_is_a_webtoon_and_oneshot_a_one_shot() -> None:
    by_id = records(parse("manga_page_1.json"))
    f = by_id[F_ID]
    assert (f.format, f.country, f.status, f.content_rating, f.is_adult) == (
        "webtoon",
        "KR",
        "releasing",
        "mature",
        False,
    )
    assert f.alt_titles[:2] == (("romaji", "Yeje Jemok F"), ("native", "예제 제목 F"))
    assert [(c.name, c.role) for c in f.creators] == [("Example Writer Two", "story"), ("Example Artist Three", "art")]
    g = by_id[G_ID]
    assert (g.format, g.start_date, g.chapters, g.cross_ids, g.content_rating) == ("one-shot", None, 1, {}, "all-ages")


def test_fractional_last_chapter_is_not_a_count_and_other_languages_are_synonyms() -> None:
    d = records(parse("manga_page_1.json"))[D_ID]
    assert d.chapters is None
    assert ("synonym", "Titre Exemple D") in d.alt_titles
    assert d.cross_ids == {"anilist": "9000004", "mal": "9100004"}


def test_single_entity_response_parses() -> None:
    assert [r.source_id for r in parse("manga_entity_a.json") if isinstance(r, SourceRecord)] == [A_ID]


@pytest.mark.parametrize(
    ("link", "ids"),
    [
        ("zzexampla", {"mangaupdates": "zzexampla"}),
        ("ZZEXAMPLA", {"mangaupdates": "zzexampla"}),
        ("https://www.mangaupdates.com/series/zzexampla/reibun-taitoru-a", {"mangaupdates": "zzexampla"}),
        ("71967", {"mangaupdates-legacy": "71967"}),
    ],
)
def test_mangaupdates_links_in_every_known_form(link: str, ids: dict[str, str]) -> None:
    assert mangadex.mu_id_from_link(link) == ids


def test_bad_items_become_row_errors_and_the_good_one_imports() -> None:
    rows = parse("manga_bad_types.json")
    reasons = [r.reason for r in rows if isinstance(r, RowError)]
    assert reasons == [
        "attributes.status: unknown value 'paused-forever' (known: cancelled, completed, hiatus, ongoing)",
        "id: expected a MangaDex UUID, got 'not-a-uuid'",
        "attributes.year: expected a whole number, got str '2019'",
        "attributes.title: expected text for every language, got en: int",
        "attributes.contentRating: unknown value 'ultra' (known: erotica, pornographic, safe, suggestive)",
        "attributes.links.mu: not a base36 MangaUpdates id: 'not base36!'",
        "attributes.altTitles: expected a list of objects, got str",
    ]
    assert rows[0].where == "mangadex manga_bad_types.json item 1 (mangadex id 00000000-0000-4000-8000-000000000090)"
    assert [r.source_id for r in rows if isinstance(r, SourceRecord)] == ["00000000-0000-4000-8000-000000000097"]


def test_an_error_response_is_one_row_error() -> None:
    assert parse("error_400_cap.json") == [
        RowError(
            "mangadex error_400_cap.json",
            "MangaDex error: Result window is too large, offset + limit must be less than or equal to 10000",
        )
    ]


# --- fetching: filters, the result cap, checkpoints --------------------------------------------------


class FakeMangaDex:
    """A MangaDex that enforces the 10,000-result cap and orders by creation time like the real one."""

    def __init__(
        self, count: int, *, per_second: int = 3, years: tuple[int, ...] = (2024,), strict: bool = False
    ) -> None:
        self.strict = strict  # createdAtSince as "after" rather than "at or after" (the docs do not say)
        start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        self.items = [
            self._item(n, start + dt.timedelta(seconds=n // per_second), years[n % len(years)]) for n in range(count)
        ]
        self.requests: list[httpx.Request] = []

    @staticmethod
    def _item(n: int, created: dt.datetime, year: int) -> dict[str, Any]:
        attributes = {
            "title": {"en": f"Example Bulk {n}"},
            "status": "ongoing",
            "contentRating": "safe",
            "year": year,
            "createdAt": created.isoformat(),
            "tags": [],
        }
        return {"id": f"00000000-0000-4000-8000-{n + 0x100000:012x}", "type": "manga", "attributes": attributes}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        params = request.url.params
        offset, limit = int(params["offset"]), int(params["limit"])
        if offset + limit > mangadex.RESULT_CAP:
            return json_response(payload("mangadex", "error_400_cap.json"), status=400)
        pool = [i for i in self.items if self._matches(i, params)]
        page = pool[offset : offset + limit]
        return json_response(
            {
                "result": "ok",
                "response": "collection",
                "data": page,
                "limit": limit,
                "offset": offset,
                "total": len(pool),
            }
        )

    def _matches(self, item: dict[str, Any], params: httpx.QueryParams) -> bool:
        created = item["attributes"]["createdAt"][:19]
        since = params.get("createdAtSince")
        year = params.get("year")
        after = since is None or created > since or (created == since and not self.strict)
        return after and (year is None or item["attributes"]["year"] == int(year))


def adapter(clock: FakeClock) -> mangadex.MangaDexAdapter:
    return mangadex.MangaDexAdapter(clock=clock, sleep=clock.sleep)


def fetch(client: httpx.Client, clock: FakeClock, **kwargs: Any) -> Any:
    arguments: dict[str, Any] = {"filters": {}, "since": None, "limit": None, "checkpoint": None} | kwargs
    return adapter(clock).fetch(client, **arguments)


def ids(rows: list[SourceRecord | RowError]) -> list[str]:
    return [r.source_id for r in rows if isinstance(r, SourceRecord)]


@pytest.mark.parametrize("strict", [False, True])
def test_createdatsince_windows_beat_the_10000_result_cap(clock: FakeClock, *, strict: bool) -> None:
    server = FakeMangaDex(10_250, strict=strict)
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        rows, checkpoints = drain(fetch(client, clock))
    assert not [r for r in rows if isinstance(r, RowError)]
    assert ids(rows) == [i["id"] for i in server.items]  # every result exactly once, in order
    windows = {r.url.params.get("createdAtSince") for r in server.requests}
    assert len(windows) == 2  # the start, then one window after the cap
    assert all(int(r.url.params["offset"]) + int(r.url.params["limit"]) <= 10_000 for r in server.requests)
    assert checkpoints[-1]["done"] is True


def test_resuming_from_any_checkpoint_fetches_only_the_rest(clock: FakeClock) -> None:
    server = FakeMangaDex(10_250)
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        full, checkpoints = drain(fetch(client, clock))
        pages = [len(page) for page, _ in fetch(client, clock)]
        for k in (0, 50, 99, 100, len(checkpoints) - 2):
            server.requests.clear()
            rest, _ = drain(fetch(client, clock, checkpoint=checkpoints[k]))
            assert ids(rest) == ids(full)[sum(pages[: k + 1]) :], k
            resumed_at = checkpoints[k]["offset"] if checkpoints[k]["offset"] < 10_000 else 0  # 0: a new window
            assert int(server.requests[0].url.params["offset"]) == resumed_at


def test_limit_stops_mid_page_and_the_checkpoint_resumes_after_it(clock: FakeClock) -> None:
    server = FakeMangaDex(250)
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        first, checkpoints = drain(fetch(client, clock, limit=130))
        rest, _ = drain(fetch(client, clock, checkpoint=checkpoints[-1]))
    assert len(first) == 130
    assert ids(first) + ids(rest) == [i["id"] for i in server.items]


def test_since_walks_one_year_partition_at_a_time(clock: FakeClock) -> None:
    clock.now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC).timestamp()
    server = FakeMangaDex(40, years=(2022, 2023, 2024, 2025))
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        rows, _ = drain(fetch(client, clock, since=dt.date(2024, 3, 1)))
    assert [r.url.params["year"] for r in server.requests] == ["2024", "2025"]
    assert sorted(ids(rows)) == sorted(i["id"] for i in server.items if i["attributes"]["year"] >= 2024)


def test_filters_become_mangadex_parameters_with_tag_names_resolved(clock: FakeClock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/manga/tag":
            return json_response(payload("mangadex", "tag_list.json"))
        return json_response(payload("mangadex", "manga_page_1.json"))

    server = Recorder(answer)
    filters = {"tag": ["Romance", "b9af3a63-f058-46de-a9a0-e0c13906197a"], "tag_mode": "or", "exclude_tag": ["gore"]}
    rows, _ = drain(fetch(server.client(), clock, filters=filters | {"adult": True, "search": "Example"}))
    assert len(ids(rows)) == 4
    params = server.requests[-1].url.params
    assert params.get_list("includedTags[]") == [
        "423e2eae-a7a2-4a8b-ac03-a8351462d71d",
        "b9af3a63-f058-46de-a9a0-e0c13906197a",
    ]
    assert params.get_list("excludedTags[]") == ["b29d6a3d-1569-4e7a-8caf-7557bc92cd5d"]
    assert params["includedTagsMode"] == "OR"
    assert params.get_list("contentRating[]") == ["safe", "suggestive", "erotica", "pornographic"]
    assert params.get_list("includes[]") == ["author", "artist"]
    assert (params["title"], params["order[createdAt]"], params["limit"]) == ("Example", "asc", "100")


def test_pornographic_is_only_asked_for_when_wanted(clock: FakeClock) -> None:
    server = Recorder(lambda _: json_response(payload("mangadex", "manga_page_1.json")))
    drain(fetch(server.client(), clock))
    assert server.requests[0].url.params.get_list("contentRating[]") == ["safe", "suggestive", "erotica"]


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"tag": ["Netorare"]}, "MangaDex has no tag named 'Netorare'"),
        ({"tag": ["Romanse"]}, "Did you mean 'romance'?"),
        ({"content_rating": ["ultra"]}, "unknown ultra"),
        ({"tag_mode": "XOR"}, "unknown XOR"),
        ({"tags": ["Romance"]}, "has no filter 'tags'"),
    ],
)
def test_bad_filters_stop_before_any_search(clock: FakeClock, filters: dict[str, Any], message: str) -> None:
    server = Recorder(lambda _: json_response(payload("mangadex", "tag_list.json")))
    with pytest.raises(SourceError, match=message):
        drain(fetch(server.client(), clock, filters=filters))
    assert all(r.url.path == "/manga/tag" for r in server.requests)


def test_every_request_carries_a_real_user_agent(clock: FakeClock) -> None:
    server = Recorder(lambda _: json_response(payload("mangadex", "manga_page_1.json")))
    drain(fetch(server.client(), clock))
    drain(fetch(server.client(headers={"User-Agent": "my-site-importer/2 (ops@example.invalid)"}), clock))
    agents = [r.headers["user-agent"] for r in server.requests]
    assert agents[0].startswith("shuraba-importer/")
    assert agents[1] == "my-site-importer/2 (ops@example.invalid)"


def test_an_unreadable_page_is_reported_and_the_walk_goes_on(clock: FakeClock) -> None:
    server = FakeMangaDex(250)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["offset"] == "100":
            return httpx.Response(200, content=b'{"result": "ok", "data": [')
        return server(request)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        rows, _ = drain(fetch(client, clock))
    errors = [r for r in rows if isinstance(r, RowError)]
    assert len(errors) == 1
    assert errors[0].where == "mangadex offset 100"
    assert "not valid JSON" in errors[0].reason
    assert len(ids(rows)) == 150
