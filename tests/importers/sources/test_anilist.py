from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import httpx
import pytest

from shuraba.importers.records import RowError, SourceCreator, SourceRecord
from shuraba.importers.sources import anilist
from shuraba.importers.sources.ratelimit import FakeClock, SourceError, SourceOutage, SourceRateLimited

from .support import Recorder, drain, json_response, payload, raw, records, tag_map


def parse(name: str) -> list[SourceRecord | RowError]:
    return anilist.ADAPTER.parse_page(payload("anilist", name), where=f"anilist {name}")


# --- parsing recorded pages ----------------------------------------------------------------------


def test_adult_netorare_title_parses_every_fact() -> None:
    a = records(parse("page_1.json"))["9000001"]
    assert a.source == "anilist"
    assert a.title == "Reibun Taitoru A"
    assert a.alt_titles == (
        ("romaji", "Reibun Taitoru A"),
        ("english", "Example Title A"),
        ("native", "例文タイトルA"),
        ("synonym", "Sample Work A"),
    )
    assert (a.format, a.status, a.country) == ("manga", "finished", "JP")
    assert (a.start_date, a.end_date) == (dt.date(2019, 4, 1), dt.date(2021, 3, 15))
    assert (a.chapters, a.volumes, a.score, a.popularity) == (48, 6, 71, 1234)
    assert (a.is_adult, a.content_rating) == (True, "explicit")
    assert a.cross_ids == {"mal": "9100001"}
    assert a.url == "https://anilist.co/manga/9000001"
    assert a.updated_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert a.creators == (SourceCreator("Example Author One", "例文作者一", "story-art", "9900001"),)


def test_tags_keep_rank_spoiler_and_adult_flags_and_genres_are_a_kind_of_their_own() -> None:
    a = records(parse("page_1.json"))["9000001"]
    tags = tag_map(a)
    assert tags["Netorare"] == (88, False, True)
    assert tags["Cheating"] == (74, False, True)
    assert tags["Revenge"] == (61, True, False)
    assert tags["Tragedy"] == (35, True, False)
    assert tag_map(a, "genre") == {
        "Drama": (None, False, False),
        "Hentai": (None, False, True),
        "Psychological": (None, False, False),
        "Romance": (None, False, False),
    }


def test_story_and_art_by_one_person_merge_and_other_staff_are_not_credits() -> None:
    by_id = records(parse("page_1.json"))
    assert [(c.name, c.role) for c in by_id["9000002"].creators] == [
        ("Example Writer Two", "story"),
        ("Example Artist Three", "art"),
    ]
    assert [(c.name, c.role) for c in by_id["9000003"].creators] == [("Example Author Four", "story-art")]


def test_one_shot_hiatus_and_partial_dates() -> None:
    by_id = records(parse("page_1.json")) | records(parse("page_2.json"))
    assert (by_id["9000002"].format, by_id["9000002"].start_date) == ("one-shot", dt.date(2022, 8, 1))
    assert by_id["9000003"].status == "hiatus"
    assert by_id["9000003"].title == "Reibun Taitoru C"
    assert by_id["9000004"].start_date == dt.date(2015, 1, 1)
    assert (by_id["9000004"].is_adult, by_id["9000004"].content_rating) == (False, None)
    assert (by_id["9000005"].status, by_id["9000005"].country, by_id["9000005"].score) == ("cancelled", "KR", None)
    assert by_id["9000005"].cross_ids == {}


def test_single_media_response_parses_like_a_page() -> None:
    rows = parse("media_9000002.json")
    assert [r.source_id for r in rows if isinstance(r, SourceRecord)] == ["9000002"]


def test_real_entries_from_the_shared_collection_parse_without_error() -> None:
    by_id = records(parse("real_nonadult_page.json"))
    monster = by_id["30001"]
    assert monster.title == "MONSTER"
    assert ("english", "Monster") in monster.alt_titles
    assert (monster.status, monster.start_date, monster.is_adult) == ("finished", dt.date(1994, 12, 5), False)
    assert tag_map(monster)["Tragedy"] == (92, False, False)
    assert by_id["145525"].end_date is None


