"""Importing a list: what the run reports, what a re-import does, what the reader's answers for unmatched
entries change, and that a MAL export of an imported list imports into an empty account as the same list."""

from __future__ import annotations

import gzip

import pytest
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.core.errors import BadQuery
from shuraba.library import selectors, services
from shuraba.library.listfile import list_file_read
from shuraba.library.malxml import mal_xml_write
from shuraba.library.matching import entries_match
from shuraba.library.models import LibraryEntry, LibraryImport, Privacy, UnmatchedEntry, UnmatchedState
from tests.library import (
    data_file,
    entries_of,
    everything_visible,
    external_id_attach,
    mal_anime,
    mal_list,
    mal_manga,
    title,
)

EXPORT = data_file("mal-manga-export.xml")
# The fixture's entries once matched (16 manga; "Moonlit Ferry of Nowhere" is in no catalog).
IMPORTED = {
    "the-persimmon-tree-letters": ("completed", 26, 4, 9, "2023-01-05", "2023-02-11", 1),
    "the-heir-and-the-translator": ("reading", 35, 0, None, "2024-03", "", 0),
    "the-gardeners-second-wife": ("on-hold", 20, 2, 7, "2022", "", 0),
    "crow-sonata": ("dropped", 5, 0, 3, "2021-06-14", "2021-07", 0),
    "tidal-letters": ("plan-to-read", 0, 0, None, "", "", 0),
    "the-ledger-of-small-betrayals": ("rereading", 40, 5, 10, "2019-04-01", "2019-09-30", 2),
    "autumn-ferry": ("completed", 14, 2, 8, "2020-10-03", "2020-10-20", 0),
    "lantern-street": ("plan-to-read", 0, 0, None, "", "", 0),
    "cinder-bloom": ("on-hold", 12, 1, 6, "2023-07", "", 0),
    "foam-lines": ("dropped", 3, 0, 2, "", "", 0),
    "quiet-frequency": ("reading", 30, 0, None, "2024-01-15", "", 0),
    "the-embroiderers-quiet-promise": ("completed", 28, 4, 8, "2022-02", "2022-03", 0),
    "a-summer-of-borrowed-umbrellas": ("reading", 10, 1, None, "2024-05-01", "", 0),
    "second-thaw": ("completed", 41, 0, None, "", "", 0),
    "late-dispensary": ("completed", 12, 2, 6, "2018-11", "2018-12-24", 0),
}
PROGRESS = ("status", "chapters_read", "volumes_read", "score", "started_on", "finished_on", "reread_count")


def _progress(user: User) -> dict[str, tuple[object, ...]]:
    return {slug: tuple(fields[name] for name in PROGRESS) for slug, fields in entries_of(user).items()}


def _report(run: LibraryImport) -> tuple[int, int, int, int, int]:
    return (run.created, run.updated, run.unchanged, run.unmatched, run.rejected)


@pytest.fixture
def mal_known() -> None:
    """The catalog knows one sample title's MAL id; the export names it only by MAL's romaji."""
    external_id_attach("late-dispensary", source="mal", external_id="9100117")


@pytest.fixture
def other_reader(db: None) -> User:
    user = User.objects.create_user("other", email="other@example.test", password="another-long-password")
    user.age_confirmed_at = timezone.now()  # 18+, as the round trip's first reader
    user.save()
    return user


# --- one import -------------------------------------------------------------------------------------


def test_a_realistic_export_imports_every_matched_entry(reader: User, mal_known: None) -> None:
    run = services.library_import(user=reader, data=EXPORT, filename="mangalist_1714000000_-_4242.xml.gz")

    assert _report(run) == (15, 0, 0, 1, 1)
    assert _progress(reader) == IMPORTED
    assert entries_of(reader)["the-persimmon-tree-letters"]["notes"] == (
        "Cried at the <last> letter & the ]]> bit.\nRead it again in the spring."
    )
    assert run.rejections == [
        {
            "where": "anime entry 1",
            "name": "Lanterns of a Fictional Summer",
            "reason": "an anime entry: the library keeps manga",
        }
    ]
    (waiting,) = UnmatchedEntry.objects.filter(user=reader)
    assert (waiting.name, waiting.source, waiting.source_id, waiting.state) == (
        "Moonlit Ferry of Nowhere",
        "mal",
        "",
        "open",
    )
    assert waiting.fields["status"] == "plan-to-read"
    assert (run.format, run.filename) == ("mal-xml", "mangalist_1714000000_-_4242.xml.gz")


def test_a_gzipped_export_imports_as_its_plain_twin(reader: User, other_reader: User, mal_known: None) -> None:
    plain = services.library_import(user=reader, data=EXPORT)
    zipped = services.library_import(user=other_reader, data=gzip.compress(EXPORT))

    assert _report(zipped) == _report(plain)
    assert _progress(other_reader) == _progress(reader)


