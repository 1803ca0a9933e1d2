"""AniList's MediaListCollection answer: every list status, 10-point scores, fuzzy dates with null parts,
custom lists that repeat an entry, private entries, chunked answers; matched by AniList id, by MAL id and
by name, and a score on another scale refused with the argument the query lacked."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from shuraba.accounts.models import User
from shuraba.library import services
from shuraba.library.anilist import anilist_read
from shuraba.library.listfile import list_file_read
from shuraba.library.matching import entries_match
from shuraba.library.models import Privacy, Status, UnmatchedEntry
from shuraba.library.records import ListFileError
from tests.library import data_file, entries_of, external_id_attach, title

COLLECTION = data_file("anilist-media-list-collection.json")


def _payload() -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(COLLECTION)
    return payload


def _lists() -> list[dict[str, Any]]:
    lists: list[dict[str, Any]] = _payload()["data"]["MediaListCollection"]["lists"]
    return lists


def _answer(lists: list[dict[str, Any]], *, more: bool = False) -> dict[str, Any]:
    return {"data": {"MediaListCollection": {"lists": lists, "hasNextChunk": more}}}


def _entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = copy.deepcopy(_lists()[3]["entries"][0])  # Dropped: Porcelain Debt
    entry.update(changes)
    return entry


def _one_list(*entries: dict[str, Any]) -> bytes:
    return json.dumps(
        _answer([{"name": "Dropped", "isCustomList": False, "status": "DROPPED", "entries": list(entries)}])
    ).encode()


@pytest.fixture
def ids_known() -> None:
    """The catalog knows one title's AniList id and another's MAL id; the list names neither as we do."""
    external_id_attach("ink-season", source="anilist", external_id="9000101")
    external_id_attach("jade-terrace", source="mal", external_id="9100155")


def test_the_collection_reads_every_status_once_with_its_values() -> None:
    entries, rejected = anilist_read(COLLECTION)

    assert rejected == []
    got = [
        (
            e.anilist_id,
            e.mal_id,
            e.name,
            e.status,
            e.chapters_read,
            e.volumes_read,
            e.score,
            e.started_on,
            e.finished_on,
            e.reread_count,
        )
        for e in entries
    ]
    assert got == [
        ("9000101", "", "Bokusui no Kisetsu", Status.READING, 12, 1, 8, "2024-02", "", 0),  # 7.5 rounds half up
        ("9000102", "9100155", "Hisui no Terasu", Status.PLAN_TO_READ, 0, 0, None, "", "", 0),
        ("9000109", "", "Kaze no Nai Minato", Status.PLAN_TO_READ, 0, 0, None, "", "", 0),
        ("9000103", "", "Kaki no Ki no Tegami", Status.COMPLETED, 26, 4, 9, "2023-01-05", "2023-02-11", 1),
        ("9000104", "", "Dojagi Bit", Status.DROPPED, 4, 0, 4, "2021-08-30", "", 0),
        ("9000105", "", "Futatabi no Yukidoke", Status.ON_HOLD, 18, 2, 6, "2023", "", 0),
        ("9000106", "", "Okujou Kyuusen Kyoutei", Status.REREADING, 10, 1, 8, "2020-05-02", "2020-06", 2),
    ]
    assert entries[4].names == ("Dojagi Bit", "Porcelain Debt", "도자기 빚")


def test_a_private_entry_says_so_and_the_others_do_not_say() -> None:
    entries, _ = anilist_read(COLLECTION)

    assert {e.name: e.private for e in entries if e.private is not None} == {
        "Kaki no Ki no Tegami": True,
        "Bokusui no Kisetsu": False,
        "Hisui no Terasu": False,
        "Kaze no Nai Minato": False,
        "Dojagi Bit": False,
        "Futatabi no Yukidoke": False,
        "Okujou Kyuusen Kyoutei": False,
    }
    assert entries[3].notes == "Kept this one to myself."


def test_a_custom_list_that_repeats_an_entry_does_not_repeat_it() -> None:
    lists = _lists()
    favourites = lists.pop()  # a custom list first: the entry is still read where its status is
    entries, rejected = anilist_read(json.dumps(_answer([favourites, *lists])).encode())

    assert [e.anilist_id for e in entries].count("9000103") == 1
    assert rejected == []
    assert len(entries) == 7


def test_two_chunk_answers_read_as_one_list() -> None:
    lists = _lists()
    chunks = [_answer(lists[:3], more=True), _answer(lists[3:])]

    assert anilist_read(json.dumps(chunks).encode()) == anilist_read(COLLECTION)


def test_a_byte_order_mark_before_the_json_is_not_an_error() -> None:
    assert list_file_read(b"\xef\xbb\xbf" + COLLECTION).entries == list_file_read(COLLECTION).entries


def test_the_collection_itself_without_data_reads_too() -> None:
    bare = json.dumps(_payload()["data"]).encode()

    assert anilist_read(bare) == anilist_read(COLLECTION)


def test_a_score_on_the_hundred_point_scale_is_refused_asking_for_point_10() -> None:
    _, rejected = anilist_read(_one_list(_entry(score=85)))

    (one,) = rejected
    assert one.as_json() == {
        "where": "entry 1",
        "name": "Dojagi Bit",
        "reason": "score is 85, not on the 10-point scale: ask AniList for score(format: POINT_10) "
        "(or POINT_10_DECIMAL) and save the answer again",
    }


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"status": "WATCHING"},
            "status is 'WATCHING'; AniList's are CURRENT, PLANNING, COMPLETED, DROPPED, PAUSED, REPEATING",
        ),
        ({"startedAt": {"year": 2024, "month": 2, "day": 30}}, "startedAt is not a date (2024-02-30"),
        ({"startedAt": {"year": None, "month": 3, "day": None}}, "startedAt has a month or day but no year"),
        ({"completedAt": "2024-01-01"}, "completedAt is not a date ({year, month, day})"),
        ({"completedAt": {"year": "2024"}}, "completedAt has parts that are not numbers"),
        ({"progress": -3}, "progress is -3; it must be between 0 and 100,000"),
        ({"repeat": 5000}, "repeat is 5000; it must be between 0 and 1,000"),
        ({"mediaId": "abc"}, "mediaId is “abc”; AniList ids are whole numbers"),
        ({"mediaId": 1.5}, "mediaId is 1.5, not an id"),
        ({"score": -1}, "score is -1; scores go from 1 to 10"),
        (
            {"mediaId": None, "media": {"id": None, "idMal": None, "title": {}}},
            "no mediaId, no media.idMal and no title",
        ),
    ],
)
def test_an_entry_that_does_not_read_is_rejected_and_the_others_read(changes: dict[str, Any], reason: str) -> None:
    good = _entry(mediaId=9000199, media={"id": 9000199, "idMal": None, "title": {"romaji": "Foam Lines"}})
    entries, rejected = anilist_read(_one_list(_entry(**changes), good))

    assert [e.name for e in entries] == ["Foam Lines"]
    (one,) = rejected
    assert (one.where, one.reason[: len(reason)]) == ("entry 1", reason)


def test_null_and_absent_values_read_as_unknown() -> None:
    sparse = {"mediaId": 9000104, "status": "CURRENT", "media": {"title": {"romaji": "Dojagi Bit"}}}
    nulls = _entry(
        score=None, progress=None, progressVolumes=None, repeat=None, notes=None, startedAt=None, completedAt=None
    )

    (a, b), rejected = anilist_read(_one_list(sparse, {**nulls, "mediaId": 9000105}))

    assert rejected == []
    for entry in (a, b):
        assert (entry.score, entry.chapters_read, entry.started_on, entry.finished_on, entry.notes) == (
            None,
            0,
            "",
            "",
            "",
        )
    assert a.private is None


def test_a_file_with_only_bad_entries_is_imported_as_rejections() -> None:
    entries, rejected = anilist_read(_one_list(_entry(status="NOPE")))

    assert (entries, len(rejected)) == ([], 1)


def test_a_list_without_an_entries_array_is_refused() -> None:
    document = json.dumps(_answer([{"name": "Reading", "status": "CURRENT"}])).encode()

    with pytest.raises(ListFileError, match="the list “Reading” has no entries array"):
        anilist_read(document)


# --- imported ---------------------------------------------------------------------------------------


def test_entries_match_by_anilist_id_by_mal_id_and_by_name(reader: User, ids_known: None) -> None:
    entries = list_file_read(COLLECTION).entries
    how = {one.entry.name: one.how for one in entries_match(user_id=reader.pk, entries=entries)}

    assert how == {
        "Bokusui no Kisetsu": "anilist id",
        "Hisui no Terasu": "mal id",
        "Kaze no Nai Minato": "",
        "Kaki no Ki no Tegami": "name",  # an alternative title
        "Dojagi Bit": "name",
        "Futatabi no Yukidoke": "name",
        "Okujou Kyuusen Kyoutei": "name",  # spelled with doubled vowels; the catalog has Okujō Kyūsen Kyōtei
    }


@pytest.mark.usefixtures("reader_is_adult")
def test_the_collection_imports_into_the_library(reader: User, ids_known: None) -> None:
    run = services.library_import(user=reader, data=COLLECTION, filename="anilist.json")

    assert (run.format, run.created, run.updated, run.unchanged, run.unmatched, run.rejected) == (
        "anilist-json",
        6,
        0,
        0,
        1,
        0,
    )
    library = entries_of(reader)
    assert {slug: (e["status"], e["chapters_read"], e["score"]) for slug, e in library.items()} == {
        "ink-season": ("reading", 12, 8),
        "jade-terrace": ("plan-to-read", 0, None),
        "the-persimmon-tree-letters": ("completed", 26, 9),
        "porcelain-debt": ("dropped", 4, 4),
        "second-thaw": ("on-hold", 18, 6),
        "rooftop-truce": ("rereading", 10, 8),
    }
    assert library["the-persimmon-tree-letters"]["privacy"] == Privacy.PRIVATE
    assert {e["privacy"] for slug, e in library.items() if slug != "the-persimmon-tree-letters"} == {Privacy.PUBLIC}
    (waiting,) = UnmatchedEntry.objects.filter(user=reader)
    assert (waiting.source, waiting.source_id, waiting.name) == ("anilist", "9000109", "Kaze no Nai Minato")


@pytest.mark.usefixtures("reader_is_adult")
def test_re_importing_the_collection_changes_nothing_and_a_public_entry_stays_private(
    reader: User, ids_known: None
) -> None:
    services.library_import(user=reader, data=COLLECTION)
    services.entry_save(user=reader, title=title("porcelain-debt"), changes={"privacy": "private"})
    before = entries_of(reader)

    run = services.library_import(user=reader, data=COLLECTION)

    assert (run.created, run.updated, run.unchanged, run.unmatched) == (0, 0, 6, 1)
    assert entries_of(reader) == before  # private: false in the file does not make an entry public
