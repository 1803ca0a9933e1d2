"""Fetching a missing title for an unmatched list entry: AniList by its id, Jikan by a MAL id, through the
importers' pipeline; every failure leaves the catalog, the import log and the reader's library as they were.

The sources are faked at the network edge (httpx.MockTransport answering with recorded payloads in the
documented shapes, tests/library/data/fetch_*) and time at the limiter (FakeClock); the rest is real.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from django.test import Client, override_settings
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.accounts.policies import EVERYTHING, PUBLIC
from shuraba.catalog.models import ChangeRecord, ExternalId, Title
from shuraba.importers.mapping import alias_table
from shuraba.importers.models import ImportRun, MatchReview, ReviewStatus, SourceSnapshot
from shuraba.importers.records import SourceRecord
from shuraba.importers.runs import records_import
from shuraba.importers.sources import anilist, jikan
from shuraba.importers.sources.base import AdapterBase
from shuraba.importers.sources.ratelimit import FakeClock, Limiter, Throttle
from shuraba.library.fetch import (
    FetchDisabled,
    FetchNeedsReview,
    FetchNoId,
    FetchNotFound,
    FetchNotOpen,
    FetchRateLimited,
    FetchRejected,
    FetchUnavailable,
    unmatched_fetch,
)
from shuraba.library.models import LibraryEntry, UnmatchedEntry, UnmatchedState
from shuraba.library.services import library_import, unmatched_leave
from shuraba.taxonomy.models import Tag

DATA = Path(__file__).resolve().parent / "data"
Answer = Callable[[httpx.Request], httpx.Response]


def recorded(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


class Source:
    """A fake AniList and Jikan: answers by AniList id or MAL id from the recorded payloads, and keeps every
    request it was sent."""

    def __init__(self, answer: Answer | None = None) -> None:
        self.answer = answer or self.recorded
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    @staticmethod
    def recorded(request: httpx.Request) -> httpx.Response:
        if request.url.host == "graphql.anilist.co":
            ids = json.loads(request.content)["variables"]["ids"]
            path = DATA / f"fetch_anilist_{ids[0]}.json"
            return httpx.Response(200, json=recorded(path.name if path.exists() else "fetch_anilist_empty.json"))
        mal_id = request.url.path.rsplit("/", 1)[-1]
        path = DATA / f"fetch_jikan_{mal_id}.json"
        if not path.exists():
            return httpx.Response(404, json=recorded("fetch_jikan_404.json"))
        return httpx.Response(200, json=recorded(path.name))

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The adapters' shared limiters on fake time: waits are instant and the tests can read them."""
    fake = FakeClock()
    for module in (anilist, jikan):
        adapter = cast("AdapterBase", module.ADAPTER)
        limiter = Limiter(*adapter.rates, clock=fake, sleep=fake.sleep)
        throttle = Throttle(adapter.label, limiter, adapt_per_minute=adapter.adapt_per_minute)
        monkeypatch.setattr(adapter, "throttle", throttle)
    return fake


@pytest.fixture
def enabled(clock: FakeClock) -> Iterator[None]:
    with override_settings(LIBRARY_FETCH_MISSING=True):
        yield


@pytest.fixture
def other(db: None) -> User:
    return User.objects.create_user("other", email="other@example.test", password="another-long-password")


def unmatched(user: User, list_file: str, name: str) -> UnmatchedEntry:
    """Import the reader's list file (nothing in it is in the catalog) and pick one unmatched entry."""
    library_import(user=user, data=(DATA / list_file).read_bytes(), filename=list_file)
    return UnmatchedEntry.objects.get(user=user, name=name, state=UnmatchedState.OPEN)


def counts() -> dict[str, int]:
    models = (Title, ExternalId, ChangeRecord, SourceSnapshot, ImportRun, MatchReview, LibraryEntry)
    return {model.__name__: model.objects.count() for model in models}


def assert_nothing_changed(before: dict[str, int], row: UnmatchedEntry) -> None:
    assert counts() == before
    row.refresh_from_db()
    assert (row.state, row.title_id) == (UnmatchedState.OPEN, None)


