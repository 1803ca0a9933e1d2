from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from shuraba.importers.records import RowError, SourceCreator, SourceRecord
from shuraba.importers.sources import jikan
from shuraba.importers.sources.ratelimit import FakeClock, SourceError

from .support import Recorder, drain, json_response, payload, records, tag_map


def parse(name: str) -> list[SourceRecord | RowError]:
    return jikan.ADAPTER.parse_page(payload("jikan", name), where=f"jikan {name}")


# --- parsing recorded pages ----------------------------------------------------------------------


def test_manga_parses_titles_dates_genres_and_the_adult_flag() -> None:
    a = records(parse("manga_9100001.json"))["9100001"]
    assert (a.source, a.title, a.url) == (
        "mal",
        "Reibun Taitoru A",
        "https://myanimelist.net/manga/9100001/Reibun_Taitoru_A",
    )
    assert a.alt_titles == (
        ("romaji", "Reibun Taitoru A"),
        ("native", "例文タイトルA"),
        ("english", "Example Title A"),
        ("synonym", "Sample Work A"),
    )
    assert (a.format, a.country, a.status) == ("manga", "JP", "finished")
    assert (a.start_date, a.end_date) == (dt.date(2019, 4, 1), dt.date(2021, 3, 15))
    assert (a.chapters, a.volumes, a.score, a.popularity) == (48, 6, 71, 2345)
    assert (a.is_adult, a.content_rating) == (True, "explicit")
    assert tag_map(a, "genre") == {
        "Drama": (None, False, False),
        "Romance": (None, False, False),
        "Hentai": (None, False, True),
    }
    assert set(tag_map(a, "theme")) == {"Adult Cast", "Workplace"}
    assert set(tag_map(a, "demographic")) == {"Seinen"}
    assert a.creators == (SourceCreator("Example Author One", "", "story-art", "9200001"),)
    assert a.cross_ids == {}


def test_erotica_is_adult_and_an_empty_explicit_list_is_not() -> None:
    by_id = records(parse("manga_search_page_1.json")) | records(parse("manga_search_page_2.json"))
    assert (by_id["9100003"].is_adult, by_id["9100003"].status, by_id["9100003"].end_date) == (True, "hiatus", None)
    d = by_id["9100004"]
    assert (d.is_adult, d.content_rating, d.start_date, d.score) == (False, None, dt.date(2015, 1, 1), None)
    assert [c.name for c in d.creators] == ["Example Novelist Five", "Example Artist Six"]


@pytest.mark.parametrize(
    ("mal", "ours"),
    [("Urasawa, Naoki", "Naoki Urasawa"), ("Example Artist Six", "Example Artist Six"), ("ONE,", "ONE,")],
)
def test_mal_person_names_are_turned_around(mal: str, ours: str) -> None:
    assert jikan.person_name(mal) == ours


def test_bad_entries_become_row_errors() -> None:
    rows = parse("manga_bad_types.json")
    assert [r.reason for r in rows if isinstance(r, RowError)] == [
        "type: unknown value 'Hologram' (known: Manga, One-shot, Doujinshi, Manhwa, Manhua, OEL, Light Novel, Novel)",
        "status: unknown value 'Paused' (known: Discontinued, Finished, Not yet published, On Hiatus, Publishing)",
        "score: expected a number, got str 'high'",
        "chapters: expected a number of 0 or more, got -3",
        "explicit_genres: expected a list of objects, got str",
        "published.prop.from: not a real date (2020-13-1): month must be in 1..12",
    ]
    assert [r.source_id for r in rows if isinstance(r, SourceRecord)] == ["9100097"]
    assert rows[0].where == "jikan manga_bad_types.json item 1 (mal id 9100091)"


def test_an_error_body_is_one_row_error() -> None:
    assert parse("error_429.json") == [
        RowError("jikan error_429.json", "Jikan error: You are being rate limited by Jikan (example body).")
    ]


# --- fetching ------------------------------------------------------------------------------------------


def answer(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/v4/genres/manga":
        return json_response(payload("jikan", "genres_manga.json"))
    if path == "/v4/manga":
        return json_response(payload("jikan", f"manga_search_page_{request.url.params['page']}.json"))
    if path == "/v4/manga/9100001":
        return json_response(payload("jikan", "manga_9100001.json"))
    return json_response(
        {"status": 404, "type": "BadResponseException", "message": "Resource does not exist"}, status=404
    )


def fetch(client: httpx.Client, clock: FakeClock, **kwargs: Any) -> Any:
    arguments: dict[str, Any] = {"filters": {}, "since": None, "limit": None, "checkpoint": None} | kwargs
    return jikan.JikanAdapter(clock=clock, sleep=clock.sleep).fetch(client, **arguments)


def test_search_pages_until_has_next_page_is_false(clock: FakeClock) -> None:
    server = Recorder(answer)
    filters = {"genre": ["Love Polygon", "8"], "exclude_genre": ["hentai"], "search": "Example", "sfw": True}
    rows, checkpoints = drain(fetch(server.client(), clock, filters=filters, since=dt.date(2015, 1, 1)))
    assert [r.source_id for r in rows if isinstance(r, SourceRecord)] == ["9100001", "9100003", "9100004"]
    params = server.requests[1].url.params
    assert (params["genres"], params["genres_exclude"], params["q"], params["sfw"]) == ("64,8", "12", "Example", "true")
    assert (params["start_date"], params["order_by"], params["limit"], params["page"]) == (
        "2015-01-01",
        "mal_id",
        "25",
        "1",
    )
    assert checkpoints == [{"page": 2, "skip": 0, "done": False}, {"page": 3, "skip": 0, "done": True}]


def test_resume_fetches_only_the_remaining_pages(clock: FakeClock) -> None:
    server = Recorder(answer)
    rows, _ = drain(fetch(server.client(), clock, checkpoint={"page": 2, "skip": 0, "done": False}))
    assert [r.source_id for r in rows if isinstance(r, SourceRecord)] == ["9100004"]
    assert [r.url.params["page"] for r in server.requests] == ["2"]


def test_ids_are_looked_up_one_by_one_and_a_missing_one_is_a_row_error(clock: FakeClock) -> None:
    server = Recorder(answer)
    rows, checkpoints = drain(fetch(server.client(), clock, filters={"id": [9100001, 9100002]}))
    assert isinstance(rows[0], SourceRecord)
    assert rows[1] == RowError("mal id 9100002", "MyAnimeList has no such entry (404)")
    assert checkpoints[-1] == {"page": 1, "skip": 2, "done": True}


def test_three_requests_a_second_and_sixty_a_minute(clock: FakeClock) -> None:
    sent: list[float] = []

    def timed(request: httpx.Request) -> httpx.Response:
        sent.append(clock.now)
        return json_response(payload("jikan", "manga_9100001.json"))

    drain(fetch(Recorder(timed).client(), clock, filters={"id": list(range(1, 71))}))
    assert len(sent) == 70
    assert all(sum(1 for t in sent if s <= t < s + 1) <= 3 for s in sent)
    assert all(sum(1 for t in sent if s <= t < s + 60) <= 60 for s in sent)
    assert sent[60] - sent[0] >= 60


def test_an_unknown_genre_name_stops_with_a_hint(clock: FakeClock) -> None:
    with pytest.raises(SourceError, match=r"no manga genre named 'Love Polygn'\. Did you mean 'love polygon'"):
        drain(fetch(Recorder(answer).client(), clock, filters={"genre": ["Love Polygn"]}))
