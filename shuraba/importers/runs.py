"""Import runs: start or resume, feed chunks through `chunk_import`, stop cleanly, say how it went.

A run is keyed by its source and filters (a file's are its path and content hash). A run that did not
finish (killed, or stopped by a source outage) is resumed by the next run with the same key, from the
checkpoint stored in the same transaction as its last committed chunk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuraba.core.errors import ShurabaError
from shuraba.importers import mapping
from shuraba.importers.facts import Mapper
from shuraba.importers.files import CHUNK, FileSource, adapter_load, entries_read, file_open, terms_read
from shuraba.importers.models import ImportRun, RunStatus
from shuraba.importers.records import RowError, SourceAdapter, SourceRecord
from shuraba.importers.services import ChunkReport, Entry, ImportContext, chunk_import, source_terms_upsert
from shuraba.importers.suggest import Suggester
from shuraba.taxonomy.models import Tag

USER_AGENT = "shuraba/0.1 (+contact in docs)"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# exit codes of `shuraba import` (docs/importers.md)
EXIT_OK, EXIT_REJECTED, EXIT_NOT_STARTED, EXIT_STOPPED = 0, 1, 2, 3
Progress = Callable[[ImportRun, Mapping[str, Any] | None], None]


def http_client() -> httpx.Client:
    """The one HTTP client of a run: a real User-Agent (MangaDex requires one), timeouts, no proxies' Via."""
    return httpx.Client(headers={"User-Agent": USER_AGENT}, timeout=TIMEOUT, follow_redirects=True)


@dataclass
class RunOutcome:
    run: ImportRun
    resumed: bool
    elapsed: float
    this_run: ChunkReport = field(default_factory=ChunkReport)
    stopped: str = ""

    @property
    def exit_code(self) -> int:
        if self.stopped:
            return EXIT_STOPPED
        return EXIT_REJECTED if self.run.rejected else EXIT_OK


def resume_key(source: str, filters: Mapping[str, Any]) -> str:
    canonical = json.dumps({"source": source, "filters": filters}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


LEASE = dt.timedelta(minutes=15)  # a run on another machine with no committed chunk for this long is abandoned


class RunBusy(ShurabaError):
    """Another process is running the same import."""


def process_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def run_abandoned(run: ImportRun, *, now: dt.datetime | None = None) -> bool:
    """May this process take the unfinished run over? Yes when it stopped, when it is this process's own,
    when its process is gone (same machine), or when it made no progress for LEASE (another machine, or a
    process id that a restart gave to some other program)."""
    if run.status != RunStatus.RUNNING or not run.holder or run.holder == process_holder():
        return True
    host, _, pid = run.holder.rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid)):
        return True
    return run.heartbeat_at is None or (now or timezone.now()) - run.heartbeat_at > LEASE


def _busy(run: ImportRun) -> RunBusy:
    progress = f"last progress {run.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC" if run.heartbeat_at else "no progress yet"
    return RunBusy(
        f"import run #{run.pk} with the same source and filters is running in process {run.holder or '?'} "
        f"({progress}); wait for it to finish, or stop it and rerun to resume it"
    )


def run_begin(*, source: str, filters: Mapping[str, Any], command: str, dry_run: bool) -> tuple[ImportRun, bool]:
    """The unfinished run with the same source and filters, or a new one; raises RunBusy while another live
    process holds it (a partial unique index keeps two from claiming at once). A dry run is never stored."""
    key = resume_key(source, filters)
    run = ImportRun(source=source, command=command[:500], filters=dict(filters), resume_key=key, dry_run=dry_run)
    if dry_run:
        return run, False
    try:
        with transaction.atomic():
            unfinished = (
                ImportRun.objects.select_for_update()
                .filter(resume_key=key, status__in=[RunStatus.RUNNING, RunStatus.FAILED], dry_run=False)
                .first()
            )
            if unfinished is not None and not run_abandoned(unfinished):
                raise _busy(unfinished)
            claimed = unfinished or run
            claimed.status, claimed.message = RunStatus.RUNNING, ""
            claimed.holder, claimed.heartbeat_at = process_holder(), timezone.now()
            claimed.save()
    except IntegrityError:  # another process claimed a run with this key between our read and our write
        raise _busy(ImportRun.objects.filter(resume_key=key, status=RunStatus.RUNNING).first() or run) from None
    return claimed, unfinished is not None


def run_end(run: ImportRun, *, status: str, message: str = "") -> None:
    run.status, run.message, run.finished_at = status, message[:300], timezone.now()
    if not run.dry_run:
        run.save(update_fields=["status", "message", "finished_at"])


def _limited(chunks: Iterable[tuple[list[Entry], dict[str, Any]]], limit: int | None) -> Iterable[Any]:
    left = limit
    for entries, checkpoint in chunks:
        if left is not None and left <= 0:
            return
        taken = entries if left is None else entries[:left]
        if left is not None:
            left -= len(taken)
        yield taken, checkpoint


class VocabularyMissing(ShurabaError):
    """The database lacks tags the alias table maps onto: its vocabulary was never synced."""


