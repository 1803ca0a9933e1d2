"""`shuraba import file PATH`: what a file is, read from its content, and its rows in resumable chunks.

Kinds (see FILE_KINDS): JSON Lines in the shape of the AniList research collection, the AniList and
MangaDex tag vocabularies, and saved API pages of each source (one document, or one page per line),
which the source's adapter parses. Lines are read as bytes, one at a time, with a length cap, so a
50 MB line, a truncated line or a line that is not UTF-8 becomes one row error and the rest imports.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from shuraba.core.errors import ShurabaError
from shuraba.importers.dataset import dataset_row_parse
from shuraba.importers.facts import RecordInvalid, row_error
from shuraba.importers.records import RowError, SourceAdapter, SourceRecord

MAX_LINE = 1 << 20  # 1 MiB; the longest line of the 4,045-title collection is about 3 KB
MAX_DOCUMENT = 64 << 20  # a saved API page is a few hundred KB at most
CHUNK = 500  # rows per transaction
SCAN_LINES = 200  # lines read to decide what a JSON Lines file holds

FILE_KINDS = {
    "anilist-collection": "JSON Lines, one AniList manga per line (the shape of anilist_manga_nonadult.jsonl)",
    "anilist-tags": "JSON Lines, the AniList tag vocabulary (anilist_tags.jsonl)",
    "mangadex-tags": "JSON Lines, the MangaDex tag vocabulary (mangadex_tags.jsonl)",
    "mangadex-tag-page": "a saved MangaDex GET /manga/tag response (the tag vocabulary)",
    "page:anilist": "a saved AniList GraphQL response (data.Page.media or data.Media)",
    "page:mangadex": "a saved MangaDex GET /manga or /manga/{id} response",
    "page:mangaupdates": "a saved MangaUpdates series or series-search response",
    "page:jikan": "a saved Jikan /manga or /manga/{id} response",
}
TERM_KINDS = ("anilist-tags", "mangadex-tags", "mangadex-tag-page")
SOURCE_NAMES = ("anilist", "mangadex", "mangaupdates", "jikan")  # `shuraba import <source>`
Entry = tuple[str, SourceRecord | RowError]


class FileRejected(ShurabaError):
    """The file cannot be imported at all (missing, a directory, empty, unrecognisable): nothing was written."""


def adapter_load(name: str) -> SourceAdapter:
    """A source's adapter (shuraba.importers.sources), imported only when a run needs it."""
    try:
        from shuraba.importers.sources import adapter_get  # noqa: PLC0415 (adapters load when a run needs one)

        adapter: SourceAdapter = adapter_get(name)
    except (ImportError, ShurabaError) as exc:
        raise FileRejected(f"no adapter for {name!r} is installed (shuraba.importers.sources)") from exc
    return adapter


# --- reading lines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    number: int
    end: int  # byte offset just after the line: where a resumed run starts reading
    text: str | None
    error: str | None = None


def _skip_rest(handle: BinaryIO, size: int) -> int:
    while True:
        more = handle.readline(MAX_LINE)
        size += len(more)
        if not more or more.endswith(b"\n"):
            return size


def lines_read(handle: BinaryIO, *, offset: int = 0, number: int = 0) -> Iterator[Line]:
    """Lines from `offset` on, each decoded on its own; an over-long or undecodable line is an error line."""
    handle.seek(offset)
    while raw := handle.readline(MAX_LINE + 1):
        number += 1
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            size = _skip_rest(handle, len(raw))
            yield Line(number, handle.tell(), None, f"the line is {size:,} bytes, over the {MAX_LINE:,}-byte limit")
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1}); save the file as UTF-8"
            yield Line(number, handle.tell(), None, reason)
            continue
        yield Line(number, handle.tell(), text.lstrip("\ufeff") if number == 1 else text)


def json_line(line: Line) -> Any:
    """The line's JSON value; raises RecordInvalid with a readable reason."""
    if line.error is not None or line.text is None:
        raise RecordInvalid(line.error or "unreadable line")
    try:
        return json.loads(line.text)
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno}); is the line truncated?"
        raise RecordInvalid(reason) from exc


