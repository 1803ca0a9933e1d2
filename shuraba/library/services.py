"""Writes to a reader's library: one entry at a time (pages, API), a whole list file (import), and the
reader's answers for entries an import could not match. Each is one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.accounts.viewers import visibility_of_account
from shuraba.catalog.models import Title
from shuraba.core.bulk import rows_insert, rows_update
from shuraba.core.errors import BadQuery
from shuraba.library.listfile import list_file_read
from shuraba.library.matching import CHUNK, Matched, entries_match
from shuraba.library.models import (
    ENTRY_FIELDS,
    LibraryEntry,
    LibraryImport,
    LibrarySettings,
    Privacy,
    Status,
    UnmatchedEntry,
    UnmatchedState,
)
from shuraba.library.records import (
    COUNT_MAX,
    REREADS_MAX,
    EntryRejected,
    ListEntry,
    Rejected,
    count_read,
    notes_read,
    partial_date_check,
    score_read,
)

EDITABLE = ENTRY_FIELDS  # what a reader may change on an entry
# What a list file says about an entry (privacy only when the file says "private").
FROM_FILE = EDITABLE[:-1]
# Empty in a file means "the file does not know": it never erases what the reader wrote here.
KEPT_WHEN_EMPTY = ("score", "started_on", "finished_on", "notes")
# Rejections an import run keeps with their reasons; past these it keeps the count and says so.
REJECTIONS_KEPT = 1_000


def _choice(value: object, field: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise EntryRejected(f"{field} is {value!r}; one of {', '.join(choices)}")
    return str(value)


def _text(value: object, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise EntryRejected(f"{field} must be text")
    return value


def _checked(field: str, value: object) -> object:
    if field == "status":
        return _choice(value, field, Status.values)
    if field == "privacy":
        return _choice(value, field, Privacy.values)
    if field == "score":
        return score_read(value, field)
    if field in ("started_on", "finished_on"):
        return partial_date_check(_text(value, field), field)
    if field == "notes":
        return notes_read(_text(value, field), field)
    return count_read(value, field, most=REREADS_MAX if field == "reread_count" else COUNT_MAX)


def entry_changes_read(data: Mapping[str, object]) -> dict[str, object]:
    """The fields given (others are left as they are), each checked; BadQuery names the first wrong one."""
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise BadQuery(unknown[0], f"not a library field; the fields are {', '.join(EDITABLE)}")
    changes: dict[str, object] = {}
    for field in EDITABLE:
        if field in data:
            try:
                changes[field] = _checked(field, data[field])
            except EntryRejected as exc:
                raise BadQuery(field, str(exc)) from exc
    return changes


def _dates_check(entry: LibraryEntry) -> None:
    if _finishes_first(entry.started_on, entry.finished_on):
        raise BadQuery("finished_on", f"{entry.finished_on} is before the start, {entry.started_on}")


def default_privacy(user: User) -> str:
    settings = LibrarySettings.objects.filter(user=user).first()
    return settings.default_privacy if settings else Privacy.PUBLIC


@transaction.atomic
def library_settings_save(*, user: User, default_privacy: str) -> LibrarySettings:
    try:
        privacy = _choice(default_privacy, "default_privacy", Privacy.values)
    except EntryRejected as exc:
        raise BadQuery("default_privacy", str(exc)) from exc
    settings, _ = LibrarySettings.objects.update_or_create(user=user, defaults={"default_privacy": privacy})
    return settings


def _new_entry(user: User, title_id: int, now: dt.datetime, privacy: str) -> LibraryEntry:
    return LibraryEntry(user=user, title_id=title_id, privacy=privacy, created_at=now, updated_at=now)


def _library_lock(user: User) -> None:
    """One write to a reader's library at a time (two tabs, or an import beside a quick add): the reader's
    row is locked for the transaction, so neither can find no entry and then insert the same one. SQLite's
    writes are serialized already (IMMEDIATE transactions); this is for PostgreSQL."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


@transaction.atomic
def entry_save(*, user: User, title: Title, changes: Mapping[str, object]) -> tuple[LibraryEntry, bool]:
    """Add the title to the reader's library or change its entry; (entry, created). A title marked
    completed without a chapter count takes the title's, when known."""
    _library_lock(user)
    now = timezone.now()
    entry = LibraryEntry.objects.filter(user=user, title=title).first()
    created = entry is None
    if entry is None:
        entry = _new_entry(user, title.pk, now, default_privacy(user))
    for field, value in changes.items():
        setattr(entry, field, value)
    # Completed with no chapter count (none sent, or the forms' 0) takes the title's, when known.
    if changes.get("status") == Status.COMPLETED and not changes.get("chapters_read") and title.chapters:
        entry.chapters_read = max(entry.chapters_read, title.chapters)
    _dates_check(entry)
    entry.updated_at = now
    entry.save()
    return entry, created


