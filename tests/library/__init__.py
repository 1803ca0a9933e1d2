"""Tests of the library: list files in and out. The helpers below build MAL blocks the way MAL writes them
(every element, in MAL's order) and read a reader's library back as plain values, so that a test can say
"nothing changed" by comparing two snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shuraba.accounts.models import User
from shuraba.accounts.policies import Viewer, Visibility, visibility_of
from shuraba.catalog.models import ExternalId, Title
from shuraba.library.models import LibraryEntry, LibraryImport, UnmatchedEntry

DATA = Path(__file__).parent / "data"
ENTRY_FIELDS = (
    "status",
    "chapters_read",
    "volumes_read",
    "score",
    "started_on",
    "finished_on",
    "reread_count",
    "notes",
    "privacy",
)


def data_file(name: str) -> bytes:
    return (DATA / name).read_bytes()


def mal_manga(
    title: str,
    *,
    mal_id: int | str = 0,
    status: str = "Reading",
    read_chapters: str = "0",
    read_volumes: str = "0",
    score: str = "0",
    start: str = "0000-00-00",
    finish: str = "0000-00-00",
    times_read: str = "0",
    comments: str = "",
    rereading: str = "NO",
) -> str:
    """One `<manga>` block as MAL writes it; `title` and `comments` go in CDATA as MAL puts them."""
    return f"""\t<manga>
\t\t<manga_mangadb_id>{mal_id}</manga_mangadb_id>
\t\t<manga_title><![CDATA[{title}]]></manga_title>
\t\t<manga_volumes>0</manga_volumes>
\t\t<manga_chapters>0</manga_chapters>
\t\t<my_id>0</my_id>
\t\t<my_read_volumes>{read_volumes}</my_read_volumes>
\t\t<my_read_chapters>{read_chapters}</my_read_chapters>
\t\t<my_start_date>{start}</my_start_date>
\t\t<my_finish_date>{finish}</my_finish_date>
\t\t<my_scanalation_group><![CDATA[]]></my_scanalation_group>
\t\t<my_score>{score}</my_score>
\t\t<my_storage></my_storage>
\t\t<my_retail_volumes>0</my_retail_volumes>
\t\t<my_status>{status}</my_status>
\t\t<my_comments><![CDATA[{comments}]]></my_comments>
\t\t<my_times_read>{times_read}</my_times_read>
\t\t<my_tags><![CDATA[]]></my_tags>
\t\t<my_priority>Low</my_priority>
\t\t<my_reread_value></my_reread_value>
\t\t<my_rereading>{rereading}</my_rereading>
\t\t<my_discuss>YES</my_discuss>
\t\t<my_sns>default</my_sns>
\t\t<update_on_import>1</update_on_import>
\t</manga>
"""


def mal_anime(title: str, *, anime_id: int = 9100901) -> str:
    return f"""\t<anime>
\t\t<series_animedb_id>{anime_id}</series_animedb_id>
\t\t<series_title><![CDATA[{title}]]></series_title>
\t\t<series_type>TV</series_type>
\t\t<series_episodes>12</series_episodes>
\t\t<my_watched_episodes>12</my_watched_episodes>
\t\t<my_status>Completed</my_status>
\t</anime>
"""


def mal_list(*blocks: str, root: str = "myanimelist") -> bytes:
    """A MAL export of these blocks (its myinfo does not count them: readers must not rely on it)."""
    head = '<?xml version="1.0" encoding="UTF-8" ?>\n'
    info = "\t<myinfo>\n\t\t<user_id>4242</user_id>\n\t\t<user_export_type>2</user_export_type>\n\t</myinfo>\n"
    return f"{head}<{root}>\n{info}{''.join(blocks)}</{root}>\n".encode()


def title(slug: str) -> Title:
    return Title.objects.get(slug=slug)


def external_id_attach(slug: str, *, source: str, external_id: str) -> Title:
    found = title(slug)
    ExternalId.objects.create(title=found, source=source, external_id=external_id)
    return found


def everything_visible() -> Visibility:
    """An adult viewer's visibility: an export of their own library leaves nothing out."""
    return visibility_of(Viewer(is_adult=True))


def entries_of(user: User) -> dict[str, dict[str, object]]:
    """A reader's library: title slug -> the entry's fields."""
    rows = LibraryEntry.objects.filter(user=user).values_list("title__slug", *ENTRY_FIELDS)
    return {slug: dict(zip(ENTRY_FIELDS, values, strict=True)) for slug, *values in rows}


@dataclass(frozen=True)
class Snapshot:
    """Everything an import may write, across all readers, and one reader's library in full."""

    entries: int
    imports: int
    unmatched: int
    library: dict[str, dict[str, object]]
    touched: tuple[tuple[object, ...], ...]  # each entry's updated_at and share link
    unmatched_rows: tuple[tuple[object, ...], ...]


def snapshot(user: User) -> Snapshot:
    return Snapshot(
        entries=LibraryEntry.objects.count(),
        imports=LibraryImport.objects.count(),
        unmatched=UnmatchedEntry.objects.count(),
        library=entries_of(user),
        touched=tuple(
            LibraryEntry.objects.filter(user=user).order_by("pk").values_list("pk", "updated_at", "share_token")
        ),
        unmatched_rows=tuple(
            UnmatchedEntry.objects.filter(user=user)
            .order_by("pk")
            .values_list("pk", "name", "state", "library_import_id", "fields")
        ),
    )
