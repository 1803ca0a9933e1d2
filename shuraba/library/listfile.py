"""A list file as uploaded: its size, gzip and format checked before anything reads an entry.

A file is refused whole (`ListFileError`, with a message a reader can act on) when it is too large,
decompresses past the limit (every gzip member counts), is not UTF-8, is neither MAL XML nor AniList JSON,
or holds more entries than any reading history (`records.ENTRIES_MAX`). Entries that do not
read are not errors of the file: the format readers return them as `Rejected`, with where and why.
"""

from __future__ import annotations

import zlib

from django.conf import settings

from shuraba.library import anilist, malxml
from shuraba.library.models import ImportFormat
from shuraba.library.records import ListFile, ListFileError

GZIP_MAGIC = b"\x1f\x8b"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _limit() -> int:
    limit: int = settings.LIBRARY_IMPORT_MAX_BYTES
    return limit


def size_check(size: int) -> None:
    if size > _limit():
        raise ListFileError(
            f"the file is {_megabytes(size)}; the limit is {_megabytes(_limit())}. A MAL export of even 20,000 "
            "manga is far smaller: check that this is the list export"
        )


MEMBERS_MAX = 100  # gzip members in one file: MAL writes one; a hundred is already a concatenation of lists
_FEED = 1 << 16  # compressed bytes fed at a time, so what is left over is never copied whole


def _too_large() -> ListFileError:
    return ListFileError(
        f"the gzipped file decompresses to more than {_megabytes(_limit())}, the limit; this is not a list export"
    )


def _member(data: bytes, start: int, out: bytearray) -> int:
    """Inflate the gzip member at `start` onto `out`; where the next one starts."""
    inflater, view, at = zlib.decompressobj(16 + zlib.MAX_WBITS), memoryview(data), start
    while not inflater.eof:
        chunk = view[at : at + _FEED]
        if not chunk:
            raise ListFileError("the gzipped file is truncated (it ends before its last block); download it again")
        try:
            out += inflater.decompress(chunk, _limit() + 1 - len(out))
        except zlib.error as exc:
            raise ListFileError(f"the file starts like gzip but does not decompress ({exc}); upload it again") from exc
        if len(out) > _limit() or inflater.unconsumed_tail:
            raise _too_large()
        at += len(chunk) - len(inflater.unused_data)
    return at


def gunzip(data: bytes) -> bytes:
    """A gzipped file's content, refused as soon as it grows past the limit (a gzip bomb stops there).
    Every member is read (`cat a.gz b.gz` is one valid gzip file); zeros after the last are padding."""
    out, at, members = bytearray(), 0, 0
    while at < len(data):
        if data[at : at + 2] != GZIP_MAGIC:
            if data.count(0, at) == len(data) - at:
                break
            raise ListFileError("the gzipped file goes on after its end with something that is not gzip")
        members += 1
        if members > MEMBERS_MAX:
            raise ListFileError(f"the file holds more than {MEMBERS_MAX} gzip members; a list export holds one")
        at = _member(data, at, out)
    return bytes(out)


def utf8_check(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ListFileError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start:,} does not read); "
            "MAL and AniList exports are UTF-8: export the list again, or save the file as UTF-8"
        ) from exc


def format_detect(data: bytes) -> str:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return ImportFormat.MAL_XML
    if head in (b"{", b"["):
        return ImportFormat.ANILIST_JSON
    if not head:
        raise ListFileError("the file is empty")
    raise ListFileError(
        "the file is neither MyAnimeList XML (it would start with <) nor AniList JSON (it would start with {): "
        "upload the .xml or .xml.gz file MyAnimeList exports, or an AniList MediaListCollection response"
    )


def list_file_read(data: bytes) -> ListFile:
    """Check a whole uploaded file and read its entries (import no entry until every check passed)."""
    size_check(len(data))
    if data[:2] == GZIP_MAGIC:
        data = gunzip(data)
    utf8_check(data)
    kind = format_detect(data)
    entries, rejected = malxml.mal_xml_read(data) if kind == ImportFormat.MAL_XML else anilist.anilist_read(data)
    return ListFile(kind, tuple(entries), tuple(rejected))
