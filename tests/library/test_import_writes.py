"""What a list import writes and keeps: every field of a new entry, nothing on an unchanged re-import,
the changed fields only, unmatched entries kept once and refreshed, and name matching that follows the
catalog as it changes after the first import. The file is refused whole when it declares a DTD."""

from __future__ import annotations

import pytest

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.catalog.services import title_create, title_delete, title_external_id_add, title_update
from shuraba.library.models import LibraryEntry, UnmatchedEntry, UnmatchedState
from shuraba.library.records import ListFileError
from shuraba.library.services import library_import, library_settings_save, unmatched_resolve

SOURCE = "import:test"


def _mal(*blocks: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<myanimelist>\n<myinfo><user_export_type>2</user_export_type>'
        "</myinfo>\n" + "".join(blocks) + "</myanimelist>\n"
    ).encode()


def _block(mal_id: str, name: str, **fields: object) -> str:
    values = {
        "my_read_chapters": 0,
        "my_read_volumes": 0,
        "my_start_date": "0000-00-00",
        "my_finish_date": "0000-00-00",
        "my_score": 0,
        "my_status": "Reading",
        "my_comments": "",
        "my_times_read": 0,
        "my_rereading": "NO",
        **fields,
    }
    inner = "".join(
        f"<{k}><![CDATA[{v}]]></{k}>" if k == "my_comments" else f"<{k}>{v}</{k}>" for k, v in values.items()
    )
    head = f"<manga_mangadb_id>{mal_id}</manga_mangadb_id><manga_title><![CDATA[{name}]]></manga_title>"
    return f"<manga>{head}{inner}</manga>\n"


@pytest.fixture
def known(db: None) -> list[Title]:
    """Three sample titles with (made-up) MAL ids 97300001-97300003."""
    titles = list(Title.objects.filter(content_rating="teen").order_by("pk")[:3])
    for number, title in enumerate(titles, 1):
        title_external_id_add(title=title, id_source="mal", external_id=f"9730000{number}", source=SOURCE)
    return titles


def test_a_first_import_writes_every_field_the_file_gives(reader: User, known: list[Title]) -> None:
    library_settings_save(user=reader, default_privacy="unlisted")
    data = _mal(
        _block(
            "97300001",
            "ignored when the id matches",
            my_status="Completed",
            my_read_chapters=40,
            my_read_volumes=5,
            my_score=8,
            my_start_date="2019-05-00",
            my_finish_date="2020-00-00",
            my_times_read=1,
            my_comments="Synthetic note: <the letter> & after",
        ),
        _block("97300002", "", my_status="Reading", my_rereading="YES", my_start_date="2021-03-04"),
        _block("97300003", "", my_status="Plan to Read"),
    )
    run = library_import(user=reader, data=data)
    assert (run.created, run.updated, run.unchanged, run.unmatched, run.rejected) == (3, 0, 0, 0, 0)
    first = LibraryEntry.objects.get(user=reader, title=known[0])
    assert (first.status, first.chapters_read, first.volumes_read, first.score) == ("completed", 40, 5, 8)
    assert (first.started_on, first.finished_on, first.reread_count) == ("2019-05", "2020", 1)
    assert first.notes == "Synthetic note: <the letter> & after"
    second = LibraryEntry.objects.get(user=reader, title=known[1])
    assert (second.status, second.started_on, second.score) == ("rereading", "2021-03-04", None)
    entries = LibraryEntry.objects.filter(user=reader)
    assert {e.privacy for e in entries} == {"unlisted"}
    assert len({e.share_token for e in entries}) == 3
    assert all(e.created_at == e.updated_at == run.at for e in entries)


