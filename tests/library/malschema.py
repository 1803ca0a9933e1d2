"""A reader of MyAnimeList's manga list export, written from MAL's format (`../shared/SOURCES.md` §2.1)
and not from shuraba's writer: it shares no code with `shuraba/library/malxml.py`, so our export is judged
by what MAL and MAL-compatible tools expect, not by what we happen to write.

MAL publishes no schema; this is the structure its own exports have, the one importers (AniList's, MAL's,
Shikimori's) read: `<myanimelist>`, a `<myinfo>` header with totals per status, then one `<manga>` block
per entry with every element, in MAL's order. `mal_schema_problems` lists every way a document departs
from it; an empty list means it passes.

A re-read is `Completed` with `my_rereading` YES: MAL offers its re-reading box on completed entries only.

Only for documents we wrote or tests wrote: the stdlib parser is used as-is (no DTD is expected).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter

MYINFO = (
    "user_id",
    "user_name",
    "user_export_type",
    "user_total_manga",
    "user_total_reading",
    "user_total_completed",
    "user_total_onhold",
    "user_total_dropped",
    "user_total_plantoread",
)
MANGA = (
    "manga_mangadb_id",
    "manga_title",
    "manga_volumes",
    "manga_chapters",
    "my_id",
    "my_read_volumes",
    "my_read_chapters",
    "my_start_date",
    "my_finish_date",
    "my_scanalation_group",
    "my_score",
    "my_storage",
    "my_retail_volumes",
    "my_status",
    "my_comments",
    "my_times_read",
    "my_tags",
    "my_priority",
    "my_reread_value",
    "my_rereading",
    "my_discuss",
    "my_sns",
    "update_on_import",
)
# MAL's own spellings, and the myinfo total each one counts in.
STATUS_TOTALS = {
    "Reading": "user_total_reading",
    "Completed": "user_total_completed",
    "On-Hold": "user_total_onhold",
    "Dropped": "user_total_dropped",
    "Plan to Read": "user_total_plantoread",
}
COUNTS = (
    "manga_mangadb_id",
    "manga_volumes",
    "manga_chapters",
    "my_id",
    "my_read_volumes",
    "my_read_chapters",
    "my_retail_volumes",
    "my_times_read",
)
YES_NO = ("YES", "NO")
PRIORITIES = ("Low", "Medium", "High")
_INTEGER = re.compile(r"^[0-9]+$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


class MalSchemaError(AssertionError):
    """The document is not a MAL manga list export; the message lists why."""


def _integer(text: str) -> int | None:
    return int(text) if _INTEGER.match(text) else None


def _date_problem(text: str) -> str | None:
    found = _DATE.match(text)
    if not found:
        return "is not YYYY-MM-DD"
    if text == "0000-00-00":
        return None
    year, month, day = (int(part) for part in found.groups())
    if year == 0 or not 0 <= month <= 12 or (month == 0 and day):
        return "is not a date MAL writes (a year, then a month, then a day; 00 where unknown)"
    if day:
        try:
            dt.date(year, month, day)
        except ValueError:
            return "is not a day of the calendar"
    return None


def _children(parent: ET.Element, expected: tuple[str, ...], where: str) -> list[str]:
    names = [child.tag for child in parent]
    if names == list(expected):
        return []
    missing = [name for name in expected if name not in names]
    extra = [name for name in names if name not in expected]
    if missing or extra:
        return [f"{where}: missing {missing}, unexpected {extra}"]
    return [f"{where}: elements out of MAL's order ({', '.join(names)})"]


def _text(block: ET.Element, name: str) -> str:
    return block.findtext(name) or ""


def _myinfo_problems(info: ET.Element, statuses: Counter[str], manga: int) -> list[str]:
    problems = _children(info, MYINFO, "myinfo")
    if _text(info, "user_export_type") != "2":
        problems.append(f"myinfo: user_export_type is {_text(info, 'user_export_type')!r}, 2 for a manga list")
    totals = {name: _integer(_text(info, name)) for name in MYINFO if name.startswith("user_total_")}
    problems += [f"myinfo: {name} is not a count" for name, value in totals.items() if value is None]
    if totals["user_total_manga"] != manga:
        problems.append(f"myinfo: user_total_manga is {totals['user_total_manga']}, the file has {manga} manga")
    by_status = [totals[name] or 0 for name in STATUS_TOTALS.values()]
    if sum(by_status) != totals["user_total_manga"]:
        problems.append(f"myinfo: the totals per status add up to {sum(by_status)}, not user_total_manga")
    for status, name in STATUS_TOTALS.items():
        if totals[name] is not None and totals[name] != statuses[status]:
            problems.append(f"myinfo: {name} is {totals[name]}, the file has {statuses[status]} {status}")
    return problems


def _manga_problems(block: ET.Element, where: str) -> list[str]:
    problems = _children(block, MANGA, where)
    values = {name: _text(block, name).strip() for name in MANGA}
    problems += [
        f"{where}: {name} is {values[name]!r}, not a count" for name in COUNTS if _integer(values[name]) is None
    ]
    score = _integer(values["my_score"])
    if score is None or not 0 <= score <= 10:
        problems.append(f"{where}: my_score is {values['my_score']!r}, not 0 to 10")
    if values["my_status"] not in STATUS_TOTALS:
        problems.append(f"{where}: my_status is {values['my_status']!r}, not one of MAL's {list(STATUS_TOTALS)}")
    for name in ("my_start_date", "my_finish_date"):
        problem = _date_problem(values[name])
        if problem:
            problems.append(f"{where}: {name} {values[name]!r} {problem}")
    for name in ("my_rereading", "my_discuss"):
        if values[name] not in YES_NO:
            problems.append(f"{where}: {name} is {values[name]!r}, not YES or NO")
    if values["my_rereading"] == "YES" and values["my_status"] != "Completed":
        problems.append(
            f"{where}: my_rereading is YES on a {values['my_status']!r} entry; MAL re-reads completed ones only"
        )
    if values["my_priority"] not in PRIORITIES:
        problems.append(f"{where}: my_priority is {values['my_priority']!r}")
    if values["update_on_import"] not in ("0", "1"):
        problems.append(f"{where}: update_on_import is {values['update_on_import']!r}, not 0 or 1")
    if values["manga_mangadb_id"] in ("", "0") and not values["manga_title"]:
        problems.append(f"{where}: neither a MAL id nor a title, so no importer can match it")
    return problems


def mal_schema_problems(data: bytes) -> list[str]:
    """Every way `data` departs from a MAL manga list export (empty: it is one)."""
    if not data.startswith(b'<?xml version="1.0" encoding="UTF-8"'):
        return ['the document does not start with <?xml version="1.0" encoding="UTF-8" ?>']
    try:
        root = ET.fromstring(data)  # noqa: S314 (our own export under test; see the module docstring)
    except ET.ParseError as exc:
        return [f"not XML: {exc}"]
    if root.tag != "myanimelist":
        return [f"the root is <{root.tag}>, not <myanimelist>"]
    children = list(root)
    if not children or children[0].tag != "myinfo":
        return ["<myinfo> is not the first element"]
    blocks = children[1:]
    problems = [f"<{block.tag}> where only <manga> may follow myinfo" for block in blocks if block.tag != "manga"]
    manga = [block for block in blocks if block.tag == "manga"]
    for number, block in enumerate(manga, start=1):
        problems += _manga_problems(block, f"manga {number}")
    statuses = Counter(_text(block, "my_status").strip() for block in manga)
    return problems + _myinfo_problems(children[0], statuses, len(manga))


def mal_schema_check(data: bytes) -> None:
    problems = mal_schema_problems(data)
    if problems:
        raise MalSchemaError("not a MAL manga list export:\n" + "\n".join(problems))


def mal_schema_entries(data: bytes) -> list[dict[str, str]]:
    """The manga blocks of a checked export as element -> text, for tests that compare values."""
    mal_schema_check(data)
    root = ET.fromstring(data)  # noqa: S314 (our own export under test; see the module docstring)
    return [{child.tag: child.text or "" for child in block} for block in root if block.tag == "manga"]
