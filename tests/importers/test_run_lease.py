"""Two processes never run the same import at once; a dead or silent one's run is resumed."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shuraba.importers.models import ImportRun, RunStatus
from shuraba.importers.runs import LEASE, RunBusy, process_holder, run_begin
from tests.importers.factories import COLLECTION, table_rows

HOST = socket.gethostname()


def _file(tmp_path: Path) -> Path:
    with COLLECTION.open(encoding="utf-8") as handle:
        rows = [next(handle) for _ in range(3)]
    path = tmp_path / "part.jsonl"
    path.write_text("".join(rows), encoding="utf-8")
    return path


def _import(path: Path) -> str:
    out = StringIO()
    call_command("import", "file", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def _left_running(run: ImportRun, holder: str, heartbeat: dt.datetime | None = None) -> None:
    run.status, run.finished_at, run.holder, run.heartbeat_at = RunStatus.RUNNING, None, holder, heartbeat
    run.save()


def _dead_pid() -> int:
    process = subprocess.Popen(["/bin/true"])
    process.wait()
    return process.pid


def test_a_run_a_live_process_holds_is_refused_with_who_holds_it(db: None, tmp_path: Path) -> None:
    path = _file(tmp_path)
    _import(path)
    run = ImportRun.objects.get()
    _left_running(run, f"{HOST}:1", timezone.now())  # pid 1 is always alive
    before = table_rows()
    with pytest.raises(CommandError) as error:
        _import(path)
    assert error.value.returncode == 2
    assert f"import run #{run.pk} with the same source and filters is running in process {HOST}:1" in str(error.value)
    assert "nothing was imported" in str(error.value)
    assert table_rows() == before
    assert ImportRun.objects.count() == 1


def test_a_run_whose_process_died_on_this_machine_is_resumed(db: None, tmp_path: Path) -> None:
    path = _file(tmp_path)
    _import(path)
    run = ImportRun.objects.get()
    _left_running(run, f"{HOST}:{_dead_pid()}", timezone.now())
    _import(path)
    run.refresh_from_db()
    assert (ImportRun.objects.count(), run.status, run.holder) == (1, RunStatus.FINISHED, process_holder())


@pytest.mark.parametrize("holder", ["elsewhere:4242", f"{HOST}:1"])
def test_a_silent_run_is_resumed_only_after_the_lease(db: None, holder: str) -> None:
    """Another machine's run, or one whose process id now belongs to a live program (pid 1 here)."""
    filters = {"tag": ["Netorare"]}
    run, _ = run_begin(source="anilist", filters=filters, command="import anilist", dry_run=False)
    _left_running(run, holder, timezone.now() - LEASE + dt.timedelta(minutes=1))
    with pytest.raises(RunBusy, match=holder):
        run_begin(source="anilist", filters=filters, command="import anilist", dry_run=False)
    _left_running(run, holder, timezone.now() - LEASE - dt.timedelta(minutes=1))
    taken, resumed = run_begin(source="anilist", filters=filters, command="import anilist", dry_run=False)
    assert (taken.pk, resumed, taken.holder) == (run.pk, True, process_holder())


def test_two_claims_at_once_are_stopped_by_the_database(db: None) -> None:
    """The race the read-then-claim cannot see: a stopped run is about to be resumed while another run of
    the same key is already running (two processes that read at the same moment)."""
    filters = {"search": "harbour"}
    running, _ = run_begin(source="jikan", filters=filters, command="import jikan", dry_run=False)
    _left_running(running, f"{HOST}:1", timezone.now())
    stopped = ImportRun.objects.create(
        source="jikan", filters=filters, resume_key=running.resume_key, status=RunStatus.FAILED,
        started_at=running.started_at + dt.timedelta(seconds=1),
    )  # fmt: skip
    with pytest.raises(RunBusy, match=f"run #{running.pk}"):
        run_begin(source="jikan", filters=filters, command="import jikan", dry_run=False)
    stopped.refresh_from_db()
    assert stopped.status == RunStatus.FAILED
