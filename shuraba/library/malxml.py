"""MyAnimeList's list XML, read and written (the de-facto interchange format; `../shared/SOURCES.md` §2.1).

Reading refuses DTDs, entity declarations and external references (defusedxml's checks, run by a pass of
expat over what comes before the root element), so a "billion laughs" or an external entity is an error
before any expansion or fetch; the entries are then read by the C parser, one block at a time. It is lenient where
exporters differ (a `<mymangalist>` root, missing optional elements, `35.000` chapters, `2024-03-00`
dates, numeric status codes) and strict where a value would be invented (an unknown status, a score of 11).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat
from xml.sax.saxutils import escape

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from shuraba.library.models import Status
from shuraba.library.records import (
    EntryRejected,
    ListEntry,
    ListFileError,
    Rejected,
    count_read,
    entries_count_check,
    id_read,
    mal_date_read,
    names_read,
    notes_read,
    rereads_read,
    score_read,
)

ROOTS = ("myanimelist", "mymangalist")
# MAL's spellings; some exporters write the numeric codes of MAL's own list pages instead.
STATUS_FROM_MAL = {
    "reading": Status.READING,
    "completed": Status.COMPLETED,
    "on-hold": Status.ON_HOLD,
    "onhold": Status.ON_HOLD,
    "on hold": Status.ON_HOLD,
    "dropped": Status.DROPPED,
    "plan to read": Status.PLAN_TO_READ,
    "plantoread": Status.PLAN_TO_READ,
    "1": Status.READING,
    "2": Status.COMPLETED,
    "3": Status.ON_HOLD,
    "4": Status.DROPPED,
    "6": Status.PLAN_TO_READ,
}
# A re-read is MAL's "Completed" with the rereading flag: MAL offers its re-reading box on completed entries
# only (and lists them under Reading), so "Reading" with the flag would lose that the work was finished.
STATUS_TO_MAL = {
    Status.READING: "Reading",
    Status.COMPLETED: "Completed",
    Status.ON_HOLD: "On-Hold",
    Status.DROPPED: "Dropped",
    Status.PLAN_TO_READ: "Plan to Read",
    Status.REREADING: "Completed",
}
TOTALS = (
    ("user_total_reading", (Status.READING,)),
    ("user_total_completed", (Status.COMPLETED, Status.REREADING)),
    ("user_total_onhold", (Status.ON_HOLD,)),
    ("user_total_dropped", (Status.DROPPED,)),
    ("user_total_plantoread", (Status.PLAN_TO_READ,)),
)
# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BOM = b"\xef\xbb\xbf"


def _comment(text: str) -> str:
    """An XML comment of any text: `--` may not occur inside one, nor `-` at its end."""
    return "<!-- " + re.sub("-(?=-|$)", "- ", escape(_NOT_XML.sub("", text))) + " -->\n"


def _doctype(name: str, sysid: str | None, pubid: str | None, has_internal_subset: bool) -> None:
    raise DTDForbidden(name, sysid, pubid)


def _entity(name: str, _parameter: bool, value: str | None, base: str | None, *ids: str | None) -> None:
    raise EntitiesForbidden(name, value, base, *ids)


def _unparsed_entity(name: str, base: str | None, *ids: str | None) -> None:
    raise EntitiesForbidden(name, None, base, *ids)


def _external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> int:
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


class _RootReached(Exception):  # not an error: how the screening pass stops at the root
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _root_reached(name: str, _attributes: object) -> None:
    raise _RootReached(name)


def _root_screened(data: bytes) -> str:
    """The root element's name, from a pass of expat that stops there. Before it is where a DTD would be,
    and with it any entity declaration or external reference: refused with defusedxml's errors. Without a
    DTD there is nothing to expand or fetch, so the C parser may read the rest ("" when the XML does not
    read before the root: that parse says where)."""
    screen = expat.ParserCreate()
    screen.StartDoctypeDeclHandler = _doctype
    screen.EntityDeclHandler = _entity
    screen.UnparsedEntityDeclHandler = _unparsed_entity
    screen.ExternalEntityRefHandler = _external
    screen.StartElementHandler = _root_reached
    try:
        screen.Parse(data, True)  # noqa: FBT003 (pyexpat's `isfinal` is positional only)
    except _RootReached as reached:
        return reached.name
    except expat.ExpatError:
        return ""
    return ""


def _root_checked(data: bytes) -> None:
    try:
        root = _root_screened(data)
    except DTDForbidden as exc:
        raise ListFileError(
            "the file declares a DTD (<!DOCTYPE …>); MAL exports have none, and shuraba reads none (a DTD can "
            "fetch other files or expand entities without end)"
        ) from exc
    except EntitiesForbidden as exc:
        raise ListFileError(
            "the file declares XML entities; MAL exports declare none, and shuraba expands none"
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise ListFileError("the file refers to an external file; shuraba fetches nothing a list file names") from exc
    if root and root not in ROOTS:
        raise ListFileError(f"the root element is <{root}>; a MyAnimeList export's is <myanimelist>")


def _blocks(data: bytes) -> Iterator[Element]:
    """The root's children, each whole, cleared once read: the tree is never held whole. Held, a 5,000-entry
    export is 120,000 elements that the garbage collector walks again with the whole heap as the tree grows
    (most of the reading time in a process holding the search index); cleared, they go as they come."""
    depth = 0
    try:
        for event, element in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):  # noqa: S314 (screened by _root_checked, as defusedxml would)
            depth += 1 if event == "start" else -1
            if event == "end" and depth == 1:
                yield element
                element.clear()
    except ParseError as exc:
        line, column = exc.position
        raise ListFileError(
            f"the XML does not read at line {line}, column {column + 1} ({str(exc).split(':')[0]}); a truncated "
            "download ends like this: export the list again"
        ) from exc


def _text(block: Element, name: str) -> str:
    return (block.findtext(name) or "").strip()


def _status(block: Element) -> str:
    raw = _text(block, "my_status")
    status = STATUS_FROM_MAL.get(raw.casefold())
    if status is None:
        raise EntryRejected(
            f"my_status is “{raw}”; MAL's are Reading, Completed, On-Hold, Dropped and Plan to Read"
            if raw
            else "my_status is missing"
        )
    if _text(block, "my_rereading").upper() in ("YES", "1", "TRUE"):
        return Status.REREADING
    return status


def _entry(block: Element, where: str) -> ListEntry:
    mal_id = id_read(_text(block, "manga_mangadb_id"), "manga_mangadb_id", site="MAL")
    name = _text(block, "manga_title")
    if not mal_id and not name:
        raise EntryRejected("neither a MAL id (manga_mangadb_id) nor a title (manga_title)")
    return ListEntry(
        where=where,
        source="mal",
        mal_id=mal_id,
        anilist_id="",
        names=names_read((name,) if name else (), "manga_title"),
        status=_status(block),
        chapters_read=count_read(_text(block, "my_read_chapters"), "my_read_chapters"),
        volumes_read=count_read(_text(block, "my_read_volumes"), "my_read_volumes"),
        score=score_read(_text(block, "my_score"), "my_score"),
        started_on=mal_date_read(_text(block, "my_start_date"), "my_start_date"),
        finished_on=mal_date_read(_text(block, "my_finish_date"), "my_finish_date"),
        reread_count=rereads_read(_text(block, "my_times_read"), "my_times_read"),
        notes=notes_read(block.findtext("my_comments") or "", "my_comments"),
    )


def mal_xml_read(data: bytes) -> tuple[list[ListEntry], list[Rejected]]:
    """Every manga block of a MAL export: read, or rejected with its reason. Anime blocks are rejected
    one by one in a mixed file; a file of anime only is refused whole."""
    # A blank line before `<?xml` (some tools write one) is not a reason to refuse the file.
    data = data.removeprefix(_BOM).lstrip(b" \t\r\n")
    _root_checked(data)
    entries: list[ListEntry] = []
    rejected: list[Rejected] = []
    manga = anime = 0
    for children, block in enumerate(_blocks(data)):
        entries_count_check(children)  # the root's children but myinfo, as they come
        if block.tag == "anime":
            anime += 1
            name = _text(block, "series_title")
            rejected.append(Rejected(f"anime entry {anime}", name, "an anime entry: the library keeps manga"))
        elif block.tag == "manga":
            manga += 1
            where = f"manga entry {manga}"
            try:
                entries.append(_entry(block, where))
            except EntryRejected as exc:
                rejected.append(Rejected(where, _text(block, "manga_title"), str(exc)))
    if anime and not manga:
        raise ListFileError("this is a MyAnimeList anime list; export your manga list (Export, then Manga List)")
    if not manga and not anime:
        raise ListFileError("the file has no <manga> entries; is it a MyAnimeList manga list export?")
    return entries, rejected


@dataclass(frozen=True)
class MalRow:
    """One library entry as MAL's XML spells it."""

    mal_id: str
    name: str
    volumes: int | None
    chapters: int | None
    status: str
    chapters_read: int
    volumes_read: int
    score: int | None
    started_on: str
    finished_on: str
    reread_count: int
    notes: str