def test_bad_items_become_row_errors_naming_item_id_and_field_while_good_ones_import() -> None:
    rows = parse("page_bad_types.json")
    errors = {r.where: r.reason for r in rows if isinstance(r, RowError)}
    assert errors == {
        "anilist page_bad_types.json item 1 (anilist id 9000091)": (
            "chapters: expected a whole number, got str 'twelve'"
        ),
        "anilist page_bad_types.json item 2 (anilist id 9000092)": (
            "format: unknown value 'HOLOGRAM' (known: MANGA, NOVEL, ONE_SHOT)"
        ),
        "anilist page_bad_types.json item 3 (anilist id 9000093)": (
            "status: unknown value 'PAUSED_FOREVER' (known: CANCELLED, FINISHED, HIATUS, NOT_YET_RELEASED, RELEASING)"
        ),
        "anilist page_bad_types.json item 4 (anilist id 9000094)": "title: the item has no title in any language",
        "anilist page_bad_types.json item 5 (anilist id 9000095)": "id: expected a whole number, got str '9000095'",
        "anilist page_bad_types.json item 6 (anilist id 9000096)": "tags: expected a list of objects, got str",
        "anilist page_bad_types.json item 7 (anilist id 9000097)": (
            "startDate: not a real date (2020-2-31): day is out of range for month"
        ),
        "anilist page_bad_types.json item 8": "expected an object, got str",
    }
    assert [r.source_id for r in rows if isinstance(r, SourceRecord)] == ["9000099"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([], "expected a JSON object, got list"),
        (
            {"data": None, "errors": [{"message": "Too Many Requests.", "status": 429}]},
            "AniList error: Too Many Requests.",
        ),
        ({"data": {"Other": 1}}, "expected data.Page or data.Media in the response"),
        ({"data": {"Page": {"media": "none"}}}, "expected a list of items, got str"),
    ],
)
def test_unusable_pages_become_one_row_error(body: Any, reason: str) -> None:
    assert anilist.ADAPTER.parse_page(body, where="saved page") == [RowError("saved page", reason)]


# --- fetching: variables, pages, checkpoints, limits and outages ------------------------------------


def pages_server(*bodies: Any) -> Recorder:
    """Answers page N of the query with bodies[N-1] (a dict as JSON, bytes as they are)."""

    def answer(request: httpx.Request) -> httpx.Response:
        page = json.loads(request.content)["variables"]["page"]
        body = bodies[page - 1]
        return httpx.Response(200, content=body) if isinstance(body, bytes) else json_response(body)

    return Recorder(answer)


def fetch(client: httpx.Client, clock: FakeClock, **kwargs: Any) -> Any:
    arguments: dict[str, Any] = {"filters": {}, "since": None, "limit": None, "checkpoint": None} | kwargs
    return anilist.AniListAdapter(clock=clock, sleep=clock.sleep).fetch(client, **arguments)


def sent(server: Recorder) -> list[dict[str, Any]]:
    return [json.loads(r.content)["variables"] for r in server.requests]


def test_fetch_walks_pages_with_filters_and_checkpoints(clock: FakeClock) -> None:
    server = pages_server(payload("anilist", "page_1.json"), payload("anilist", "page_2.json"))
    filters = {"tag": ["Netorare", "Cheating"], "adult": True, "min_tag_rank": 60}
    rows, checkpoints = drain(fetch(server.client(), clock, filters=filters, since=dt.date(2015, 1, 1)))
    assert [r.source_id for r in rows if isinstance(r, SourceRecord)] == [str(9000001 + i) for i in range(5)]
    assert sent(server)[0] == {
        "tags": ["Netorare", "Cheating"],
        "adult": True,
        "minRank": 60,
        "startDate": 20141231,
        "perPage": 50,
        "page": 1,
    }
    assert [v["page"] for v in sent(server)] == [1, 2]
    assert checkpoints == [{"page": 2, "skip": 0, "done": False}, {"page": 3, "skip": 0, "done": True}]
    query = json.loads(server.requests[0].content)["query"]
    assert "description" not in query
    assert server.requests[0].url == "https://graphql.anilist.co"


def test_resume_from_a_checkpoint_fetches_the_rest_only(clock: FakeClock) -> None:
    server = pages_server(payload("anilist", "page_1.json"), payload("anilist", "page_2.json"))
    rows, _ = drain(fetch(server.client(), clock, checkpoint={"page": 2, "skip": 0, "done": False}))
    assert [r.source_id for r in rows if isinstance(r, SourceRecord)] == ["9000004", "9000005"]
    assert [v["page"] for v in sent(server)] == [2]
    server.requests.clear()
    assert drain(fetch(server.client(), clock, checkpoint={"page": 3, "skip": 0, "done": True})) == ([], [])
    assert server.requests == []