# --- what a file is ------------------------------------------------------------------------------


def _first_item(value: Mapping[str, Any]) -> Mapping[str, Any]:
    data = value.get("data")
    items = data if isinstance(data, list) else [data]
    return items[0] if items and isinstance(items[0], Mapping) else {}


# How each saved API response looks (its top level, and its first item under "data"), in test order.
PAGE_SHAPES: tuple[tuple[str, Callable[[Mapping[str, Any], Mapping[str, Any]], bool]], ...] = (
    ("page:anilist", lambda _v, first: "Page" in first or "Media" in first),
    ("page:jikan", lambda v, first: "mal_id" in first and (isinstance(v["data"], Mapping) or "pagination" in v)),
    ("page:mangadex", lambda v, first: v.get("result") == "ok" and first.get("type") == "manga"),
    ("mangadex-tag-page", lambda v, first: v.get("result") == "ok" and first.get("type") == "tag"),
    ("page:mangaupdates", lambda v, _first: "series_id" in v or ("total_hits" in v and "results" in v)),
)


def _page_kind(value: Mapping[str, Any]) -> str | None:
    first = _first_item(value)
    return next((kind for kind, fits in PAGE_SHAPES if fits(value, first)), None)


def shape_of(value: Any) -> str | None:
    """Which kind of file a JSON value (a line, or a whole document) belongs to."""
    if not isinstance(value, Mapping):
        return None
    if "anilist_id" in value:
        return "anilist-collection"
    if value.get("source") == "anilist" and {"id", "name", "category"} <= set(value):
        return "anilist-tags"
    if value.get("source") == "mangadex" and {"id", "name", "group"} <= set(value):
        return "mangadex-tags"
    return _page_kind(value)


def _document(path: Path, size: int) -> Any:
    if size > MAX_DOCUMENT:
        return None
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _scan(path: Path) -> tuple[Counter[str], bool]:
    """Kinds of the first lines that parse, and whether the very first line parsed."""
    votes: Counter[str] = Counter()
    first_parsed: bool | None = None
    with path.open("rb") as handle:
        for line in lines_read(handle):
            if line.number > SCAN_LINES or sum(votes.values()) >= 20:
                break
            if line.text is not None and not line.text.strip():
                continue
            try:
                kind = shape_of(json_line(line))
            except RecordInvalid:
                first_parsed = False if first_parsed is None else first_parsed
                continue
            first_parsed = True if first_parsed is None else first_parsed
            if kind:
                votes[kind] += 1
    return votes, bool(first_parsed)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class FileSource:
    path: Path
    kind: str
    digest: str
    document: Any = None  # the parsed JSON when the file is one document

    @property
    def filters(self) -> dict[str, str]:
        return {"path": str(self.path), "sha256": self.digest}

    @property
    def is_terms(self) -> bool:
        return self.kind in TERM_KINDS


def _check_path(path: Path) -> int:
    if not path.exists():
        raise FileRejected(f"{path}: no such file")
    if path.is_dir():
        raise FileRejected(f"{path} is a directory; give the path of one file")
    size = path.stat().st_size
    if size == 0:
        raise FileRejected(f"{path} is empty (0 bytes): there is nothing to import")
    with path.open("rb") as handle:
        head = handle.read(4)
    if head[:2] in {b"\xff\xfe", b"\xfe\xff"}:
        raise FileRejected(f"{path} is UTF-16 text; save it as UTF-8 and import again")
    return size


def file_open(path: Path) -> FileSource:
    """Decide what a file holds, from its content; FileRejected when it cannot be imported at all."""
    path = path.expanduser().resolve()
    size = _check_path(path)
    votes, first_parsed = _scan(path)
    document = None if first_parsed else _document(path, size)
    kind = shape_of(document) if document is not None else None
    if kind is None and votes:
        kind = votes.most_common(1)[0][0]
        document = None
    if kind is None:
        known = "; ".join(FILE_KINDS.values())
        raise FileRejected(f"{path}: cannot tell what this file holds. shuraba imports: {known}")
    return FileSource(path, kind, _sha256(path), document)


