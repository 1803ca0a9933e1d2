"""The change log: catalog and taxonomy announce what they changed; in-memory copies read what changed since.

Writes are part of the writer's transaction, so a rolled-back write announces nothing. Reads of the
newest version run before every search, so they are plain SQL (no ORM query compilation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from shuraba.core.models import Change, ChangeKind

Version = tuple[int, str]  # (newest change id, its token without dashes); (0, "") for an empty log
NO_CHANGES: Version = (0, "")

_TABLE = Change._meta.db_table
NEWEST_SQL = f"SELECT id, token FROM {_TABLE} ORDER BY id DESC LIMIT 1"  # noqa: S608 (a table name from model meta)
NEWEST_OF_KIND_SQL = f"SELECT id, token FROM {_TABLE} WHERE kind = %s ORDER BY id DESC LIMIT 1"  # noqa: S608 (same)


def change_announce(*, title_id: int) -> None:
    """Announce that one title changed (created, edited or deleted)."""
    Change.objects.create(kind=ChangeKind.TITLE, title_id=title_id)


def changes_announce(*, title_ids: Iterable[int], at: dt.datetime | None = None) -> int:
    """Announce many changed titles at once (the bulk writers); return how many rows were logged."""
    when = at or timezone.now()
    rows = [Change(kind=ChangeKind.TITLE, title_id=pk, at=when) for pk in title_ids]
    Change.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def vocabulary_change_announce() -> None:
    """Announce a changed vocabulary: every reader reloads, tags and values included."""
    Change.objects.create(kind=ChangeKind.VOCABULARY, title_id=None)


def _version(sql: str, params: tuple[str, ...] = ()) -> Version:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        newest = cursor.fetchone()
    return (int(newest[0]), str(newest[1]).replace("-", "")) if newest else NO_CHANGES


def changelog_newest() -> Version:
    """The catalog's version: the newest change of any kind."""
    return _version(NEWEST_SQL)


def changelog_newest_vocabulary() -> Version:
    """The vocabulary's version: the newest change that announced a taxonomy sync."""
    return _version(NEWEST_OF_KIND_SQL, (ChangeKind.VOCABULARY.value,))


def changelog_holds(version: Version) -> bool:
    """Is this change still in the log with the same token? (Not after a rollback the reader had seen.)"""
    return version[0] == 0 or Change.objects.filter(pk=version[0], token=version[1]).exists()


@dataclass(frozen=True)
class ChangesSince:
    title_ids: tuple[int, ...]  # each changed title once, in the order first logged
    vocabulary: bool  # a vocabulary change is among them


def changelog_since(*, after: Version, upto: Version) -> ChangesSince:
    """What changed after one version up to (and including) a newer one."""
    rows = Change.objects.filter(pk__gt=after[0], pk__lte=upto[0]).order_by("pk").values_list("kind", "title_id")
    titles: dict[int, None] = {}
    vocabulary = False
    for kind, title_id in rows:
        if kind == ChangeKind.VOCABULARY:
            vocabulary = True
        elif title_id is not None:
            titles[title_id] = None
    return ChangesSince(tuple(titles), vocabulary)