# --- success ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("enabled")
def test_an_anilist_id_is_fetched_in_one_request_imported_and_the_entry_joins_the_library(reader: User) -> None:
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    source = Source()
    titles = Title.objects.count()

    outcome = unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client())

    assert len(source.requests) == 1
    assert json.loads(source.requests[0].content)["variables"]["ids"] == [97000001]
    assert (outcome.source, outcome.source_id, outcome.how) == ("anilist", "97000001", "fetched")
    assert Title.objects.count() == titles + 1
    title = outcome.title
    assert title.title == "Fetchtest Kasou Sakuhin A"
    assert set(title.external_ids.values_list("source", "external_id")) == {
        ("anilist", "97000001"),
        ("mal", "97100001"),
    }
    assert SourceSnapshot.objects.filter(source="anilist", source_id="97000001", title=title).exists()
    assert ChangeRecord.objects.filter(title_id=title.pk, source="import:anilist", field="created").exists()
    entry = LibraryEntry.objects.get(user=reader, title=title)
    assert (entry.status, entry.chapters_read, entry.started_on) == ("reading", 3, "2024-05")
    assert outcome.entry == entry
    row.refresh_from_db()
    assert (row.state, row.title_id) == (UnmatchedState.RESOLVED, title.pk)


@pytest.mark.usefixtures("enabled")
def test_a_mal_id_alone_is_fetched_through_jikan(reader: User) -> None:
    row = unmatched(reader, "fetch_list_mal.xml", "Fetchtest Kasou Sakuhin A")
    source = Source()

    outcome = unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client())

    assert [(r.method, r.url.path) for r in source.requests] == [("GET", "/v4/manga/97100001")]
    assert (outcome.source, outcome.source_id, outcome.how) == ("mal", "97100001", "fetched")
    assert set(outcome.title.external_ids.values_list("source", "external_id")) == {("mal", "97100001")}
    entry = LibraryEntry.objects.get(user=reader, title=outcome.title)
    assert (entry.status, entry.chapters_read, entry.score, entry.finished_on) == ("completed", 24, 7, "2024-02")


@pytest.mark.usefixtures("enabled")
def test_an_adult_title_is_not_found_for_a_reader_under_the_gate_and_added_past_it(reader: User) -> None:
    """Behind the age gate a title does not exist for the reader: the same answer as an unknown id, and
    nothing imported; once 18+ is confirmed it is fetched and named."""
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin B")
    before = counts()
    with pytest.raises(FetchNotFound, match="AniList gives no manga with the id 97000002 that shuraba can add"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=Source().client())
    assert_nothing_changed(before, row)

    reader.age_confirmed_at = timezone.now()
    reader.save()
    outcome = unmatched_fetch(user=reader, unmatched_id=row.pk, client=Source().client())
    assert outcome.title.content_rating == "explicit"
    assert LibraryEntry.objects.filter(user=reader, title=outcome.title).exists()
    assert outcome.age_gated
    assert outcome.name_for(PUBLIC) is None
    assert "Fetchtest" not in outcome.message(PUBLIC)
    assert outcome.name_for(EVERYTHING) == "Fetchtest Kasou Sakuhin B"
    assert "“Fetchtest Kasou Sakuhin B”" in outcome.message(EVERYTHING)


@pytest.mark.usefixtures("enabled")
def test_a_title_in_view_of_everyone_is_named_to_everyone(reader: User) -> None:
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")

    outcome = unmatched_fetch(user=reader, unmatched_id=row.pk, client=Source().client())

    assert outcome.title.content_rating == "not-adult"
    assert not outcome.age_gated
    assert outcome.message(PUBLIC) == "Added “Fetchtest Kasou Sakuhin A” from AniList to your library."


# --- one title per work -------------------------------------------------------------------------------