@transaction.atomic
def entry_remove(*, user: User, title: Title) -> bool:
    deleted, _ = LibraryEntry.objects.filter(user=user, title=title).delete()
    return bool(deleted)


# --- import -----------------------------------------------------------------------------------------


# An entry as the import handles it: its stored values (`pk` too, for an existing one), or a new one's.
Values = dict[str, Any]
CREATE_FIELDS = ("user_id", "title_id", *FROM_FILE, "privacy", "created_at", "updated_at")
UPDATE_FIELDS = (*FROM_FILE, "privacy", "updated_at")
UNMATCHED_FIELDS = ("library_import_id", "fields", "state", "title_id")


def _finishes_first(started: str, finished: str) -> bool:
    """Partial dates compare at the finish's precision: 2024-03 does not finish before 2024-03-15."""
    return bool(started and finished and finished < started[: len(finished)])


def _finishes_first_said(started: str, finished: str) -> str:
    return f"finishes ({finished}) before it starts ({started})"


def _from_file(entry: Values, record: ListEntry, *, fresh: bool) -> bool:
    """Apply a file's entry to an entry's values; whether anything changed."""
    changed = False
    for field in FROM_FILE:
        value = getattr(record, field)
        if not fresh and field in KEPT_WHEN_EMPTY and value in ("", None):
            continue
        if entry[field] != value:
            entry[field] = value
            changed = True
    if record.private and entry["privacy"] != Privacy.PRIVATE:
        entry["privacy"], changed = Privacy.PRIVATE, True
    if _finishes_first(entry["started_on"], entry["finished_on"]):
        raise EntryRejected(_finishes_first_said(entry["started_on"], entry["finished_on"]))
    return changed


def _values_of(entry: LibraryEntry) -> Values:
    return {field: getattr(entry, field) for field in (*FROM_FILE, "privacy")}


def _fresh(title_id: int, privacy: str) -> Values:
    """A new entry's values: `_from_file(fresh=True)` sets every field a file gives."""
    return {"title_id": title_id, **dict.fromkeys(FROM_FILE), "privacy": privacy}


@dataclasses.dataclass
class _Outcome:
    create: list[Values] = dataclasses.field(default_factory=list)
    update: list[Values] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    unmatched: list[Matched] = dataclasses.field(default_factory=list)
    rejected: list[Rejected] = dataclasses.field(default_factory=list)


def _existing(user: User, title_ids: Sequence[int]) -> dict[int, Values]:
    found: dict[int, Values] = {}
    for start in range(0, len(title_ids), CHUNK):
        rows = LibraryEntry.objects.filter(user=user, title_id__in=title_ids[start : start + CHUNK])
        found.update((row["title_id"], row) for row in rows.values("pk", "title_id", *FROM_FILE, "privacy"))
    return found


def _unmatched_sort(one: Matched, outcome: _Outcome, first: dict[tuple[str, str, str], str]) -> None:
    """An unmatched entry is kept once per key: a second in the file is rejected, so the report adds up."""
    record, key = one.entry, _unmatched_key(one.entry)
    if _finishes_first(record.started_on, record.finished_on):  # kept, it could never be resolved
        reason = _finishes_first_said(record.started_on, record.finished_on)
        outcome.rejected.append(Rejected(record.where, record.name, reason))
    elif key in first:
        outcome.rejected.append(Rejected(record.where, record.name, f"the same entry as {first[key]}"))
    else:
        first[key] = record.where
        outcome.unmatched.append(one)


def _sorted_out(user: User, matched: Iterable[Matched], outcome: _Outcome) -> None:
    matched = list(matched)
    existing = _existing(user, sorted({m.title_id for m in matched if m.title_id is not None}))
    privacy = default_privacy(user)
    first: dict[int, str] = {}
    first_unmatched: dict[tuple[str, str, str], str] = {}
    for one in matched:
        record = one.entry
        if one.title_id is None:
            _unmatched_sort(one, outcome, first_unmatched)
            continue
        if one.title_id in first:
            outcome.rejected.append(Rejected(record.where, record.name, f"the same title as {first[one.title_id]}"))
            continue
        first[one.title_id] = record.where
        entry = existing.get(one.title_id)
        fresh = entry is None
        entry = _fresh(one.title_id, privacy) if entry is None else entry
        try:
            changed = _from_file(entry, record, fresh=fresh)
        except EntryRejected as exc:
            outcome.rejected.append(Rejected(record.where, record.name, str(exc)))
            continue
        if fresh:
            outcome.create.append(entry)
        elif changed:
            outcome.update.append(entry)
        else:
            outcome.unchanged += 1