def test_the_matching_says_how_each_entry_matched(reader: User, mal_known: None) -> None:
    entries = list_file_read(EXPORT).entries
    how = {one.entry.name: one.how for one in entries_match(user_id=reader.pk, entries=entries)}

    assert how["Yoru no Chouzai"] == "mal id"
    assert how["Heir & Translator"] == "name"  # an alternative title, entity-escaped in the file
    assert how["借り傘の夏"] == "name"
    assert how["Moonlit Ferry of Nowhere"] == ""


def test_the_report_gives_every_rejection_its_place_and_reason(reader: User) -> None:
    document = mal_list(
        mal_manga("Crow Sonata", status="Dropped"),
        mal_manga("Foam Lines", status="Reading soon"),
        mal_manga("Tidal Letters", score="11"),
        mal_manga("Cinder Bloom", start="2024-02-30"),
        mal_manga("", mal_id=0),
        mal_manga("crow sonata", status="Completed"),
        mal_anime("Lanterns of a Fictional Summer"),
        mal_manga("Autumn Ferry", start="2024-05-01", finish="2024-04-30"),
        mal_manga("Moonlit Ferry of Nowhere"),
        mal_manga("Moonlit Ferry of Nowhere", status="Completed"),
    )

    run = services.library_import(user=reader, data=document)

    assert _report(run) == (1, 0, 0, 1, 8)
    assert [(one["where"], one["name"], one["reason"]) for one in run.rejections] == [
        (
            "manga entry 2",
            "Foam Lines",
            "my_status is “Reading soon”; MAL's are Reading, Completed, On-Hold, Dropped and Plan to Read",
        ),
        ("manga entry 3", "Tidal Letters", "my_score is 11; scores go from 1 to 10 (0 means not scored)"),
        ("manga entry 4", "Cinder Bloom", "my_start_date is not a date (2024-02-30: day is out of range for month)"),
        ("manga entry 5", "", "neither a MAL id (manga_mangadb_id) nor a title (manga_title)"),
        ("anime entry 1", "Lanterns of a Fictional Summer", "an anime entry: the library keeps manga"),
        ("manga entry 6", "crow sonata", "the same title as manga entry 1"),
        ("manga entry 7", "Autumn Ferry", "finishes (2024-04-30) before it starts (2024-05-01)"),
        ("manga entry 9", "Moonlit Ferry of Nowhere", "the same entry as manga entry 8"),
    ]
    assert list(entries_of(reader)) == ["crow-sonata"]
    assert entries_of(reader)["crow-sonata"]["status"] == "dropped"  # the first of the two, not the last
    assert UnmatchedEntry.objects.filter(user=reader).count() == 1


def test_past_a_thousand_rejections_the_run_keeps_the_count_and_says_how_many_more(reader: User) -> None:
    document = mal_list(*[mal_manga(f"Entry {n}", status="Someday") for n in range(1, 1_206)])

    run = services.library_import(user=reader, data=document)

    assert run.rejected == 1_205
    assert len(run.rejections) == services.REJECTIONS_KEPT + 1
    assert run.rejections[999]["where"] == "manga entry 1000"
    assert run.rejections[-1] == {
        "where": "after manga entry 1000",
        "name": "",
        "reason": "205 more entries were rejected; the first 1,000 are listed with their reasons",
    }


def test_re_reads_past_the_column_are_refused_on_the_pages_and_the_api_too() -> None:
    with pytest.raises(BadQuery, match="reread_count is 40000; it must be between 0 and 1,000"):
        services.entry_changes_read({"reread_count": 40_000})
    assert services.entry_changes_read({"reread_count": "12", "chapters_read": 40_000}) == {
        "chapters_read": 40_000,
        "reread_count": 12,
    }


def test_an_imported_entry_takes_the_readers_default_privacy(reader: User) -> None:
    services.library_settings_save(user=reader, default_privacy=Privacy.UNLISTED)

    services.library_import(user=reader, data=mal_list(mal_manga("Crow Sonata")))

    assert entries_of(reader)["crow-sonata"]["privacy"] == "unlisted"


# --- importing again --------------------------------------------------------------------------------


def test_the_same_file_twice_leaves_everything_unchanged_and_duplicates_nothing(reader: User, mal_known: None) -> None:
    services.library_import(user=reader, data=EXPORT)
    first = entries_of(reader)
    stamps = dict(LibraryEntry.objects.filter(user=reader).values_list("title__slug", "updated_at"))

    again = services.library_import(user=reader, data=EXPORT)

    assert _report(again) == (0, 0, 15, 1, 1)
    assert entries_of(reader) == first
    assert dict(LibraryEntry.objects.filter(user=reader).values_list("title__slug", "updated_at")) == stamps
    assert LibraryEntry.objects.filter(user=reader).count() == 15
    (waiting,) = UnmatchedEntry.objects.filter(user=reader)
    assert waiting.library_import == again  # kept once, pointing at the latest run