def test_limit_cuts_a_page_and_its_checkpoint_resumes_mid_page(clock: FakeClock) -> None:
    server = pages_server(payload("anilist", "page_1.json"), payload("anilist", "page_2.json"))
    first, checkpoints = drain(fetch(server.client(), clock, limit=2))
    assert [r.source_id for r in first if isinstance(r, SourceRecord)] == ["9000001", "9000002"]
    assert checkpoints == [{"page": 1, "skip": 2, "done": False}]
    rest, _ = drain(fetch(server.client(), clock, checkpoint=checkpoints[-1]))
    assert [r.source_id for r in rest if isinstance(r, SourceRecord)] == ["9000003", "9000004", "9000005"]


def test_a_truncated_page_is_a_row_error_and_the_run_goes_on(clock: FakeClock) -> None:
    page_2 = payload("anilist", "page_1.json")  # says there is a page after it
    server = pages_server(payload("anilist", "page_1.json"), raw("anilist", "page_truncated.txt"), page_2)
    rows, _ = drain(fetch(server.client(), clock, limit=7))
    errors = [r for r in rows if isinstance(r, RowError)]
    assert [e.where for e in errors] == ["anilist page 2"]
    assert errors[0].reason.startswith("the response is not valid JSON")
    assert len([r for r in rows if isinstance(r, SourceRecord)]) == 6


def test_several_unreadable_pages_in_a_row_stop_the_run(clock: FakeClock) -> None:
    bad = raw("anilist", "page_truncated.txt")
    server = pages_server(bad, bad, bad, bad)
    with pytest.raises(SourceError, match="3 unreadable pages in a row"):
        drain(fetch(server.client(), clock))
    assert len(server.requests) == 3


def test_403_is_an_outage_that_stops_at_once(clock: FakeClock) -> None:
    server = Recorder(lambda _: json_response(payload("anilist", "error_403.json"), status=403))
    with pytest.raises(SourceOutage, match="temporarily disabled") as caught:
        drain(fetch(server.client(), clock))
    assert "without retrying" in str(caught.value)
    assert len(server.requests) == 1


def test_429_waits_for_retry_after_then_continues(clock: FakeClock) -> None:
    times: list[float] = []
    answers = [json_response(payload("anilist", "error_429.json"), 429, {"Retry-After": "7"})]

    def answer(request: httpx.Request) -> httpx.Response:
        times.append(clock.now)
        return answers.pop(0) if answers else json_response(payload("anilist", "page_2.json"))

    rows, _ = drain(fetch(Recorder(answer).client(), clock))
    assert len(rows) == 2
    assert times[1] - times[0] >= 7


def test_429_every_time_gives_up_with_a_rate_limit_error(clock: FakeClock) -> None:
    server = Recorder(lambda _: json_response(payload("anilist", "error_429.json"), 429, {"Retry-After": "60"}))
    with pytest.raises(SourceRateLimited, match="429 Too Many Requests; gave up after 5 attempts"):
        drain(fetch(server.client(), clock))
    assert len(server.requests) == 5


def test_requests_are_spaced_for_30_a_minute_then_adapt_to_the_announced_limit(clock: FakeClock) -> None:
    times: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        times.append(clock.now)
        page = json.loads(request.content)["variables"]["page"]
        body = payload("anilist", "page_1.json")
        body["data"]["Page"]["pageInfo"]["hasNextPage"] = page < 4
        return json_response(
            body, headers={"X-RateLimit-Limit": "90", "X-RateLimit-Remaining": "80"} if page >= 2 else {}
        )

    drain(fetch(Recorder(answer).client(), clock))
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(times)]
    assert gaps == [2.0, 0.667, 0.667]


def test_no_requests_left_holds_until_the_reset_time(clock: FakeClock) -> None:
    times: list[float] = []
    reset = int(clock.now) + 45

    def answer(request: httpx.Request) -> httpx.Response:
        times.append(clock.now)
        page = json.loads(request.content)["variables"]["page"]
        headers = {"X-RateLimit-Limit": "30", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
        return json_response(payload("anilist", f"page_{page}.json"), headers=headers if page == 1 else {})

    drain(fetch(Recorder(answer).client(), clock))
    assert times[1] >= reset


def test_unknown_filters_are_refused_with_a_hint(clock: FakeClock) -> None:
    with pytest.raises(SourceError, match=r"anilist has no filter 'tags'.*Did you mean 'tag'"):
        drain(fetch(pages_server().client(), clock, filters={"tags": ["Netorare"]}))
    with pytest.raises(SourceError, match="filter 'id' takes int values, got '30001'"):
        drain(fetch(pages_server().client(), clock, filters={"id": ["30001"]}))