def _unmatched_key(record: ListEntry) -> tuple[str, str, str]:
    return (record.source, record.source_id, record.name)


def _unmatched_key_of(row: UnmatchedEntry) -> tuple[str, str, str]:
    return (row.source, row.source_id, row.name)


def _unmatched_settle(user: User, matched: Sequence[Matched]) -> None:
    """An entry still waiting for the reader that matches now (the catalog gained its title or its id)
    waits no more: it is in the library."""
    keys = {_unmatched_key(one.entry) for one in matched if one.title_id is not None}
    waiting = UnmatchedEntry.objects.filter(user=user, state=UnmatchedState.OPEN, source__in={k[0] for k in keys})
    settled = [row.pk for row in waiting.only("source", "source_id", "name") if _unmatched_key_of(row) in keys]
    for start in range(0, len(settled), CHUNK):
        UnmatchedEntry.objects.filter(pk__in=settled[start : start + CHUNK]).delete()


def _entries_write(user: User, outcome: _Outcome, now: dt.datetime) -> None:
    """One INSERT and one UPDATE statement (core/bulk.py): bulk_create and bulk_update prepared every value
    through the SQL compiler and wrote a CASE per field and row, most of a 5,000-entry import's time."""
    values = [*FROM_FILE, "privacy"]
    created = ((user.pk, e["title_id"], *(e[f] for f in values), now, now) for e in outcome.create)
    rows_insert(LibraryEntry, CREATE_FIELDS, created)  # share_token: the field's default, one per row
    rows_update(LibraryEntry, UPDATE_FIELDS, ((e["pk"], *(e[f] for f in values), now) for e in outcome.update))


def _unmatched_keep(user: User, run: LibraryImport, unmatched: Sequence[Matched]) -> None:
    """Keep the entries nothing matched, once each per reader (`_sorted_out` let each key in once): a
    re-import refreshes them."""
    rows = UnmatchedEntry.objects.filter(user=user, source__in={m.entry.source for m in unmatched})
    known: dict[tuple[str, str, str], tuple[int, str, int | None]] = {
        (source, source_id, name): (pk, state, title_id)
        for pk, source, source_id, name, state, title_id in rows.values_list(
            "pk", "source", "source_id", "name", "state", "title_id"
        )
    }
    create: list[tuple[Any, ...]] = []
    update: list[tuple[Any, ...]] = []
    for one in unmatched:
        record, key = one.entry, _unmatched_key(one.entry)
        fields = {**dataclasses.asdict(record), "candidates": list(one.candidates)}
        if key not in known:
            create.append((user.pk, *key, run.pk, fields, UnmatchedState.OPEN, None))
            continue
        pk, state, title_id = known[key]
        if state == UnmatchedState.RESOLVED:  # its title was deleted since
            state, title_id = UnmatchedState.OPEN, None
        update.append((pk, run.pk, fields, state, title_id))
    rows_insert(UnmatchedEntry, ("user_id", "source", "source_id", "name", *UNMATCHED_FIELDS), create)
    rows_update(UnmatchedEntry, UNMATCHED_FIELDS, update)


def _left_out(user: User, unmatched: Sequence[Matched]) -> int:
    """How many of the file's unmatched entries the reader has left out (they count as unchanged)."""
    rows = UnmatchedEntry.objects.filter(user=user, state=UnmatchedState.LEFT)
    left = {_unmatched_key_of(row) for row in rows.only("source", "source_id", "name")}
    return sum(_unmatched_key(one.entry) in left for one in unmatched) if left else 0


def _rejections(rejected: Sequence[Rejected]) -> list[dict[str, str]]:
    kept = [one.as_json() for one in rejected[:REJECTIONS_KEPT]]
    if len(rejected) > REJECTIONS_KEPT:
        more = len(rejected) - REJECTIONS_KEPT
        reason = f"{more:,} more entries were rejected; the first {REJECTIONS_KEPT:,} are listed with their reasons"
        kept.append(Rejected(f"after {rejected[REJECTIONS_KEPT - 1].where}", "", reason).as_json())
    return kept


