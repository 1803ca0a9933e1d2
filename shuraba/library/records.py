"""What a list file says, entry by entry, in shuraba's words: the readers' shared types and value checks."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shuraba.core.errors import ShurabaError
from shuraba.library.models import NOTES_MAX, SCORE_MAX, UnmatchedEntry


class ListFileError(ShurabaError):
    """A list file that cannot be imported at all; nothing was changed."""


@dataclass(frozen=True)
class ListEntry:
    """One entry of a list file, read and checked, in shuraba's words."""

    where: str  # "manga entry 3", for reports
    source: str  # the site whose ids the file uses first: mal | anilist
    mal_id: str  # "" when the file gives none
    anilist_id: str
    names: tuple[str, ...]  # the names the file gives, best first
    status: str
    chapters_read: int = 0
    volumes_read: int = 0
    score: int | None = None
    started_on: str = ""
    finished_on: str = ""
    reread_count: int = 0
    notes: str = ""
    private: bool | None = None  # None: the file does not say

    @property
    def name(self) -> str:
        return self.names[0] if self.names else ""

    @property
    def source_id(self) -> str:
        return self.mal_id if self.source == "mal" else self.anilist_id


@dataclass(frozen=True)
class Rejected:
    where: str
    name: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"where": self.where, "name": self.name, "reason": self.reason}


@dataclass(frozen=True)
class ListFile:
    format: str
    entries: tuple[ListEntry, ...]
    rejected: tuple[Rejected, ...]


class EntryRejected(ValueError):
    """One entry's value does not read; the entry is reported with this reason and the rest imports."""


# Entries in one file. A MAL export of the 20 MB limit holds about 20,000 (a block is near a kilobyte):
# a file of more is built to make the import slow, not a reading history.
ENTRIES_MAX = 50_000
COUNT_MAX = 100_000  # chapters or volumes past this are a typo, not a reading history
# Re-reads past this are a typo too, and the column is a small integer (PostgreSQL's ends at 32,767).
REREADS_MAX = 1_000
# An entry's id and name are kept on an unmatched entry: a longer one would not fit its columns.
ID_MAX = UnmatchedEntry._meta.get_field("source_id").max_length or 20
NAME_MAX = UnmatchedEntry._meta.get_field("name").max_length or 300
_MAL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def entries_count_check(count: int) -> None:
    if count > ENTRIES_MAX:
        raise ListFileError(
            f"the file holds more than {ENTRIES_MAX:,} entries; a manga list of 20,000 is already very long: "
            "check that this is one reader's list export"
        )


def count_read(raw: object, field: str, *, most: int = COUNT_MAX) -> int:
    """A count: empty is 0; MAL's "35.000" is 35; a fraction (chapter 35.5) counts the chapters done."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 0
    if isinstance(raw, bool):
        raise EntryRejected(f"{field} is {raw!r}, not a number")
    try:
        number = float(str(raw).strip())
    except ValueError as exc:
        raise EntryRejected(f"{field} is “{raw}”, not a number") from exc
    if not 0 <= number <= most:
        raise EntryRejected(f"{field} is {raw}; it must be between 0 and {most:,}")
    return int(number)


def rereads_read(raw: object, field: str) -> int:
    return count_read(raw, field, most=REREADS_MAX)


def id_read(raw: object, field: str, *, site: str) -> str:
    """A site's id for a work, as digits ("" when the file gives none, or 0)."""
    text = "" if raw is None else str(raw).strip()
    if isinstance(raw, bool) or (text and not (text.isascii() and text.isdigit())):
        raise EntryRejected(f"{field} is “{text[:40]}”; {site} ids are whole numbers")
    text = text.lstrip("0")
    if len(text) > ID_MAX:
        raise EntryRejected(f"{field} is {len(text):,} digits long; {site} ids have at most {ID_MAX}")
    return text


def names_read(names: tuple[str, ...], field: str) -> tuple[str, ...]:
    for name in names:
        if len(name) > NAME_MAX:
            raise EntryRejected(f"{field} is {len(name):,} characters; a title's name has at most {NAME_MAX}")
    return names


def score_read(raw: object, field: str) -> int | None:
    """A 1-10 score; 0 or empty means not scored. A half point (AniList's 7.5) rounds half up."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise EntryRejected(f"{field} is {raw!r}, not a score")
    try:
        number = float(str(raw).strip())
    except ValueError as exc:
        raise EntryRejected(f"{field} is “{raw}”, not a score from 0 to {SCORE_MAX}") from exc
    if not 0 <= number <= SCORE_MAX:
        raise EntryRejected(f"{field} is {raw}; scores go from 1 to {SCORE_MAX} (0 means not scored)")
    score = int(number + 0.5)
    return score or None


def partial_date(year: int | None, month: int | None, day: int | None, field: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD from parts (None or 0 unknown); a real calendar date or rejected."""
    if not year:
        if month or day:
            raise EntryRejected(f"{field} has a month or day but no year")
        return ""
    if not 1900 <= year <= 2200:
        raise EntryRejected(f"{field} has the year {year}")
    if not month:
        if day:
            raise EntryRejected(f"{field} has a day but no month")
        return f"{year:04d}"
    if not 1 <= month <= 12:
        raise EntryRejected(f"{field} has the month {month}")
    if not day:
        return f"{year:04d}-{month:02d}"
    try:
        dt.date(year, month, day)
    except ValueError as exc:
        raise EntryRejected(f"{field} is not a date ({year:04d}-{month:02d}-{day:02d}: {exc})") from exc
    return f"{year:04d}-{month:02d}-{day:02d}"


def mal_date_read(raw: str, field: str) -> str:
    """MAL's YYYY-MM-DD where unknown parts are 00 (0000-00-00 is no date)."""
    raw = raw.strip()
    if not raw:
        return ""
    found = _MAL_DATE.match(raw)
    if not found:
        raise EntryRejected(f"{field} is “{raw}”; MAL writes dates as YYYY-MM-DD, 0000-00-00 when unknown")
    year, month, day = (int(part) for part in found.groups())
    return partial_date(year, month, day, field)


def partial_date_check(raw: str, field: str) -> str:
    """A date typed by a reader or sent to the API: YYYY, YYYY-MM or YYYY-MM-DD, or empty."""
    raw = raw.strip()
    if not raw:
        return ""
    parts = raw.split("-")
    if len(parts) > 3 or not all((part.isascii() and part.isdigit()) for part in parts) or len(parts[0]) != 4:
        raise EntryRejected(f"{field} is “{raw}”; write YYYY-MM-DD, YYYY-MM or YYYY")
    numbers = [int(part) for part in parts] + [0] * (3 - len(parts))
    return partial_date(numbers[0], numbers[1], numbers[2], field)


def notes_read(raw: str, field: str) -> str:
    if "\x00" in raw:  # PostgreSQL keeps no NUL in text; no note needs one
        raise EntryRejected(f"{field} holds a NUL character (\\x00); remove it")
    text = raw.replace("\r\n", "\n").strip()
    if len(text) > NOTES_MAX:
        raise EntryRejected(f"{field} is {len(text):,} characters; notes keep up to {NOTES_MAX:,}")
    return text
