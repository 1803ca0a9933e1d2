"""MyAnimeList XML: a realistic export reads entry by entry with MAL's odd values, and what we write is a
MAL manga list export by a schema reader that shares no code with ours (tests/library/malschema.py)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from shuraba.accounts.models import User
from shuraba.library import selectors, services
from shuraba.library.malxml import MalRow, mal_xml_read, mal_xml_write
from shuraba.library.models import Status
from shuraba.library.records import ListEntry, ListFileError
from tests.library import data_file, everything_visible, external_id_attach, mal_anime, mal_list, mal_manga
from tests.library.malschema import MalSchemaError, mal_schema_check, mal_schema_entries, mal_schema_problems

EXPORT = "mal-manga-export.xml"
# What the fixture's blocks say, in shuraba's words:
# name, mal id, status, chapters, volumes, score, started, finished, re-reads, notes.
EXPECTED = [
    (
        "The Persimmon Tree Letters",
        "",
        "completed",
        26,
        4,
        9,
        "2023-01-05",
        "2023-02-11",
        1,
        "Cried at the <last> letter & the ]]> bit.\nRead it again in the spring.",
    ),
    ("Heir & Translator", "", "reading", 35, 0, None, "2024-03", "", 0, ""),
    ("The Gardener's Second Wife", "", "on-hold", 20, 2, 7, "2022", "", 0, "Waiting for volume 3 in print."),
    ("Crow Sonata", "", "dropped", 5, 0, 3, "2021-06-14", "2021-07", 0, ""),
    ("Tidal Letters", "", "plan-to-read", 0, 0, None, "", "", 0, ""),
    (
        "The Ledger of Small Betrayals",
        "",
        "rereading",
        40,
        5,
        10,
        "2019-04-01",
        "2019-09-30",
        2,
        "Second time through: watching the ledger entries.",
    ),
    ("Autumn Ferry", "", "completed", 14, 2, 8, "2020-10-03", "2020-10-20", 0, ""),
    ("Lantern Street", "", "plan-to-read", 0, 0, None, "", "", 0, ""),
    ("Cinder Bloom", "", "on-hold", 12, 1, 6, "2023-07", "", 0, ""),
    ("Foam Lines", "", "dropped", 3, 0, 2, "", "", 0, ""),
    ("Quiet Frequency", "", "reading", 30, 0, None, "2024-01-15", "", 0, ""),
    (
        "The Embroiderer\u2019s Quiet Promise",
        "",
        "completed",
        28,
        4,
        8,
        "2022-02",
        "2022-03",
        0,
        "Tom & Jerry <3 the thread scenes",
    ),
    ("借り傘の夏", "", "reading", 10, 1, None, "2024-05-01", "", 0, "傘のシーンが好き"),
    ("Second Thaw", "", "completed", 41, 0, None, "", "", 0, ""),
    ("Yoru no Chouzai", "9100117", "completed", 12, 2, 6, "2018-11", "2018-12-24", 0, ""),
    ("Moonlit Ferry of Nowhere", "", "plan-to-read", 0, 0, None, "", "", 0, ""),
]


def _values(entry: ListEntry) -> tuple[object, ...]:
    return (
        entry.name,
        entry.mal_id,
        entry.status,
        entry.chapters_read,
        entry.volumes_read,
        entry.score,
        entry.started_on,
        entry.finished_on,
        entry.reread_count,
        entry.notes,
    )


def _one(block: str, *, root: str = "myanimelist") -> ListEntry:
    entries, rejected = mal_xml_read(mal_list(block, root=root))
    assert rejected == []
    assert len(entries) == 1
    return entries[0]


# --- reading ----------------------------------------------------------------------------------------


def test_a_realistic_export_reads_every_manga_entry_with_mals_odd_values() -> None:
    entries, _ = mal_xml_read(data_file(EXPORT))

    assert [_values(entry) for entry in entries] == EXPECTED
    assert [entry.where for entry in entries] == [f"manga entry {n}" for n in range(1, 17)]
    assert {entry.source for entry in entries} == {"mal"}


def test_an_anime_block_in_a_mixed_file_is_rejected_by_itself() -> None:
    _, rejected = mal_xml_read(data_file(EXPORT))

    assert [one.as_json() for one in rejected] == [
        {
            "where": "anime entry 1",
            "name": "Lanterns of a Fictional Summer",
            "reason": "an anime entry: the library keeps manga",
        }
    ]


@pytest.mark.parametrize(
    ("spelling", "status"),
    [
        ("Reading", Status.READING),
        ("Completed", Status.COMPLETED),
        ("On-Hold", Status.ON_HOLD),
        ("Dropped", Status.DROPPED),
        ("Plan to Read", Status.PLAN_TO_READ),
        ("plan to read", Status.PLAN_TO_READ),
        ("On Hold", Status.ON_HOLD),
        ("1", Status.READING),
        ("2", Status.COMPLETED),
        ("3", Status.ON_HOLD),
        ("4", Status.DROPPED),
        ("6", Status.PLAN_TO_READ),
    ],
)
def test_every_mal_status_spelling_and_numeric_code_reads(spelling: str, status: str) -> None:
    assert _one(mal_manga("Crow Sonata", status=spelling)).status == status


@pytest.mark.parametrize("status", ["Completed", "2", "Reading"])
def test_my_rereading_yes_is_a_re_read_whatever_the_status(status: str) -> None:
    entry = _one(mal_manga("Crow Sonata", status=status, rereading="YES", times_read="3"))

    assert (entry.status, entry.reread_count) == (Status.REREADING, 3)


def test_a_mymangalist_root_reads_like_myanimelist() -> None:
    entry = _one(mal_manga("Crow Sonata", status="Dropped", read_chapters="5"), root="mymangalist")

    assert (entry.name, entry.status, entry.chapters_read) == ("Crow Sonata", Status.DROPPED, 5)


def test_a_block_with_only_a_title_and_a_status_reads_with_defaults() -> None:
    entry = _one("<manga><manga_title>Second Thaw</manga_title><my_status>Reading</my_status></manga>")

    assert _values(entry) == ("Second Thaw", "", "reading", 0, 0, None, "", "", 0, "")


def test_manga_mangadb_id_zero_or_padded_means_no_id_or_the_id() -> None:
    assert _one(mal_manga("Crow Sonata", mal_id=0)).mal_id == ""
    assert _one(mal_manga("Crow Sonata", mal_id="009100117")).mal_id == "9100117"


def test_an_entity_escaped_title_and_a_cdata_title_read_the_same() -> None:
    escaped = "<manga><manga_title>O&apos;Clock &amp; &#x201C;Tea&#x201D;</manga_title><my_status>1</my_status></manga>"
    cdata = mal_manga("O'Clock & \u201cTea\u201d", status="1")

    assert _one(escaped).name == _one(cdata).name == "O'Clock & \u201cTea\u201d"


def test_a_blank_line_and_a_byte_order_mark_before_the_declaration_are_not_errors() -> None:
    document = b"\xef\xbb\xbf\n\n" + mal_list(mal_manga("Crow Sonata"))

    entries, _ = mal_xml_read(document)

    assert [entry.name for entry in entries] == ["Crow Sonata"]


@pytest.mark.parametrize(
    ("block", "reason"),
    [
        (mal_manga("Crow Sonata", status="Reading soon"), "my_status is “Reading soon”; MAL's are Reading"),
        (mal_manga("Crow Sonata", status=""), "my_status is missing"),
        (mal_manga("Crow Sonata", score="11"), "my_score is 11; scores go from 1 to 10"),
        (mal_manga("Crow Sonata", start="2024-02-30"), "my_start_date is not a date (2024-02-30"),
        (mal_manga("Crow Sonata", finish="2024-3-1"), "my_finish_date is “2024-3-1”; MAL writes dates as YYYY-MM-DD"),
        (mal_manga("Crow Sonata", read_chapters="twelve"), "my_read_chapters is “twelve”, not a number"),
        (mal_manga("Crow Sonata", times_read="40000"), "my_times_read is 40000; it must be between 0 and 1,000"),
        (mal_manga("Crow Sonata", mal_id="12a"), "manga_mangadb_id is “12a”; MAL ids are whole numbers"),
        (mal_manga("Crow Sonata", mal_id="9" * 5000), "manga_mangadb_id is 5,000 digits long; MAL ids have at most 20"),
        (mal_manga("", mal_id=0), "neither a MAL id (manga_mangadb_id) nor a title (manga_title)"),
        (mal_manga("T" * 301), "manga_title is 301 characters; a title's name has at most 300"),
    ],
)
def test_an_entry_that_does_not_read_is_rejected_with_its_reason_and_the_rest_reads(block: str, reason: str) -> None:
    entries, rejected = mal_xml_read(mal_list(mal_manga("Tidal Letters"), block, mal_manga("Foam Lines")))

    assert [entry.name for entry in entries] == ["Tidal Letters", "Foam Lines"]
    assert len(rejected) == 1
    assert rejected[0].where == "manga entry 2"
    assert rejected[0].reason.startswith(reason)


def test_a_file_of_anime_only_is_refused_whole() -> None:
    with pytest.raises(ListFileError, match="this is a MyAnimeList anime list; export your manga list"):
        mal_xml_read(mal_list(mal_anime("Lanterns of a Fictional Summer")))


# --- writing ----------------------------------------------------------------------------------------


def _row(**changes: object) -> MalRow:
    values: dict[str, object] = {
        "mal_id": "",
        "name": "Crow Sonata",
        "volumes": 2,
        "chapters": 19,
        "status": Status.READING,
        "chapters_read": 5,
        "volumes_read": 0,
        "score": None,
        "started_on": "",
        "finished_on": "",
        "reread_count": 0,
        "notes": "",
    }
    return MalRow(**{**values, **changes})  # type: ignore[arg-type]


def _imported_and_exported(user: User) -> bytes:
    external_id_attach("late-dispensary", source="mal", external_id="9100117")
    services.library_import(user=user, data=data_file(EXPORT))
    export = selectors.library_export(user=user, visibility=everything_visible())
    return mal_xml_write(export.mal_rows(), user_name=user.username, comments=export.comments)


def test_our_export_of_an_imported_list_passes_the_mal_schema(reader: User) -> None:
    exported = _imported_and_exported(reader)

    assert mal_schema_problems(exported) == []
    blocks = {block["manga_title"]: block for block in mal_schema_entries(exported)}
    assert len(blocks) == 15  # the 16 manga entries but the one no title matched
    ledger = blocks["The Ledger of Small Betrayals"]
    assert (ledger["my_status"], ledger["my_rereading"], ledger["my_times_read"]) == ("Completed", "YES", "2")
    heir = blocks["The Heir and the Translator"]
    assert (heir["my_start_date"], heir["my_finish_date"], heir["my_read_chapters"]) == (
        "2024-03-00",
        "0000-00-00",
        "35",
    )
    gardener = blocks["The Gardener's Second Wife"]
    assert (gardener["my_status"], gardener["my_start_date"], gardener["my_score"]) == ("On-Hold", "2022-00-00", "7")
    dispensary = blocks["The Late Dispensary"]
    assert (dispensary["manga_mangadb_id"], dispensary["manga_volumes"], dispensary["manga_chapters"]) == (
        "9100117",
        "2",
        "12",
    )
    assert blocks["The Persimmon Tree Letters"]["my_comments"] == EXPECTED[0][-1]
    assert blocks["Tidal Letters"]["manga_mangadb_id"] == "0"


def test_the_export_writes_titles_and_notes_in_cdata_as_mal_does(reader: User) -> None:
    exported = _imported_and_exported(reader).decode()

    assert "<manga_title><![CDATA[The Gardener's Second Wife]]></manga_title>" in exported
    assert "<my_comments><![CDATA[Cried at the <last> letter & the ]]]]><![CDATA[> bit." in exported


def test_the_export_counts_each_status_in_myinfo(reader: User) -> None:
    info = ET.fromstring(_imported_and_exported(reader)).find("myinfo")  # noqa: S314 (our own export, not untrusted input)
    assert info is not None

    totals = {child.tag: child.text for child in info if child.tag.startswith("user_total")}

    assert totals == {
        "user_total_manga": "15",
        "user_total_reading": "3",
        "user_total_completed": "6",  # a re-read is MAL's Completed, flagged
        "user_total_onhold": "2",
        "user_total_dropped": "2",
        "user_total_plantoread": "2",
    }


@pytest.mark.parametrize(
    ("partial", "written"),
    [("", "0000-00-00"), ("2024", "2024-00-00"), ("2024-03", "2024-03-00"), ("2024-03-09", "2024-03-09")],
)
def test_partial_dates_are_written_with_zeros_for_the_unknown_parts(partial: str, written: str) -> None:
    exported = mal_xml_write([_row(started_on=partial, finished_on=partial)], user_name="someone")

    (block,) = mal_schema_entries(exported)
    assert (block["my_start_date"], block["my_finish_date"]) == (written, written)
    assert mal_xml_read(exported)[0][0].started_on == partial


def test_text_xml_cannot_carry_is_dropped_and_the_rest_survives() -> None:
    notes = "a ]]> b <c> & d\x00\x07 e\ufffe \U0001f602"
    name = "Crow ]]> Sonata & <Co>"
    exported = mal_xml_write([_row(name=name, notes=notes)], user_name="<someone & co>")

    assert mal_schema_problems(exported) == []
    (entry,), _ = mal_xml_read(exported)
    assert (entry.name, entry.notes) == (name, "a ]]> b <c> & d e \U0001f602")


@pytest.mark.parametrize("comment", ["a---b", "ends with a dash -", "--", "<!-- nested -->"])
def test_a_comment_of_any_text_leaves_the_document_well_formed(comment: str) -> None:
    exported = mal_xml_write([_row()], user_name="someone", comments=[comment])

    assert mal_schema_problems(exported) == []
    assert re.search(rb"<!-- .* -->", exported)


# --- the schema reader can fail ---------------------------------------------------------------------


def _valid() -> bytes:
    rows = [
        _row(),
        _row(name="Tidal Letters", status=Status.REREADING, score=8, started_on="2024-03"),
        _row(name="Foam Lines", status=Status.PLAN_TO_READ, mal_id="9100142"),
    ]
    return mal_xml_write(rows, user_name="someone")


def _replace(old: str, new: str, count: int = 1) -> bytes:
    document = _valid().decode()
    assert old in document
    return document.replace(old, new, count).encode()


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (
            lambda: _replace("<my_status>Reading</my_status>", "<my_status>reading</my_status>"),
            "my_status is 'reading'",
        ),
        (lambda: _replace("<my_status>Reading</my_status>", "<my_status>Re-reading</my_status>"), "not one of MAL's"),
        (
            lambda: _replace("<my_status>Completed</my_status>", "<my_status>Reading</my_status>"),
            "my_rereading is YES on a 'Reading' entry; MAL re-reads completed ones only",
        ),
        (lambda: _replace("<my_score>0</my_score>", "<my_score>11</my_score>"), "my_score is '11', not 0 to 10"),
        (lambda: _replace("<my_score>0</my_score>", ""), "manga 1: missing ['my_score']"),
        (lambda: _replace("<my_start_date>2024-03-00", "<my_start_date>2024-3-0"), "is not YYYY-MM-DD"),
        (lambda: _replace("<my_start_date>0000-00-00", "<my_start_date>2024-02-30"), "is not a day of the calendar"),
        (lambda: _replace("<my_start_date>0000-00-00", "<my_start_date>2024-00-12"), "is not a date MAL writes"),
        (
            lambda: _replace("<my_read_chapters>5</my_read_chapters>", "<my_read_chapters>5.0</my_read_chapters>"),
            "not a count",
        ),
        (lambda: _replace("<user_export_type>2<", "<user_export_type>1<"), "user_export_type is '1'"),
        (lambda: _replace("<user_total_dropped>0<", "<user_total_dropped>1<"), "add up to 4, not user_total_manga"),
        (lambda: _replace("<user_total_manga>3<", "<user_total_manga>4<"), "user_total_manga is 4, the file has 3"),
        (
            lambda: _replace("<user_total_reading>1<", "<user_total_reading>0<"),
            "user_total_reading is 0, the file has 1",
        ),
        (lambda: _replace("myanimelist>", "mymangalist>", 2), "the root is <mymangalist>"),
        (
            lambda: _replace("<my_rereading>NO</my_rereading>", "<my_rereading>no</my_rereading>"),
            "my_rereading is 'no'",
        ),
        (lambda: _replace("<manga_title><![CDATA[Crow Sonata]]></manga_title>", ""), "missing ['manga_title']"),
        (
            lambda: _replace(
                "<my_id>0</my_id>\n\t\t<my_read_volumes>0</my_read_volumes>",
                "<my_read_volumes>0</my_read_volumes>\n\t\t<my_id>0</my_id>",
            ),
            "out of MAL's order",
        ),
        (
            lambda: _replace("</myanimelist>", "<anime><series_title>x</series_title></anime></myanimelist>"),
            "<anime> where only <manga>",
        ),
        (lambda: _replace('<?xml version="1.0" encoding="UTF-8" ?>', ""), "does not start with <?xml"),
        (lambda: _valid()[:-30], "not XML"),
    ],
)
def test_the_schema_reader_rejects_a_broken_export(broken: object, problem: str) -> None:
    assert mal_schema_problems(_valid()) == []
    document = broken()  # type: ignore[operator]

    with pytest.raises(MalSchemaError, match=re.escape(problem)):
        mal_schema_check(document)