def test_importing_the_same_file_again_leaves_every_entry_as_it_was(reader: User, known: list[Title]) -> None:
    data = _mal(*(_block(f"9730000{n}", "", my_score=n, my_read_chapters=n) for n in (1, 2, 3)))
    library_import(user=reader, data=data)
    before = list(LibraryEntry.objects.filter(user=reader).order_by("pk").values())
    again = library_import(user=reader, data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert list(LibraryEntry.objects.filter(user=reader).order_by("pk").values()) == before


def test_a_changed_entry_is_updated_and_an_empty_value_keeps_what_the_reader_wrote(
    reader: User, known: list[Title]
) -> None:
    library_import(
        user=reader,
        data=_mal(
            _block("97300001", "", my_score=7, my_read_chapters=10, my_comments="Synthetic note."),
            _block("97300002", "", my_score=6),
        ),
    )
    untouched = LibraryEntry.objects.get(user=reader, title=known[1])
    changed = library_import(
        user=reader,
        data=_mal(
            _block("97300001", "", my_score=0, my_read_chapters=12, my_status="Dropped", my_finish_date="2025-12-31"),
            _block("97300002", "", my_score=6),
        ),
    )
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    entry = LibraryEntry.objects.get(user=reader, title=known[0])
    assert (entry.status, entry.chapters_read, entry.finished_on) == ("dropped", 12, "2025-12-31")
    assert (entry.score, entry.notes) == (7, "Synthetic note.")  # the file's 0 and empty comment do not erase
    assert entry.updated_at == changed.at
    assert LibraryEntry.objects.get(pk=untouched.pk).updated_at == untouched.updated_at


def test_an_unmatched_entry_is_kept_once_and_the_next_import_refreshes_it(reader: User, known: list[Title]) -> None:
    name = "Unlisted Synthetic Work 00001"
    first = library_import(user=reader, data=_mal(_block("0", name, my_read_chapters=3)))
    second = library_import(user=reader, data=_mal(_block("0", name, my_read_chapters=9)))
    assert first.unmatched == second.unmatched == 1
    row = UnmatchedEntry.objects.get(user=reader)
    assert (row.name, row.state, row.library_import_id) == (name, UnmatchedState.OPEN, second.pk)
    assert row.fields["chapters_read"] == 9


def test_an_unmatched_entry_resolved_to_a_title_deleted_since_is_open_again(reader: User, known: list[Title]) -> None:
    name = "Unlisted Synthetic Work 00002"
    library_import(user=reader, data=_mal(_block("0", name)))
    row = UnmatchedEntry.objects.get(user=reader)
    title = title_create(
        slug="synthetic-library-resolved", title="Synthetic Resolved Work", source=SOURCE, content_rating="teen"
    )
    unmatched_resolve(user=reader, unmatched_id=row.pk, title=title)
    title_delete(title=title)
    again = library_import(user=reader, data=_mal(_block("0", name)))
    assert again.unmatched == 1
    row.refresh_from_db()
    assert (row.state, row.title_id, row.library_import_id) == (UnmatchedState.OPEN, None, again.pk)


def test_a_title_renamed_after_an_import_matches_by_its_new_name_only(reader: User) -> None:
    title = title_create(
        slug="synthetic-library-rename", title="Synthetic Kōri Letters", source=SOURCE, content_rating="teen"
    )
    assert library_import(user=reader, data=_mal(_block("0", "Synthetic Kouri Letters"))).created == 1
    title_update(title=title, changes={"title": "Synthetic Winter Letters"}, source=SOURCE)
    run = library_import(user=reader, data=_mal(_block("0", "Synthetic Kōri Letters")))
    assert (run.created, run.unchanged, run.unmatched) == (0, 0, 1)
    run = library_import(user=reader, data=_mal(_block("0", "synthetic winter letters")))
    assert (run.created, run.unchanged, run.unmatched) == (0, 1, 0)


def test_a_title_created_or_deleted_after_an_import_matches_or_stops_matching(reader: User) -> None:
    name = "Synthetic Late Arrival"
    assert library_import(user=reader, data=_mal(_block("0", name))).unmatched == 1
    title = title_create(slug="synthetic-library-late", title=name, source=SOURCE, content_rating="teen")
    assert library_import(user=reader, data=_mal(_block("0", name))).created == 1
    title_delete(title=title)
    assert library_import(user=reader, data=_mal(_block("0", name))).unmatched == 1


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE lol [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE myanimelist [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE myanimelist SYSTEM "http://example.test/list.dtd">',
    ],
)
def test_a_list_declaring_a_dtd_is_refused_whole(reader: User, known: list[Title], prolog: str) -> None:
    data = _mal(_block("97300001", "")).replace(b"<myanimelist>", prolog.encode() + b"<myanimelist>", 1)
    with pytest.raises(ListFileError, match="declares a DTD"):
        library_import(user=reader, data=data)
    assert not LibraryEntry.objects.filter(user=reader).exists()


def test_a_truncated_list_says_where_it_stops(reader: User) -> None:
    data = _mal(_block("97300001", ""))[:-40]
    with pytest.raises(ListFileError, match=r"does not read at line \d+, column \d+"):
        library_import(user=reader, data=data)


def test_a_name_two_titles_bear_matches_neither_until_one_of_them_is_renamed(reader: User) -> None:
    name = "Synthetic Twin Letters"
    one = title_create(slug="synthetic-library-twin-1", title=name, source=SOURCE, content_rating="teen")
    two = title_create(slug="synthetic-library-twin-2", title=name, source=SOURCE, content_rating="teen")
    assert library_import(user=reader, data=_mal(_block("0", name))).unmatched == 1
    assert UnmatchedEntry.objects.get(user=reader).fields["candidates"] == [one.pk, two.pk]
    title_update(title=two, changes={"title": "Synthetic Other Letters"}, source=SOURCE)
    assert library_import(user=reader, data=_mal(_block("0", name))).created == 1
    assert LibraryEntry.objects.get(user=reader).title_id == one.pk
