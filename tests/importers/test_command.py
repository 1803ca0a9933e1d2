"""The `shuraba import` command and source runs: exit codes, reports, dry runs, outages and resuming."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import CommandError, call_command

from shuraba.importers.mapping import alias_table, record_map
from shuraba.importers.models import ImportRun, RunStatus
from shuraba.importers.runs import (
    EXIT_NOT_STARTED,
    USER_AGENT,
    VocabularyMissing,
    file_import,
    http_client,
    records_import,
    source_import,
)
from shuraba.importers.sources import anilist
from shuraba.importers.sources.ratelimit import FakeClock
from shuraba.taxonomy.models import Tag
from tests.importers.factories import COLLECTION, table_rows

SHURABA = str(Path(sys.executable).with_name("shuraba"))
PAGES = Path(__file__).resolve().parents[1] / "data"


def _shuraba(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"SHURABA_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    return subprocess.run([SHURABA, *args], capture_output=True, text=True, timeout=120, check=False, env=env)  # noqa: S603 (our own console script, fixed arguments)


def _file(tmp_path: Path, lines: int, *, broken: bool = False) -> Path:
    with COLLECTION.open(encoding="utf-8") as handle:
        rows = [next(handle) for _ in range(lines)]
    if broken:
        rows[1] = rows[1][:40] + "\n"
    path = tmp_path / "part.jsonl"
    path.write_text("".join(rows), encoding="utf-8")
    return path


def _call(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_help_lists_every_source_and_the_file_kinds(tmp_path: Path) -> None:
    result = _shuraba(tmp_path, "import", "--help")
    assert result.returncode == 0
    for name in ("file", "anilist", "mangadex", "mangaupdates", "jikan"):
        assert name in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "anilist", "--limit", "-3"), "is not a number of 0 or more"),
        (("import", "file", "/no/such/file.jsonl"), "no such file"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_and_no_traceback(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = _shuraba(tmp_path, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_clean_file_exits_0_with_a_report(db: None, tmp_path: Path) -> None:
    output = _call("file", str(_file(tmp_path, 5)))
    assert re.search(r"created +5\n", output)
    assert re.search(r"rejected +0\n", output)


def test_rejected_rows_exit_1_and_are_listed_with_their_line(db: None, tmp_path: Path) -> None:
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import", "file", str(_file(tmp_path, 5, broken=True)), stdout=out, stderr=StringIO())
    assert error.value.returncode == 1
    assert "line 2: not valid JSON" in out.getvalue()
    assert re.search(r"created +4\n", out.getvalue())


def test_a_file_that_cannot_start_exits_2(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is a directory") as error:
        _call("file", str(tmp_path))
    assert error.value.returncode == 2


def test_the_dry_run_flag_writes_nothing(db: None, tmp_path: Path) -> None:
    before = table_rows()
    output = _call("file", str(_file(tmp_path, 5)), "--dry-run")
    assert output.startswith("dry run (nothing was written)")
    assert re.search(r"created +5\n", output)
    assert table_rows() == before


def test_the_http_client_sends_a_real_user_agent_and_has_timeouts() -> None:
    with http_client() as client:
        assert client.headers["user-agent"] == USER_AGENT
        assert client.timeout.read == 30.0


# --- a source run through its adapter, on recorded AniList pages --------------------------------


class AniListServer:
    """Answers the GraphQL query with the recorded pages; `down_after` pages, it answers 403 (an outage)."""

    def __init__(self, down_after: int | None = None) -> None:
        self.down_after = down_after
        self.pages: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        page = json.loads(request.content)["variables"]["page"]
        self.pages.append(page)
        if self.down_after is not None and len(self.pages) > self.down_after:
            return httpx.Response(403, content=(PAGES / "anilist" / "error_403.json").read_bytes())
        return httpx.Response(200, content=(PAGES / "anilist" / f"page_{page}.json").read_bytes())

    def run(self, **options: Any) -> Any:
        clock = FakeClock()
        adapter = anilist.AniListAdapter(clock=clock, sleep=clock.sleep)
        with httpx.Client(transport=httpx.MockTransport(self)) as client:
            return source_import(
                name="anilist", client=client, filters={"tag": ["Netorare"]}, adapter=adapter, **options
            )


def test_a_source_run_imports_every_page(db: None) -> None:
    outcome = AniListServer().run()
    assert (outcome.run.created, outcome.run.status, outcome.exit_code) == (5, RunStatus.FINISHED, 0)
    assert outcome.run.filters == {"tag": ["Netorare"], "since": None, "limit": None}


def test_an_outage_stops_the_run_with_exit_3_and_the_next_run_resumes_after_the_last_page(db: None) -> None:
    stopped = AniListServer(down_after=1).run()
    assert (stopped.exit_code, stopped.run.status, stopped.run.created) == (3, RunStatus.FAILED, 3)
    assert "temporarily disabled" in stopped.stopped
    server = AniListServer()
    resumed = server.run()
    assert (resumed.resumed, resumed.run.pk, resumed.run.created, resumed.exit_code) == (True, stopped.run.pk, 5, 0)
    assert server.pages == [2]
    assert ImportRun.objects.get().status == RunStatus.FINISHED


def test_a_dry_source_run_writes_nothing(db: None) -> None:
    before = table_rows()
    outcome = AniListServer().run(dry_run=True)
    assert outcome.run.created == 5
    assert table_rows() == before


def test_an_import_into_a_database_never_synced_stops_at_once_and_says_what_to_run(tmp_path: Path) -> None:
    """After a bare `shuraba migrate` the tags table is empty: the import stops before its first row (it
    used to reject every row with "the alias table maps onto unknown tag") and names the command to run."""
    assert _shuraba(tmp_path, "migrate", "-v0").returncode == 0
    result = _shuraba(tmp_path, "import", "file", str(_file(tmp_path, 3)))
    assert result.returncode == EXIT_NOT_STARTED, result.stderr
    assert "tag vocabulary was never synced" in result.stderr
    assert "`shuraba setup`" in result.stderr
    assert "nothing was imported" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_a_missing_tag_stops_every_kind_of_import_before_a_run_is_recorded(tmp_path: Path) -> None:
    wanted = sorted({alias.tag for alias in alias_table().aliases if alias.tag})
    Tag.objects.filter(slug=wanted[0]).update(slug="a-slug-taxonomy-toml-lacks")  # as if never synced
    with pytest.raises(VocabularyMissing, match=re.escape(repr(wanted[0]))):
        file_import(path=_file(tmp_path, 3))
    with pytest.raises(VocabularyMissing):
        records_import(records=[], source="anilist")
    assert not ImportRun.objects.exists()
    file_import(path=_file(tmp_path, 3), mapper=record_map)  # a mapper the caller gives: checked row by row
    assert ImportRun.objects.count() == 1