@pytest.mark.usefixtures("enabled")
def test_a_second_fetch_of_the_same_id_sends_nothing_and_finds_the_same_title(reader: User, other: User) -> None:
    mine = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    theirs = unmatched(other, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    source = Source()
    first = unmatched_fetch(user=reader, unmatched_id=mine.pk, client=source.client())
    titles = Title.objects.count()

    second = unmatched_fetch(user=other, unmatched_id=theirs.pk, client=source.client())

    assert len(source.requests) == 1
    assert (second.title, second.how) == (first.title, "known")
    assert Title.objects.count() == titles
    assert LibraryEntry.objects.get(user=other).title == first.title


@pytest.mark.usefixtures("enabled")
def test_anilist_s_record_of_a_work_fetched_from_mal_merges_into_its_title_by_the_mal_id(
    reader: User, other: User
) -> None:
    from_mal = unmatched(reader, "fetch_list_mal.xml", "Fetchtest Kasou Sakuhin A")
    from_anilist = unmatched(other, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    source = Source()
    first = unmatched_fetch(user=reader, unmatched_id=from_mal.pk, client=source.client())
    titles = Title.objects.count()

    second = unmatched_fetch(user=other, unmatched_id=from_anilist.pk, client=source.client())

    assert [r.url.host for r in source.requests] == ["api.jikan.moe", "graphql.anilist.co"]
    assert (second.title, second.how) == (first.title, "merged")
    assert Title.objects.count() == titles
    assert set(first.title.source_snapshots.values_list("source", flat=True)) == {"anilist", "mal"}
    assert ("anilist", "97000001") in set(first.title.external_ids.values_list("source", "external_id"))


@pytest.mark.usefixtures("enabled")
def test_a_record_the_matcher_cannot_place_waits_for_an_editor_and_the_entry_stays_open(reader: User) -> None:
    # A title already in the catalog under a near-identical name, with no year or creator to confirm it.
    lookalike = SourceRecord(
        source="mangadex", source_id="97a0b0c0-0000-4000-8000-000000000001", title="Fetchtest Kasou Sakuhin Ah"
    )
    records_import(records=[lookalike], source="mangadex", suggest=False)
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    titles = Title.objects.count()

    with pytest.raises(FetchNeedsReview, match="an editor will check"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=Source().client())

    assert Title.objects.count() == titles
    assert MatchReview.objects.filter(source="anilist", source_id="97000001", status=ReviewStatus.PENDING).exists()
    row.refresh_from_db()
    assert row.state == UnmatchedState.OPEN


# --- errors: nothing changes ----------------------------------------------------------------------------


@pytest.mark.usefixtures("clock")
def test_fetching_is_refused_while_the_operator_has_not_enabled_it(reader: User) -> None:
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    source, before = Source(), counts()

    with pytest.raises(FetchDisabled, match="turned off on this site"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client())

    assert source.requests == []
    assert_nothing_changed(before, row)


@pytest.mark.usefixtures("enabled")
def test_another_reader_s_entry_is_not_found(reader: User, other: User) -> None:
    row = unmatched(other, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    source, before = Source(), counts()

    with pytest.raises(UnmatchedEntry.DoesNotExist):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client())

    assert source.requests == []
    assert_nothing_changed(before, row)


@pytest.mark.usefixtures("enabled")
def test_an_entry_without_an_id_has_nothing_to_fetch_by(reader: User) -> None:
    row = unmatched(reader, "fetch_list_mal.xml", "Fetchtest Kasou Sakuhin Nameonly")
    source, before = Source(), counts()

    with pytest.raises(FetchNoId, match="without an AniList or MyAnimeList id"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client())

    assert source.requests == []
    assert_nothing_changed(before, row)


@pytest.mark.usefixtures("enabled")
def test_an_entry_left_out_is_not_fetched(reader: User) -> None:
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    unmatched_leave(user=reader, unmatched_id=row.pk)
    source = Source()

    with pytest.raises(FetchNotOpen, match="was left out"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client())

    assert source.requests == []


@pytest.mark.usefixtures("enabled")
def test_an_id_anilist_does_not_know_is_an_empty_page_and_changes_nothing(reader: User) -> None:
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin Gone")
    source, before = Source(), counts()

    with pytest.raises(FetchNotFound, match="AniList gives no manga with the id 97000099"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client())

    assert len(source.requests) == 1
    assert_nothing_changed(before, row)


@pytest.mark.usefixtures("enabled")
def test_an_id_mal_does_not_know_is_jikan_s_404_and_changes_nothing(reader: User) -> None:
    row = unmatched(reader, "fetch_list_mal.xml", "Fetchtest Kasou Sakuhin Gone")
    source, before = Source(), counts()

    with pytest.raises(FetchNotFound, match=r"MyAnimeList \(through Jikan\) gives no manga with the id 97100099"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client())

    assert len(source.requests) == 1
    assert_nothing_changed(before, row)


@pytest.mark.usefixtures("enabled")
def test_a_record_that_breaks_the_catalog_s_rules_is_rejected_and_changes_nothing(reader: User) -> None:
    def odd_country(request: httpx.Request) -> httpx.Response:
        body = recorded("fetch_anilist_97000001.json")
        body["data"]["Page"]["media"][0]["countryOfOrigin"] = "JPN"
        return httpx.Response(200, json=body)

    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    before = counts()

    with pytest.raises(FetchRejected, match="countryOfOrigin: expected a two-letter country code"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=Source(odd_country).client())

    assert_nothing_changed(before, row)


@pytest.mark.usefixtures("enabled")
def test_an_entry_the_library_refuses_takes_the_imported_title_back_with_it(reader: User) -> None:
    # An import now rejects an entry that finishes before it starts; one kept from before that check
    # cannot join the library.
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    row.fields = {**row.fields, "started_on": "2024-05", "finished_on": "2023-01"}
    row.save()
    before = counts()

    with pytest.raises(FetchRejected, match="could not join your library"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=Source().client())

    assert_nothing_changed(before, row)


def rate_limited(clock: FakeClock) -> Answer:
    """AniList's 429: wait a minute (Retry-After), no requests left until the reset."""

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {
            "Retry-After": "60",
            "X-RateLimit-Limit": "30",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(int(clock.now) + 60),
        }
        return httpx.Response(429, json=recorded("fetch_anilist_429.json"), headers=headers)

    return answer


def test_a_429_refuses_at_once_then_holds_off_until_the_reset_and_changes_nothing(
    reader: User, enabled: None, clock: FakeClock
) -> None:
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    limited, before = Source(rate_limited(clock)), counts()

    with pytest.raises(FetchRateLimited, match="AniList is limiting how often we may ask"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=limited.client())
    assert len(limited.requests) == 1  # no retry: AniList asked for a minute, longer than a page may wait
    assert_nothing_changed(before, row)

    with pytest.raises(FetchRateLimited, match="asked us to pause for about a minute"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=limited.client())
    assert len(limited.requests) == 1  # the limiter holds until the reset: nothing was sent
    assert_nothing_changed(before, row)

    clock.sleep(61)
    source = Source()
    assert unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client()).how == "fetched"
    assert len(source.requests) == 1


@pytest.mark.usefixtures("enabled")
def test_an_unreachable_source_is_retried_once_then_reported_and_changes_nothing(reader: User) -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused (test)", request=request)

    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    source, before = Source(unreachable), counts()

    with pytest.raises(FetchUnavailable, match=r"Could not reach AniList \(ConnectError") as raised:
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client())

    assert not isinstance(raised.value, FetchRateLimited)
    assert "resume the run" not in str(raised.value)
    assert len(source.requests) == 2
    assert_nothing_changed(before, row)