def test_a_changed_file_updates_the_entries_it_changes(reader: User, mal_known: None) -> None:
    services.library_import(user=reader, data=EXPORT)
    changed = (
        EXPORT.replace(b"<my_read_chapters>35.000</my_read_chapters>", b"<my_read_chapters>52</my_read_chapters>")
        .replace(b"<my_status>Plan to Read</my_status>", b"<my_status>Reading</my_status>", 1)
        .replace(b"<my_score>3</my_score>", b"<my_score>4</my_score>")
    )

    run = services.library_import(user=reader, data=changed)

    assert _report(run) == (0, 3, 12, 1, 1)
    progress = _progress(reader)
    assert progress["the-heir-and-the-translator"][:2] == ("reading", 52)
    assert progress["tidal-letters"][0] == "reading"
    assert progress["crow-sonata"][3] == 4
    assert LibraryEntry.objects.filter(user=reader).count() == 15


def test_empty_values_in_a_file_keep_what_the_reader_set(reader: User) -> None:
    services.library_import(user=reader, data=mal_list(mal_manga("Crow Sonata", read_chapters="3")))
    crow = title("crow-sonata")
    services.entry_save(
        user=reader,
        title=crow,
        changes={
            "score": 8,
            "started_on": "2024-01",
            "finished_on": "2024-02-10",
            "notes": "mine",
            "privacy": "private",
        },
    )

    run = services.library_import(
        user=reader, data=mal_list(mal_manga("Crow Sonata", read_chapters="7", status="Completed"))
    )

    assert _report(run) == (0, 1, 0, 0, 0)
    assert entries_of(reader)["crow-sonata"] == {
        "status": "completed",
        "chapters_read": 7,
        "volumes_read": 0,
        "score": 8,
        "started_on": "2024-01",
        "finished_on": "2024-02-10",
        "reread_count": 0,
        "notes": "mine",
        "privacy": "private",
    }
    assert set(services.KEPT_WHEN_EMPTY) == {"score", "started_on", "finished_on", "notes"}


def test_a_value_the_file_does_give_replaces_the_readers(reader: User) -> None:
    services.entry_save(user=reader, title=title("crow-sonata"), changes={"score": 8, "notes": "mine"})

    services.library_import(user=reader, data=mal_list(mal_manga("Crow Sonata", score="5", comments="the file's")))

    assert (entries_of(reader)["crow-sonata"]["score"], entries_of(reader)["crow-sonata"]["notes"]) == (5, "the file's")


# --- unmatched entries ------------------------------------------------------------------------------


def _moonlit(**changes: str) -> bytes:
    return mal_list(mal_manga("Crow Sonata"), mal_manga("Moonlit Ferry of Nowhere", **changes))


def test_an_unmatched_entry_is_kept_once_per_reader_across_imports(reader: User, other_reader: User) -> None:
    services.library_import(user=reader, data=_moonlit())
    latest = services.library_import(user=reader, data=_moonlit(read_chapters="4"))
    services.library_import(user=other_reader, data=_moonlit())

    (mine,) = UnmatchedEntry.objects.filter(user=reader)
    assert (mine.library_import, mine.fields["chapters_read"], mine.state) == (latest, 4, "open")
    assert UnmatchedEntry.objects.filter(user=other_reader).count() == 1
    assert latest.unmatched == 1


def test_after_the_reader_resolves_it_the_next_import_matches_it_as_remembered(reader: User) -> None:
    services.library_import(user=reader, data=_moonlit(read_chapters="4", status="Reading"))
    waiting = UnmatchedEntry.objects.get(user=reader)
    ink = title("ink-season")

    services.unmatched_resolve(user=reader, unmatched_id=waiting.pk, title=ink)
    assert entries_of(reader)["ink-season"]["chapters_read"] == 4

    document = _moonlit(read_chapters="9", status="Reading")
    entries = list_file_read(document).entries
    how = {one.entry.name: (one.title_id, one.how) for one in entries_match(user_id=reader.pk, entries=entries)}
    assert how["Moonlit Ferry of Nowhere"] == (ink.pk, "remembered")

    run = services.library_import(user=reader, data=document)

    assert _report(run) == (0, 1, 1, 0, 0)
    assert entries_of(reader)["ink-season"]["chapters_read"] == 9
    (remembered,) = UnmatchedEntry.objects.filter(user=reader)
    assert (remembered.pk, remembered.state, remembered.title) == (waiting.pk, "resolved", ink)


