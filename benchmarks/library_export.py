"""A seeded, plainly synthetic MyAnimeList manga list export against a benchmark catalog (issue 12's
import benchmark and the library page's reader).

The file is what MAL's "Export" writes (`<myanimelist>`, `<myinfo>`, one `<manga>` block per entry, titles
and comments in CDATA, dates as YYYY-MM-DD with 00 for the unknown parts, score 0 for unscored), drawn
with a fixed seed from the catalog at hand: most entries carry the MAL id the catalog knows for the
title, some carry id 0 and one of the title's exact names (or an id the catalog does not know and an
exact name), and some match nothing (an unknown id or id 0, and a name no title bears). Every status,
re-reads, scores, partial dates, and notes of every length, Japanese and emoji included.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace

# Of the entries: matched by MAL id, by name (id 0, or an id the catalog lacks: ~1 in 5), matching nothing.
SHARES = {"mal id": 0.85, "name": 0.10, "nothing": 0.05}
UNKNOWN_MAL = 90_000_000  # MAL ids from here up are never in a benchmark catalog
STATUSES = (
    ("Reading", 15),
    ("Completed", 45),
    ("On-Hold", 8),
    ("Dropped", 7),
    ("Plan to Read", 22),
    ("rereading", 3),  # MAL's "Reading" with <my_rereading>YES
)
SCORES = ((0, 35), (4, 2), (5, 4), (6, 8), (7, 16), (8, 17), (9, 11), (10, 7))
NOTE_WORDS = (
    "Synthetic note:",
    "the festival arc",
    "re-read before the sequel",
    "chapter 40 & after",
    "<spoiler> the letter",
    "best side cast",
    "slow start, worth it",
    "祭りの章",
    "もう一度読む",
    "💔",
    "art gets better",
    "dropped at the time skip",
)


@dataclass(frozen=True)
class CatalogTitle:
    """What the generator needs of one catalog title."""

    pk: int
    names: tuple[str, ...]  # the title first, then its alternative titles
    chapters: int | None
    volumes: int | None
    mal_id: str


@dataclass(frozen=True)
class ExportRow:
    """One `<manga>` block, as MAL spells it."""

    kind: str  # mal id | name | nothing: how the import should match it
    pk: int | None  # the catalog title it stands for (None: nothing)
    mal_id: str
    name: str
    volumes: int
    chapters: int
    status: str
    rereading: bool
    read_volumes: int
    read_chapters: int
    start: str
    finish: str
    score: int
    times_read: int
    comments: str


def _pick(rng: random.Random, weighted: tuple[tuple[object, int], ...]) -> object:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _date(rng: random.Random, year_from: int) -> tuple[str, tuple[int, int, int]]:
    """A MAL date with a day (60 %), a month only (15 %), a year only (10 %) or none (15 %)."""
    year, month, day = rng.randint(year_from, 2025), rng.randint(1, 12), rng.randint(1, 28)
    roll = rng.random()
    if roll < 0.15:
        return "0000-00-00", (0, 0, 0)
    if roll < 0.25:
        return f"{year:04d}-00-00", (year, 0, 0)
    if roll < 0.40:
        return f"{year:04d}-{month:02d}-00", (year, month, 0)
    return f"{year:04d}-{month:02d}-{day:02d}", (year, month, day)


def _finish_after(rng: random.Random, start: tuple[int, int, int]) -> str:
    year = start[0] or rng.randint(2008, 2024)
    later = min(2025, year + int(rng.expovariate(1.0)))
    if start[1] and later == year:
        return f"{later:04d}-{min(12, start[1] + rng.randint(0, 2)):02d}-{28:02d}"
    return (
        f"{later:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.8 else f"{later:04d}-00-00"
    )


def _comments(rng: random.Random) -> str:
    """No note (82 %), a short one, or a long one (2 %: about 1,500 characters)."""
    roll = rng.random()
    if roll < 0.82:
        return ""
    words = rng.randint(60, 100) * 3 if roll > 0.98 else rng.randint(2, 12)
    return " ".join(rng.choice(NOTE_WORDS) for _ in range(words))


def _row(kind: str, title: CatalogTitle | None, number: int, rng: random.Random) -> ExportRow:
    status = str(_pick(rng, STATUSES))
    chapters = (title.chapters or 0) if title else rng.randint(0, 120)
    volumes = (title.volumes or 0) if title else 0
    started, parts = _date(rng, 2005)
    finish = "0000-00-00"
    if status == "Completed":
        read_chapters = chapters or rng.randint(5, 200)
        finish = _finish_after(rng, parts)
    elif status == "Plan to Read":
        read_chapters, started = 0, "0000-00-00"
    else:
        read_chapters = rng.randint(1, max(1, chapters or 150))
        finish = _finish_after(rng, parts) if status == "Dropped" and rng.random() < 0.5 else finish
    if kind == "mal id" and title:
        mal_id, name = title.mal_id, title.names[0]
    elif kind == "name" and title:
        mal_id = str(UNKNOWN_MAL + number) if rng.random() < 0.2 else "0"
        name = title.names[0] if rng.random() < 0.5 else rng.choice(title.names)
    else:
        mal_id = str(UNKNOWN_MAL + number) if rng.random() < 0.5 else "0"
        name = f"Unlisted Synthetic Work {number:05d}"
    return ExportRow(
        kind=kind,
        pk=title.pk if title else None,
        mal_id=mal_id,
        name=name,
        volumes=volumes,
        chapters=chapters,
        status="Reading" if status == "rereading" else status,
        rereading=status == "rereading",
        read_volumes=min(volumes, read_chapters // 8) if volumes else 0,
        read_chapters=read_chapters,
        start=started,
        finish=finish,
        score=0 if status == "Plan to Read" else int(_pick(rng, SCORES)),  # type: ignore[call-overload]
        times_read=rng.choice((1, 1, 2, 3)) if status == "rereading" else (1 if rng.random() < 0.04 else 0),
        comments=_comments(rng),
    )


def export_rows(titles: list[CatalogTitle], entries: int, *, seed: int, shares: dict[str, float]) -> list[ExportRow]:
    """`entries` rows over distinct titles (the `titles` given, in a seeded order), kinds in `shares`."""
    rng = random.Random(f"{seed}:library-export")  # noqa: S311 (reproducible data, not a secret)
    kinds = [k for k, share in shares.items() for _ in range(round(share * entries))]
    kinds = (kinds + ["mal id"] * entries)[:entries]
    rng.shuffle(kinds)
    wanted = sum(kind != "nothing" for kind in kinds)
    if wanted > len(titles):
        raise SystemExit(f"the catalog has {len(titles):,} titles; {wanted:,} entries need as many")
    picked = iter(rng.sample(titles, wanted))
    return [_row(kind, next(picked) if kind != "nothing" else None, n, rng) for n, kind in enumerate(kinds, 1)]


def _changed(row: ExportRow, what: int, rng: random.Random) -> ExportRow:
    if what == 0:
        return replace(row, read_chapters=row.read_chapters + rng.randint(1, 12))
    if what == 1:
        status = "Completed" if row.status != "Completed" else "Dropped"
        start = "2025-01-00" if row.start == "0000-00-00" else row.start
        return replace(row, status=status, rereading=False, start=start, finish="2025-12-31")
    if what == 2:
        return replace(row, score=row.score % 10 + 1)
    return replace(row, comments=(row.comments + " Synthetic note: changed my mind.").strip())


def rows_changed(rows: list[ExportRow], share: float, *, seed: int) -> tuple[list[ExportRow], int]:
    """The same list with `share` of its matched entries changed as a reader changes them between two
    exports (more chapters, a new status, a new score, a note); how many changed."""
    rng = random.Random(f"{seed}:library-changes")  # noqa: S311 (reproducible data, not a secret)
    matched = [n for n, row in enumerate(rows) if row.kind != "nothing"]
    chosen = set(rng.sample(matched, round(share * len(matched))))
    out = [_changed(row, n % 4, rng) if n in chosen else row for n, row in enumerate(rows)]
    return out, len(chosen)


def _cdata(text: str) -> str:
    return f"<![CDATA[{text}]]>"


def _block(row: ExportRow) -> str:
    fields = (
        ("manga_mangadb_id", row.mal_id),
        ("manga_title", _cdata(row.name)),
        ("manga_volumes", row.volumes),
        ("manga_chapters", row.chapters),
        ("my_id", 0),
        ("my_read_volumes", row.read_volumes),
        ("my_read_chapters", row.read_chapters),
        ("my_start_date", row.start),
        ("my_finish_date", row.finish),
        ("my_scanalation_group", _cdata("")),
        ("my_score", row.score),
        ("my_storage", ""),
        ("my_retail_volumes", 0),
        ("my_status", row.status),
        ("my_comments", _cdata(row.comments)),
        ("my_times_read", row.times_read),
        ("my_tags", _cdata("")),
        ("my_priority", "Low"),
        ("my_reread_value", ""),
        ("my_rereading", "YES" if row.rereading else "NO"),
        ("my_discuss", "YES"),
        ("my_sns", "default"),
        ("update_on_import", 0),
    )
    return "\t<manga>\n" + "".join(f"\t\t<{k}>{v}</{k}>\n" for k, v in fields) + "\t</manga>\n"


def export_xml(rows: list[ExportRow], *, user_name: str = "synthetic-reader") -> bytes:
    statuses = Counter("Reading" if row.rereading else row.status for row in rows)
    info = (
        ("user_id", 0),
        ("user_name", user_name),
        ("user_export_type", 2),
        ("user_total_manga", len(rows)),
        ("user_total_reading", statuses["Reading"]),
        ("user_total_completed", statuses["Completed"]),
        ("user_total_onhold", statuses["On-Hold"]),
        ("user_total_dropped", statuses["Dropped"]),
        ("user_total_plantoread", statuses["Plan to Read"]),
    )
    head = '<?xml version="1.0" encoding="UTF-8" ?>\n\t\t<!--\n\t\t Created by XML Export feature at MyAnimeList.net\n'
    head += "\t\t Synthetic: made by benchmarks/library_export.py\n\t\t-->\n\n\t\t<myanimelist>\n\n\t\t\t<myinfo>\n"
    head += "".join(f"\t\t\t\t<{k}>{v}</{k}>\n" for k, v in info) + "\t\t\t</myinfo>\n\n"
    return (head + "".join(_block(row) for row in rows) + "</myanimelist>\n").encode("utf-8")