@pytest.mark.usefixtures("enabled")
def test_an_outage_stops_at_once_and_changes_nothing(reader: User) -> None:
    def disabled(request: httpx.Request) -> httpx.Response:
        body = {"data": None, "errors": [{"message": "The AniList API has been temporarily disabled.", "status": 403}]}
        return httpx.Response(403, json=body)

    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    source, before = Source(disabled), counts()

    with pytest.raises(FetchUnavailable, match="AniList says its API is down"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client())

    assert len(source.requests) == 1
    assert_nothing_changed(before, row)


# --- the import page's button -------------------------------------------------------------------------


def test_the_page_offers_no_fetch_until_the_operator_allows_it_and_says_why_when_posted(
    reader: User, reader_client: Client
) -> None:
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    assert "Fetch it from" not in reader_client.get("/library/import/").content.decode()
    before = counts()
    response = reader_client.post("/library/import/resolve/", {"unmatched": row.pk, "action": "fetch"})
    assert response.status_code == 403
    assert "Not fetched:" in response.content.decode()
    assert_nothing_changed(before, row)


@pytest.mark.usefixtures("enabled")
def test_the_page_s_button_fetches_the_title_and_the_entry_joins_the_library(
    reader: User, reader_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    source = Source()
    monkeypatch.setattr("shuraba.library.fetch.http_client", source.client)  # the network edge, faked
    page = reader_client.get("/library/import/").content.decode()
    assert "Fetch it from AniList" in page
    response = reader_client.post("/library/import/resolve/", {"unmatched": row.pk, "action": "fetch"}, follow=True)
    assert response.status_code == 200
    assert len(source.requests) == 1
    assert LibraryEntry.objects.filter(user=reader, title__title="Fetchtest Kasou Sakuhin A").exists()
    row.refresh_from_db()
    assert row.state == UnmatchedState.RESOLVED


@pytest.mark.usefixtures("enabled")
def test_a_gated_title_the_catalog_already_has_is_not_found_for_a_reader_under_the_gate(
    reader: User, other: User
) -> None:
    other.age_confirmed_at = timezone.now()
    other.save()
    first = unmatched(other, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin B")
    unmatched_fetch(user=other, unmatched_id=first.pk, client=Source().client())  # now in the catalog
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin B")
    source, before = Source(), counts()
    with pytest.raises(FetchNotFound, match="AniList gives no manga with the id 97000002 that shuraba can add"):
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=source.client())
    assert source.requests == []
    assert_nothing_changed(before, row)


@pytest.mark.usefixtures("enabled")
def test_a_site_whose_tags_were_never_synced_says_fetching_is_unavailable_and_changes_nothing(reader: User) -> None:
    wanted = sorted({alias.tag for alias in alias_table().aliases if alias.tag})
    Tag.objects.filter(slug=wanted[0]).update(slug="a-slug-taxonomy-toml-lacks")  # as if never synced
    row = unmatched(reader, "fetch_list_anilist.json", "Fetchtest Kasou Sakuhin A")
    before = counts()

    with pytest.raises(FetchUnavailable, match="the site's setup is unfinished") as raised:
        unmatched_fetch(user=reader, unmatched_id=row.pk, client=Source().client())

    assert raised.value.http_status == 503
    assert_nothing_changed(before, row)