# --- rows ----------------------------------------------------------------------------------------


def _page_entries(kind: str, payload: Any, where: str) -> list[Entry]:
    adapter = adapter_load(kind.removeprefix("page:"))
    rows = adapter.parse_page(payload, where=where)
    return [(r.where if isinstance(r, RowError) else f"{where}, {r.source} {r.source_id}", r) for r in rows]


def _line_entries(kind: str, line: Line) -> list[Entry]:
    where = f"line {line.number}"
    try:
        value = json_line(line)
        if kind == "anilist-collection":
            return [(where, dataset_row_parse(value))]
        return _page_entries(kind, value, where)
    except (RecordInvalid, ValueError, TypeError) as exc:
        return [(where, row_error(where, exc))]


def entries_read(
    source: FileSource, *, checkpoint: Mapping[str, Any] | None
) -> Iterator[tuple[list[Entry], dict[str, Any]]]:
    """Chunks of rows and, after each, the checkpoint to resume after it."""
    if source.document is not None:
        start = int((checkpoint or {}).get("item", 0))
        entries = _page_entries(source.kind, source.document, source.path.name)
        for index in range(start, len(entries), CHUNK):
            yield entries[index : index + CHUNK], {"item": min(index + CHUNK, len(entries))}
        return
    offset, number = int((checkpoint or {}).get("offset", 0)), int((checkpoint or {}).get("line", 0))
    chunk: list[Entry] = []
    with source.path.open("rb") as handle:
        for line in lines_read(handle, offset=offset, number=number):
            if line.text is None or line.text.strip():
                chunk.extend(_line_entries(source.kind, line))
            if len(chunk) >= CHUNK:
                yield chunk, {"offset": line.end, "line": line.number}
                chunk = []
            offset, number = line.end, line.number
    if chunk:
        yield chunk, {"offset": offset, "line": number}


# --- vocabulary files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    source: str
    term_id: str
    name: str
    category: str
    is_adult: bool


def _term(kind: str, value: Any) -> Term:
    if not isinstance(value, Mapping):
        raise RecordInvalid("expected a JSON object")
    if kind == "mangadex-tag-page":
        attributes = value.get("attributes") or {}
        names = attributes.get("name") or {}
        value = {"id": value.get("id"), "name": names.get("en"), "group": attributes.get("group")}
    name, category = value.get("name"), value.get("category", value.get("group"))
    if not isinstance(name, str) or not name.strip():
        raise RecordInvalid("name: expected text")
    if not isinstance(category, str):
        raise RecordInvalid("category/group: expected text")
    term_id = value.get("id")
    if isinstance(term_id, bool) or not isinstance(term_id, int | str) or not str(term_id).strip():
        raise RecordInvalid(f"id: expected a number or a UUID, got {term_id!r}")
    adult = value.get("is_adult", False)
    if not isinstance(adult, bool):
        raise RecordInvalid(f"is_adult: expected true or false, got {adult!r}")
    source = "anilist" if kind == "anilist-tags" else "mangadex"
    return Term(source, str(term_id), name.strip(), category, adult)


def terms_read(source: FileSource) -> Iterator[tuple[str, Term | RowError]]:
    if source.document is not None:
        for index, value in enumerate(source.document.get("data") or []):
            where = f"{source.path.name} item {index + 1}"
            try:
                yield where, _term(source.kind, value)
            except RecordInvalid as exc:
                yield where, row_error(where, exc)
        return
    with source.path.open("rb") as handle:
        for line in lines_read(handle):
            if line.text is not None and not line.text.strip():
                continue
            where = f"line {line.number}"
            try:
                yield where, _term(source.kind, json_line(line))
            except RecordInvalid as exc:
                yield where, row_error(where, exc)
