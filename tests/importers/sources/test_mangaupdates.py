from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuraba.importers.records import RowError, SourceCreator, SourceRecord
from shuraba.importers.sources import mangaupdates as mu
from shuraba.importers.sources.ratelimit import FakeClock

from .support import Recorder, drain, json_response, payload, records, tag_map

A = "zzexampla"


def parse(name: str) -> list[SourceRecord | RowError]:
    return mu.ADAPTER.parse_page(payload("mangaupdates", name), where=f"mangaupdates {name}")


# --- ids ---------------------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_base36_round_trips_every_int64(number: int) -> None:
    assert mu.base36_decode(mu.base36_encode(number)) == number


@given(st.text(alphabet="0123456789abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12).filter(lambda s: s[0] != "0"))
def test_base36_text_round_trips(text: str) -> None:
    assert mu.base36_encode(mu.base36_decode(text)) == text


def test_the_documented_example_id() -> None:
    assert mu.base36_decode("ttaew4a") == 64897697818
    assert mu.base36_encode(64897697818) == "ttaew4a"


@pytest.mark.parametrize("bad", ["", "not base36!", "ab-cd"])
def test_bad_base36_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a base36 MangaUpdates id"):
        mu.base36_decode(bad)


@pytest.mark.parametrize(
    ("plus", "minus", "rank"), [(0, 0, 0), (3, 3, 0), (1, 4, 0), (1, 0, 25), (3, 0, 50), (12, 1, 79)]
)
def test_category_rank_grows_with_net_votes(plus: int, minus: int, rank: int) -> None:
    assert mu.category_rank(plus, minus) == rank


# --- parsing recorded pages ----------------------------------------------------------------------


def test_series_parses_facts_categories_with_vote_ranks_and_credits() -> None:
    a = records(parse(f"series_{A}.json"))[A]
    assert (a.source, a.title, a.url) == (
        "mangaupdates",
        "Reibun Taitoru A",
        f"https://www.mangaupdates.com/series/{A}/reibun-taitoru-a",
    )
    assert a.alt_titles == (("synonym", "Example Title A"), ("synonym", "例文タイトルA"), ("synonym", "Sample Work A"))
    assert (a.format, a.country, a.start_date, a.status) == ("manga", "JP", dt.date(2019, 1, 1), "finished")
    assert (a.chapters, a.volumes, a.score, a.popularity) == (48, 6, 71, 100)
    assert (a.is_adult, a.content_rating) == (True, "explicit")
    assert tag_map(a, "category") == {
        "Netorare": (79, False, False),
        "Cheating": (73, False, False),
        "Love Triangle": (50, False, False),
        "Revenge": (50, False, False),
        "Married Couple": (57, False, False),
        "Glasses-Wearing Female Lead": (40, False, False),
    }
    assert set(tag_map(a, "genre")) == {"Adult", "Drama", "Hentai", "Psychological", "Romance"}
    assert a.creators == (SourceCreator("Example Author One", "", "story-art", "90000001"),)
    assert a.updated_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_ongoing_manhwa_has_no_final_counts_yet() -> None:
    h = records(parse("series_zzexamplh.json"))["zzexamplh"]
    assert (h.format, h.country, h.status, h.chapters, h.volumes) == ("manga", "KR", "releasing", None, None)
    assert (h.is_adult, h.content_rating) == (False, None)
    assert tag_map(h, "category")["Unrequited Love"] == (0, False, False)
    assert [(c.name, c.role) for c in h.creators] == [("Example Writer Eight", "story"), ("Example Artist Nine", "art")]


def test_search_pages_parse_to_partial_records() -> None:
    by_id = records(parse("series_search_page_1.json"))
    assert list(by_id) == [A, "zzexamplh"]
    assert by_id[A].tags[0].kind == "genre"
    assert not [t for t in by_id[A].tags if t.kind == "category"]  # search hits carry no categories


def test_bad_records_become_row_errors() -> None:
    rows = parse("series_bad_types.json")
    reasons = [r.reason for r in rows if isinstance(r, RowError)]
    assert reasons == [
        "series_id: expected a whole number, got str 'abc'",
        (
            "type: 'Drama CD' is not a comic or novel type we import (known: Manga, Manhwa, Manhua, Doujinshi, OEL, "
            "Novel, Thai, Indonesian, Vietnamese, Malaysian, Filipino, French, Spanish, German, Nordic)"
        ),
        "year: expected a year, got 'soon'",
        "bayesian_rating: expected a number, got str 'high'",
        "categories: expected a list of objects, got str",
    ]
    assert [r.source_id for r in rows if isinstance(r, SourceRecord)] == ["exbad06"]


# --- fetching: search, details, cache, checkpoints ----------------------------------------------------


class FakeMangaUpdates:
    def __init__(self, pages: dict[int, Any] | None = None) -> None:
        self.pages = pages or {
            1: payload("mangaupdates", "series_search_page_1.json"),
            2: payload("mangaupdates", "series_search_page_2.json"),
        }
        self.series = {
            mu.base36_decode(c): payload("mangaupdates", f"series_{c}.json") for c in (A, "zzexamplh", "zzexampli")
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/series/search":
            body = json.loads(request.content)
            return json_response(
                self.pages.get(body["page"], {"total_hits": 3, "page": body["page"], "per_page": 2, "results": []})
            )
        series_id = int(request.url.path.rsplit("/", 1)[1])
        if series_id in self.series:
            return json_response(self.series[series_id])
        return json_response({"status": "exception", "reason": "Series not found"}, status=404)


def fetch(client: httpx.Client, clock: FakeClock, **kwargs: Any) -> Any:
    arguments: dict[str, Any] = {"filters": {}, "since": None, "limit": None, "checkpoint": None} | kwargs
    return mu.MangaUpdatesAdapter(clock=clock, sleep=clock.sleep).fetch(client, **arguments)


def test_search_then_one_get_per_series_with_full_categories(clock: FakeClock) -> None:
    server = Recorder(FakeMangaUpdates())
    rows, checkpoints = drain(fetch(server.client(), clock, filters={"category": ["Netorare"], "search": "Example"}))
    by_id = records(rows)
    assert list(by_id) == [A, "zzexamplh", "zzexampli"]
    assert tag_map(by_id["zzexampli"], "category") == {"Netori": (70, False, False), "Netorase": (25, False, False)}
    first = json.loads(server.requests[0].content)
    assert first == {"category": ["Netorare"], "search": "Example", "perpage": 25, "orderby": "title", "page": 1}
    assert [r.method for r in server.requests] == ["POST", "GET", "GET", "POST", "GET"]
    assert checkpoints[-1] == {"page": 3, "skip": 0, "done": True}


def test_get_responses_are_cached_within_a_run(clock: FakeClock) -> None:
    page = payload("mangaupdates", "series_search_page_1.json")
    page["results"] = page["results"] + page["results"]  # the same hits twice
    server = Recorder(FakeMangaUpdates({1: page | {"total_hits": 4, "per_page": 4}}))
    rows, _ = drain(fetch(server.client(), clock))
    assert len(rows) == 4
    assert [r.url.path for r in server.requests if r.method == "GET"] == [
        f"/v1/series/{mu.base36_decode(A)}",
        f"/v1/series/{mu.base36_decode('zzexamplh')}",
    ]


def test_requests_are_spaced_one_second_apart(clock: FakeClock) -> None:
    drain(fetch(Recorder(FakeMangaUpdates()).client(), clock))
    assert clock.slept
    assert clock.now - 1_700_000_000.0 >= 4.0  # five requests, at least a second between each


def test_resume_from_a_checkpoint_skips_what_was_yielded(clock: FakeClock) -> None:
    server = Recorder(FakeMangaUpdates())
    first, checkpoints = drain(fetch(server.client(), clock, limit=1))
    assert checkpoints[-1] == {"page": 1, "skip": 1, "done": False}
    server.requests.clear()
    rest, _ = drain(fetch(server.client(), clock, checkpoint=checkpoints[-1]))
    assert [r.source_id for r in first + rest if isinstance(r, SourceRecord)] == [A, "zzexamplh", "zzexampli"]
    assert f"/v1/series/{mu.base36_decode(A)}" not in [r.url.path for r in server.requests]


def test_since_drops_search_hits_from_earlier_years_before_fetching_them(clock: FakeClock) -> None:
    server = Recorder(FakeMangaUpdates())
    rows, _ = drain(fetch(server.client(), clock, since=dt.date(2020, 1, 1)))
    assert [r.source_id for r in rows if isinstance(r, SourceRecord)] == ["zzexamplh"]
    assert len([r for r in server.requests if r.method == "GET"]) == 1


def test_ids_in_either_form_fetch_those_series_and_a_missing_one_is_a_row_error(clock: FakeClock) -> None:
    server = Recorder(FakeMangaUpdates())
    ids = [A, str(mu.base36_decode("zzexamplh")), "zzzzzzzzz", "not base36!"]
    rows, _ = drain(fetch(server.client(), clock, filters={"id": ids}))
    assert [r.source_id for r in rows if isinstance(r, SourceRecord)] == [A, "zzexamplh"]
    errors = [(r.where, r.reason) for r in rows if isinstance(r, RowError)]
    assert errors == [
        (f"mangaupdates series zzzzzzzzz ({mu.base36_decode('zzzzzzzzz')})", "MangaUpdates has no such series (404)"),
        ("mangaupdates id 'not base36!'", "not a base36 MangaUpdates id: 'not base36!'"),
    ]