def vocabulary_check(mapper: Mapper | None) -> None:
    """Stop before the first row when the database lacks tags that the alias table maps onto (after a bare
    `shuraba migrate`, before `taxonomy_sync`): every row would be rejected for the same reason. A mapper
    of the caller's own is checked row by row only."""
    if mapper is not None:
        return
    wanted = {alias.tag for alias in mapping.alias_table().aliases if alias.tag}
    have = set(Tag.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    missing = sorted(wanted - have)
    if missing:
        example = ", ".join(repr(slug) for slug in missing[:3])
        raise VocabularyMissing(
            f"the database holds {len(have)} of the {len(wanted)} tags the alias table maps onto (missing: "
            f"{example}{', ...' if len(missing) > 3 else ''}): its tag vocabulary was never synced. Run "
            "`shuraba setup` (or `shuraba taxonomy_sync`) first"
        )


def _context(run: ImportRun, mapper: Mapper | None, *, suggest: bool) -> ImportContext:
    suggester = Suggester.train() if suggest else None
    return ImportContext.build(run=run, mapper=mapper or mapping.record_map, suggester=suggester)


def run_chunks(
    *,
    context: ImportContext,
    chunks: Iterable[tuple[list[Entry], dict[str, Any]]],
    outcome: RunOutcome,
    progress: Progress | None = None,
) -> None:
    """Feed chunks through the pipeline; a source outage or network failure stops the run, resumable."""
    try:
        for entries, checkpoint in chunks:
            outcome.this_run.add(chunk_import(context=context, entries=entries, checkpoint=checkpoint))
            if progress is not None:
                progress(context.run, checkpoint)
    except (ShurabaError, httpx.HTTPError) as exc:
        outcome.stopped = str(exc) or type(exc).__name__
        run_end(context.run, status=RunStatus.FAILED, message=outcome.stopped)
        return
    run_end(context.run, status=RunStatus.FINISHED)


def file_import(
    *,
    path: Path | FileSource,
    dry_run: bool = False,
    limit: int | None = None,
    command: str = "",
    mapper: Mapper | None = None,
    suggest: bool = True,
    progress: Progress | None = None,
) -> RunOutcome:
    """Import one file (its kind read from its content); FileRejected (or VocabularyMissing) when it cannot
    even start."""
    source = path if isinstance(path, FileSource) else file_open(path)
    vocabulary_check(mapper)
    started = time.monotonic()
    run, resumed = run_begin(
        source="file", filters={**source.filters, "limit": limit}, command=command, dry_run=dry_run
    )
    outcome = RunOutcome(run=run, resumed=resumed, elapsed=0.0)
    if source.is_terms:
        report = source_terms_upsert(terms=list(terms_read(source)), mapper=mapper or mapping.record_map, run=run)
        outcome.this_run.add(report)
        run_end(run, status=RunStatus.FINISHED)
    else:
        context = _context(run, mapper, suggest=suggest)
        remaining = None if limit is None else max(0, limit - _rows_done(run))
        chunks = _limited(entries_read(source, checkpoint=run.checkpoint), remaining)
        run_chunks(context=context, chunks=chunks, outcome=outcome, progress=progress)
    outcome.elapsed = time.monotonic() - started
    return outcome


def _rows_done(run: ImportRun) -> int:
    return run.created + run.updated + run.unchanged + run.rejected + run.reviews


def source_import(
    *,
    name: str,
    client: httpx.Client,
    filters: Mapping[str, Any],
    since: dt.date | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    command: str = "",
    mapper: Mapper | None = None,
    suggest: bool = True,
    progress: Progress | None = None,
    adapter: SourceAdapter | None = None,
) -> RunOutcome:
    """Fetch from a source through its adapter (with the injected client) and import page by page.

    `adapter` defaults to the source module's own; tests pass one with a fake clock.
    """
    adapter = adapter or adapter_load(name)
    vocabulary_check(mapper)
    started = time.monotonic()
    key_filters = {**filters, "since": since.isoformat() if since else None, "limit": limit}
    run, resumed = run_begin(source=name, filters=key_filters, command=command, dry_run=dry_run)
    outcome = RunOutcome(run=run, resumed=resumed, elapsed=0.0)
    context = _context(run, mapper, suggest=suggest)
    remaining = None if limit is None else max(0, limit - _rows_done(run))
    pages = adapter.fetch(client, filters=filters, since=since, limit=remaining, checkpoint=run.checkpoint)
    chunks = (([(_where(row), row) for row in rows], dict(checkpoint)) for rows, checkpoint in pages)
    run_chunks(context=context, chunks=chunks, outcome=outcome, progress=progress)
    outcome.elapsed = time.monotonic() - started
    return outcome


def _where(row: SourceRecord | RowError) -> str:
    return row.where if isinstance(row, RowError) else f"{row.source} {row.source_id}"


def records_import(
    *,
    records: Iterable[SourceRecord | RowError],
    source: str,
    dry_run: bool = False,
    command: str = "",
    mapper: Mapper | None = None,
    suggest: bool = True,
) -> RunOutcome:
    """Import records already in hand (an on-demand sync, a test): a fresh run, never resumed."""
    vocabulary_check(mapper)
    started = time.monotonic()
    run = ImportRun(source=source, command=command[:500], filters={}, resume_key="", dry_run=dry_run)
    if not dry_run:
        run.save()
    outcome = RunOutcome(run=run, resumed=False, elapsed=0.0)
    rows = [(_where(row), row) for row in records]
    chunks = ((rows[i : i + CHUNK], {"item": i + CHUNK}) for i in range(0, len(rows), CHUNK))
    run_chunks(context=_context(run, mapper, suggest=suggest), chunks=chunks, outcome=outcome)
    outcome.elapsed = time.monotonic() - started
    return outcome
