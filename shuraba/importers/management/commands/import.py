# ruff: noqa: N999 (Django names a command after its module, and the command is `shuraba import`)
"""`shuraba import <source> [filters] [--since DATE] [--limit N] [--dry-run]` and `shuraba import file PATH`.

Thin: parse arguments, build the HTTP client, call one run service, draw the progress bar and the report.
Exit codes (docs/importers.md): 0 every row imported (or queued for an editor's review), 1 some rows
rejected and listed, 2 the run could not start, 3 the run stopped partway (rerun to resume).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from shuraba.core.errors import ShurabaError
from shuraba.importers.files import FILE_KINDS, SOURCE_NAMES, FileRejected, FileSource, adapter_load, file_open
from shuraba.importers.models import ImportRun
from shuraba.importers.runs import EXIT_NOT_STARTED, EXIT_STOPPED, RunOutcome, file_import, http_client, source_import

SHOWN_ERRORS = 50


def _since(text: str) -> dt.date:
    """--since 2020 or --since 2020-04-01."""
    try:
        return dt.date(int(text), 1, 1) if text.isdigit() and len(text) == 4 else dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year (2020) or a date (2020-04-01)") from exc


def _flag(text: str) -> bool:
    if text.lower() in {"true", "yes", "1"}:
        return True
    if text.lower() in {"false", "no", "0"}:
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not true or false")


def _limit(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of 0 or more")
    return int(text)


def _many(kind: type) -> Callable[[str], list[Any]]:
    """A repeatable filter; whole numbers may also come comma-separated (--ids 1,2,3)."""

    def convert(text: str) -> list[Any]:
        parts = [p.strip() for p in text.split(",")] if kind is int else [text]
        try:
            return [kind(p) for p in parts if p]
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{text!r} is not a list of whole numbers") from exc

    return convert


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=_limit, metavar="N", help="stop after N rows")
    parser.add_argument(
        "--dry-run", action="store_true", help="run everything, write nothing, report what would change"
    )
    parser.add_argument("--no-suggest", action="store_true", help="do not queue classification suggestions")


def _source_parser(subparsers: Any, name: str) -> None:
    try:
        adapter: Any = adapter_load(name)
    except FileRejected:
        sub = subparsers.add_parser(name, help=f"{name} (adapter not installed)")
        sub.set_defaults(filter_names=[], missing=True)
        return
    sub = subparsers.add_parser(name, help=f"import from {getattr(adapter, 'label', name)}")
    names = []
    for spec in getattr(adapter, "filters", ()):
        flags = [f"--{spec.name.replace('_', '-')}"] + ([f"--{spec.name.replace('_', '-')}s"] if spec.many else [])
        kind = _flag if spec.kind is bool else spec.kind
        if spec.many:
            sub.add_argument(
                *flags,
                dest=f"f_{spec.name}",
                metavar=spec.name.upper(),
                type=_many(spec.kind),
                action="append",
                help=f"{spec.help} (repeatable)",
            )
        else:
            sub.add_argument(*flags, dest=f"f_{spec.name}", metavar=spec.name.upper(), type=kind, help=spec.help)
        names.append(spec.name)
    sub.add_argument(
        "--since", type=_since, metavar="DATE", help="only works that started on or after DATE (2020 or 2020-04-01)"
    )
    _common(sub)
    sub.set_defaults(filter_names=names)


def _filters(options: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in options.get("filter_names", []):
        value = options.get(f"f_{name}")
        if isinstance(value, list):
            value = [v for part in value for v in part]
        if value not in (None, []):
            result[name] = value
    return result


class Command(BaseCommand):
    help = "Import titles from AniList, MangaDex, MangaUpdates, Jikan (MyAnimeList) or a file. See docs/importers.md."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(
            dest="source", required=True, metavar="{file,anilist,mangadex,mangaupdates,jikan}"
        )
        kinds = "; ".join(FILE_KINDS.values())
        file_parser = subparsers.add_parser(
            "file", help="import a file; its kind is read from its content", epilog=f"Kinds: {kinds}."
        )
        file_parser.add_argument("path", type=Path, help="the file to import")
        _common(file_parser)
        file_parser.set_defaults(filter_names=[])
        for name in SOURCE_NAMES:
            _source_parser(subparsers, name)

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast("IO[str]", self.stdout), highlight=False, soft_wrap=True)
        self.stderr.style_func = None  # rich draws the bar in its own colours; Django would paint stderr red
        try:
            outcome = self._run(options)
        except ShurabaError as exc:
            raise CommandError(f"{exc} (nothing was imported)", returncode=EXIT_NOT_STARTED) from exc
        except DatabaseError as exc:
            message = f"the database refused: {exc}. Is it migrated (`shuraba migrate`)? Committed chunks stay; rerun"
            raise CommandError(f"{message} to resume.", returncode=EXIT_STOPPED) from exc
        _report(console, outcome)
        if outcome.exit_code:
            message = outcome.stopped or f"{outcome.run.rejected} row(s) were rejected (listed above)"
            raise CommandError(message, returncode=outcome.exit_code)

    def _run(self, options: Mapping[str, Any]) -> RunOutcome:
        command = " ".join(["shuraba", *sys.argv[1:]]) if sys.argv[1:2] == ["import"] else f"import {options['source']}"
        common = {"dry_run": options["dry_run"], "limit": options["limit"], "command": command}
        common["suggest"] = not options["no_suggest"]
        if options["source"] == "file":
            source = file_open(options["path"])
            with _progress(self.stderr, source) as progress:
                return file_import(path=source, progress=progress, **common)
        if options.get("missing"):
            raise FileRejected(f"the {options['source']} adapter is not installed (shuraba.importers.sources)")
        with http_client() as client, _progress(self.stderr, None) as progress:
            return source_import(
                name=options["source"],
                client=client,
                filters=_filters(options),
                since=options.get("since"),
                progress=progress,
                **common,
            )


class _progress:  # noqa: N801 (a context manager used like a function)
    """A rich progress bar on stderr: bytes for a file, rows for a source; silent when stderr is not a terminal."""

    def __init__(self, stream: Any, source: FileSource | None) -> None:
        self.console = Console(file=stream, stderr=True)
        self.total = source.path.stat().st_size if source is not None and source.document is None else None
        columns = [TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[counts]}")]
        self.bar = Progress(*columns, TimeElapsedColumn(), console=self.console, disable=not self.console.is_terminal)
        self.task: TaskID | None = None

    def __enter__(self) -> Callable[[ImportRun, Mapping[str, Any] | None], None]:
        self.bar.start()
        self.task = self.bar.add_task("importing", total=self.total, counts="")
        return self.update

    def update(self, run: ImportRun, checkpoint: Mapping[str, Any] | None) -> None:
        counts = f"{run.created} new · {run.updated} updated · {run.unchanged} same · {run.rejected} rejected"
        done = (checkpoint or {}).get("offset") if self.total else None
        if self.task is not None:
            self.bar.update(self.task, completed=done, counts=counts)

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def _report(console: Console, outcome: RunOutcome) -> None:
    run = outcome.run
    rows = run.created + run.updated + run.unchanged
    rate = f", {rows / outcome.elapsed:,.0f} rows/s" if outcome.elapsed > 0 and rows else ""
    label = "dry run (nothing was written)" if run.dry_run else f"import run #{run.pk}"
    resumed = " — resumed from its checkpoint; counts include the earlier part" if outcome.resumed else ""
    console.print(f"{label}: {run.source} {run.status} in {outcome.elapsed:.1f} s{rate}{resumed}")
    for name, value in (
        ("created", run.created),
        ("updated", run.updated),
        ("unchanged", run.unchanged),
        ("rejected", run.rejected),
        ("match reviews queued", run.reviews),
        ("suggestions queued", run.suggestions),
    ):
        console.print(f"  {name:<22}{value:>8,}")
    errors = outcome.this_run.errors
    if errors:
        console.print("rejected rows:")
        for error in errors[:SHOWN_ERRORS]:
            console.print(f"  {error.where}: {error.reason}", markup=False)
        if len(errors) > SHOWN_ERRORS:
            where = "in the admin (Import runs)" if run.pk else "by rerunning without --dry-run"
            console.print(f"  … and {len(errors) - SHOWN_ERRORS} more, listed {where}")
    if outcome.stopped:
        console.print(f"stopped: {outcome.stopped}", markup=False)