def test_an_entry_the_reader_left_stays_left(reader: User) -> None:
    services.library_import(user=reader, data=_moonlit())
    waiting = UnmatchedEntry.objects.get(user=reader)

    services.unmatched_leave(user=reader, unmatched_id=waiting.pk)
    run = services.library_import(user=reader, data=_moonlit(read_chapters="6"))

    (left,) = UnmatchedEntry.objects.filter(user=reader)
    assert (left.pk, left.state, left.fields["chapters_read"]) == (waiting.pk, UnmatchedState.LEFT, 6)
    assert selectors.unmatched_open(user=reader) == ()
    assert selectors.unmatched_left(user=reader) == 1
    assert run.unmatched == 0  # the reader said so before: nothing waits, it counts as unchanged
    assert "ink-season" not in entries_of(reader)


@pytest.mark.usefixtures("reader_is_adult")
def test_an_unmatched_entry_that_matches_later_no_longer_waits(reader: User) -> None:
    document = mal_list(mal_manga("Kaze no Nai Minato", mal_id=9100177, read_chapters="3"))
    services.library_import(user=reader, data=document)
    assert UnmatchedEntry.objects.filter(user=reader, state="open").count() == 1

    external_id_attach("jade-terrace", source="mal", external_id="9100177")  # the catalog learns its MAL id
    run = services.library_import(user=reader, data=document)

    assert _report(run) == (1, 0, 0, 0, 0)
    assert entries_of(reader)["jade-terrace"]["chapters_read"] == 3
    assert UnmatchedEntry.objects.filter(user=reader).count() == 0


def test_resolving_merges_into_an_entry_the_title_already_has(reader: User) -> None:
    services.entry_save(user=reader, title=title("ink-season"), changes={"score": 6, "notes": "mine"})
    services.library_import(user=reader, data=_moonlit(read_chapters="4", status="Reading"))
    waiting = UnmatchedEntry.objects.get(user=reader)

    services.unmatched_resolve(user=reader, unmatched_id=waiting.pk, title=title("ink-season"))

    ink = entries_of(reader)["ink-season"]
    assert (ink["status"], ink["chapters_read"], ink["score"], ink["notes"]) == ("reading", 4, 6, "mine")
    assert LibraryEntry.objects.filter(user=reader).count() == 2


def test_a_resolved_entry_whose_title_was_deleted_waits_again(reader: User) -> None:
    services.library_import(user=reader, data=_moonlit())
    waiting = UnmatchedEntry.objects.get(user=reader)
    doomed = title("ink-season")
    services.unmatched_resolve(user=reader, unmatched_id=waiting.pk, title=doomed)
    UnmatchedEntry.objects.filter(pk=waiting.pk).update(title=None)  # what SET_NULL does when the title goes

    run = services.library_import(user=reader, data=_moonlit())

    assert run.unmatched == 1
    assert UnmatchedEntry.objects.get(pk=waiting.pk).state == "open"


# --- round trip -------------------------------------------------------------------------------------


def _exported(user: User) -> bytes:
    export = selectors.library_export(user=user, visibility=everything_visible())
    return mal_xml_write(export.mal_rows(), user_name=user.username, comments=export.comments)


@pytest.mark.usefixtures("reader_is_adult")
def test_an_export_imported_into_an_empty_account_gives_the_same_entries(
    reader: User, other_reader: User, mal_known: None
) -> None:
    services.library_import(user=reader, data=EXPORT)
    # What a reader types on the pages, beside what the file said: a year-only date, notes MAL XML must escape.
    typed = services.entry_changes_read(
        {"started_on": "2025", "notes": 'a "quote", <b>tags</b> & a ]]> end\r\n\r\nsecond paragraph '}
    )
    services.entry_save(user=reader, title=title("tidal-letters"), changes=typed)
    rereading = services.entry_changes_read({"status": "rereading", "reread_count": "4", "volumes_read": 2})
    services.entry_save(user=reader, title=title("ink-season"), changes=rereading)
    assert entries_of(other_reader) == {}

    run = services.library_import(user=other_reader, data=_exported(reader))

    assert _report(run) == (16, 0, 0, 0, 0)
    theirs, mine = entries_of(other_reader), entries_of(reader)
    assert set(theirs) == set(mine)
    for slug, fields in mine.items():
        assert {k: v for k, v in theirs[slug].items() if k != "privacy"} == {
            k: v for k, v in fields.items() if k != "privacy"
        }, slug


def test_a_round_trip_through_gzip_and_back_to_the_first_reader_changes_nothing(reader: User, mal_known: None) -> None:
    services.library_import(user=reader, data=EXPORT)
    before = entries_of(reader)

    run = services.library_import(user=reader, data=gzip.compress(_exported(reader)))

    assert _report(run) == (0, 0, 15, 0, 0)
    assert entries_of(reader) == before