def _behind_the_gate(user: User, matched: list[Matched]) -> list[Matched]:
    """Matching decided as if the titles behind the reader's age gate did not exist (an import must not
    tell who may not see a title that it exists): a match with one stays unmatched, the title kept as its
    candidate (offered once 18+ is confirmed), and a name two titles bear matches the one the reader may
    see when the other is behind the gate. A title already in the reader's library is theirs to update."""
    visibility = visibility_of_account(user)
    if visibility.shown_ratings is None:
        return matched
    ids = sorted({pk for m in matched for pk in (m.title_id, *m.candidates) if pk is not None})
    ratings: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        ratings.update(Title.objects.filter(pk__in=ids[start : start + CHUNK]).values_list("pk", "content_rating"))
    gated = {pk for pk, rating in ratings.items() if not visibility.rating_shown(rating)}
    if gated:
        gated -= set(LibraryEntry.objects.filter(user=user, title_id__in=gated).values_list("title_id", flat=True))
    return [_ungated(one, gated) for one in matched] if gated else matched


def _ungated(one: Matched, gated: set[int]) -> Matched:
    if one.title_id in gated:
        return Matched(one.entry, None, "", (one.title_id,))
    shown = [pk for pk in one.candidates if pk not in gated]
    if one.title_id is None and len(shown) == 1 and len(one.candidates) > 1:
        return Matched(one.entry, shown[0], "name", one.candidates)
    return one


@transaction.atomic
def library_import(*, user: User, data: bytes, filename: str = "") -> LibraryImport:
    """Import a MAL XML (plain or gzipped) or AniList JSON list: all of it or, when the file itself does
    not read (ListFileError), nothing. Entries that do not read are rejected one by one with reasons."""
    listfile = list_file_read(data)
    _library_lock(user)
    now = timezone.now()
    outcome = _Outcome(rejected=list(listfile.rejected))
    matched = _behind_the_gate(user, entries_match(user_id=user.pk, entries=listfile.entries))
    _sorted_out(user, matched, outcome)
    left = _left_out(user, outcome.unmatched)  # the reader said so before: nothing to do, nothing waits
    run = LibraryImport.objects.create(
        user=user,
        at=now,
        format=listfile.format,
        filename=filename[:200],
        created=len(outcome.create),
        updated=len(outcome.update),
        unchanged=outcome.unchanged + left,
        unmatched=len(outcome.unmatched) - left,
        rejected=len(outcome.rejected),
        rejections=_rejections(outcome.rejected),
    )
    _entries_write(user, outcome, now)
    _unmatched_settle(user, matched)
    _unmatched_keep(user, run, outcome.unmatched)
    return run


# --- unmatched entries ------------------------------------------------------------------------------


def _record(row: UnmatchedEntry) -> ListEntry:
    known = {field.name for field in dataclasses.fields(ListEntry)}
    fields: dict[str, Any] = {k: v for k, v in row.fields.items() if k in known}
    return ListEntry(**{**fields, "names": tuple(fields.get("names", ()))})


@transaction.atomic
def unmatched_resolve(*, user: User, unmatched_id: int, title: Title) -> LibraryEntry:
    """The reader says which title an unmatched entry is: the entry joins the library (merged into an
    entry the title already has) and the answer is remembered for the next import."""
    _library_lock(user)
    row = UnmatchedEntry.objects.select_for_update().get(user=user, pk=unmatched_id, state=UnmatchedState.OPEN)
    now = timezone.now()
    entry = LibraryEntry.objects.filter(user=user, title=title).first()
    fresh = entry is None
    if entry is None:
        entry = _new_entry(user, title.pk, now, default_privacy(user))
    values = _values_of(entry)
    try:
        _from_file(values, _record(row), fresh=fresh)
    except EntryRejected as exc:
        raise BadQuery("title", str(exc)) from exc
    for field, value in values.items():
        setattr(entry, field, value)
    entry.updated_at = now
    entry.save()
    row.state, row.title = UnmatchedState.RESOLVED, title
    row.save(update_fields=["state", "title"])
    return entry


@transaction.atomic
def unmatched_leave(*, user: User, unmatched_id: int) -> None:
    rows = UnmatchedEntry.objects.filter(user=user, pk=unmatched_id, state=UnmatchedState.OPEN)
    updated = rows.update(state=UnmatchedState.LEFT, title=None)
    if not updated:
        raise UnmatchedEntry.DoesNotExist