def _date(value: str) -> str:
    parts = value.split("-") if value else []
    return "-".join([*parts, *["00"] * (3 - len(parts))][:3]) if parts else "0000-00-00"


def _cdata(text: str) -> str:
    """A CDATA section as MAL writes free text; a `]]>` inside is split across two sections."""
    clean = _NOT_XML.sub("", text)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _element(name: str, value: object) -> str:
    return f"\t\t<{name}>{escape(_NOT_XML.sub('', str(value)))}</{name}>\n"


def _manga(row: MalRow) -> str:
    fields = [
        _element("manga_mangadb_id", row.mal_id or 0),
        f"\t\t<manga_title>{_cdata(row.name)}</manga_title>\n",
        _element("manga_volumes", row.volumes or 0),
        _element("manga_chapters", row.chapters or 0),
        _element("my_id", 0),
        _element("my_read_volumes", row.volumes_read),
        _element("my_read_chapters", row.chapters_read),
        _element("my_start_date", _date(row.started_on)),
        _element("my_finish_date", _date(row.finished_on)),
        f"\t\t<my_scanalation_group>{_cdata('')}</my_scanalation_group>\n",
        _element("my_score", row.score or 0),
        _element("my_storage", ""),
        _element("my_retail_volumes", 0),
        _element("my_status", STATUS_TO_MAL[Status(row.status)]),
        f"\t\t<my_comments>{_cdata(row.notes)}</my_comments>\n",
        _element("my_times_read", row.reread_count),
        f"\t\t<my_tags>{_cdata('')}</my_tags>\n",
        _element("my_priority", "Low"),
        _element("my_reread_value", ""),
        _element("my_rereading", "YES" if row.status == Status.REREADING else "NO"),
        _element("my_discuss", "YES"),
        _element("my_sns", "default"),
        _element("update_on_import", 1),
    ]
    return "\t<manga>\n" + "".join(fields) + "\t</manga>\n"


def _myinfo(rows: Sequence[MalRow], user_name: str) -> str:
    counts = Counter(row.status for row in rows)
    fields = [
        _element("user_id", 0),
        _element("user_name", user_name),
        _element("user_export_type", 2),
        _element("user_total_manga", len(rows)),
        *(_element(name, sum(counts[s] for s in statuses)) for name, statuses in TOTALS),
    ]
    return "\t<myinfo>\n" + "".join(fields) + "\t</myinfo>\n"


def mal_xml_write(rows: Sequence[MalRow], *, user_name: str, comments: Iterable[str] = ()) -> bytes:
    """A MAL manga list export of these rows (a title without a MAL id is written with id 0 and its name,
    which MAL-compatible importers match by title)."""
    notes = "".join(_comment(text) for text in comments)
    body = "".join(_manga(row) for row in rows)
    head = f'<?xml version="1.0" encoding="UTF-8" ?>\n{notes}<myanimelist>\n{_myinfo(rows, user_name)}'
    return (head + body + "</myanimelist>\n").encode("utf-8")
