"""`shuraba import file`: kinds read from the content, bad input reported per line, vocabularies, saved pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shuraba.catalog.models import ChangeRecord, Title
from shuraba.importers.files import FileRejected, file_open
from shuraba.importers.models import ImportRowError, ImportRun, RunStatus, SourceSnapshot, SourceTerm
from shuraba.importers.runs import file_import
from tests.importers.factories import COLLECTION, SHARED_DATA

pytestmark = pytest.mark.django_db
PAGES = Path(__file__).resolve().parents[1] / "data"


def _lines(count: int, start: int = 0) -> list[str]:
    with COLLECTION.open(encoding="utf-8") as handle:
        return [line for index, line in enumerate(handle) if start <= index < start + count]


def _write(tmp_path: Path, lines: list[str], name: str = "part.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(line if line.endswith("\n") else line + "\n" for line in lines), encoding="utf-8")
    return path


def _reasons(run: ImportRun) -> dict[str, str]:
    return dict(ImportRowError.objects.filter(run=run).values_list("where", "reason"))


def test_the_collection_shape_is_recognised_and_imported(tmp_path: Path) -> None:
    path = _write(tmp_path, _lines(30))
    assert file_open(path).kind == "anilist-collection"
    outcome = file_import(path=path)
    assert (outcome.run.created, outcome.run.rejected, outcome.exit_code) == (30, 0, 0)


def _row(**changes: Any) -> str:
    row = json.loads(_lines(1, start=100)[0])
    row.update(changes)
    return json.dumps(row, ensure_ascii=False)


def test_each_bad_line_gets_its_line_number_and_reason_while_the_rest_imports(tmp_path: Path) -> None:
    good = _lines(8)
    lines = [
        good[0],
        good[1][: len(good[1]) // 2],  # line 2: truncated
        _row(anilist_id="30001x"),  # line 3: wrong type
        good[2],
        _row(status="PAUSED"),  # line 5: unknown enum value
        '{"anilist_id": 5, "title_romaji": "' + "x" * (50 << 20) + '"}',  # line 6: a 50 MB line
        _row(is_adult="no"),  # line 7: wrong type
        "[1, 2, 3]",  # line 8: not an object
        *good[3:],
    ]
    outcome = file_import(path=_write(tmp_path, lines))
    assert (outcome.run.created, outcome.run.rejected, outcome.exit_code) == (7, 6, 1)
    reasons = _reasons(outcome.run)
    assert set(reasons) == {"line 2", "line 3", "line 5", "line 6", "line 7", "line 8"}
    assert "not valid JSON" in reasons["line 2"]
    assert "truncated" in reasons["line 2"]
    assert reasons["line 3"] == "anilist_id: expected a whole number, got text '30001x'"
    assert reasons["line 5"].startswith("status: unknown value 'PAUSED'")
    assert "over the 1,048,576-byte limit" in reasons["line 6"]
    assert reasons["line 7"] == "is_adult: expected true or false, got text 'no'"
    assert reasons["line 8"] == "expected a JSON object, got list"
    assert Title.objects.filter(source_snapshots__source="anilist").count() == 7


def test_lines_that_are_not_utf8_are_reported_and_the_others_import(tmp_path: Path) -> None:
    good = [line.encode() for line in _lines(3)]
    latin1 = _row(title_english="Café Étoile").encode("latin-1")
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(good[0] + latin1 + b"\n" + good[1] + good[2])
    outcome = file_import(path=path)
    assert (outcome.run.created, outcome.run.rejected) == (3, 1)
    assert _reasons(outcome.run)["line 2"].startswith("not valid UTF-8 (byte 0xe9")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.jsonl", "no such file"),
        (lambda p: p, "is a directory"),
        (lambda p: (p / "empty.jsonl", (p / "empty.jsonl").write_bytes(b""))[0], "is empty"),
        (lambda p: (p / "u16.jsonl", (p / "u16.jsonl").write_text('{"a": 1}', encoding="utf-16"))[0], "UTF-16"),
        (lambda p: (p / "csv.jsonl", (p / "csv.jsonl").write_text("id,title\n1,x\n"))[0], "cannot tell"),
    ],
)
def test_a_file_that_cannot_be_imported_at_all_says_why_and_writes_nothing(
    tmp_path: Path, make: Any, message: str
) -> None:
    with pytest.raises(FileRejected, match=message):
        file_import(path=make(tmp_path))
    assert not ImportRun.objects.exists()


def test_an_interrupted_file_run_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    path = _write(tmp_path, _lines(1200))

    def interrupt(run: ImportRun, checkpoint: Any) -> None:
        raise KeyboardInterrupt  # as if the operator pressed Ctrl-C once the first chunk committed

    with pytest.raises(KeyboardInterrupt):
        file_import(path=path, progress=interrupt)
    run = ImportRun.objects.get()
    assert (run.status, run.created, run.checkpoint["line"]) == (RunStatus.RUNNING, 500, 500)
    outcome = file_import(path=path)
    assert (outcome.resumed, outcome.run.pk, outcome.run.created, outcome.run.unchanged) == (True, run.pk, 1200, 0)
    assert outcome.run.status == RunStatus.FINISHED
    assert SourceSnapshot.objects.count() == 1200


def test_the_anilist_tag_vocabulary_becomes_reviewable_terms_with_their_mapping() -> None:
    changes = ChangeRecord.objects.count()
    outcome = file_import(path=SHARED_DATA / "anilist_tags.jsonl")
    assert (outcome.run.created, outcome.run.rejected, outcome.exit_code) == (417, 0, 0)
    netorare = SourceTerm.objects.get(source="anilist", name="Netorare")
    assert (netorare.term_id, netorare.is_adult, netorare.maps_to) == ("124", True, "infidelity")
    assert "subgenre=netorare" in netorare.evidence
    assert SourceTerm.objects.filter(source="anilist", maps_to="").exists()  # unmapped terms wait for review
    again = file_import(path=SHARED_DATA / "anilist_tags.jsonl")
    assert (again.run.created, again.run.updated, again.run.unchanged) == (0, 0, 417)
    assert ChangeRecord.objects.count() == changes


def test_the_mangadex_tag_vocabulary_file_and_saved_tag_page_agree() -> None:
    file_import(path=SHARED_DATA / "mangadex_tags.jsonl")
    assert SourceTerm.objects.filter(source="mangadex").count() == 76
    page = file_import(path=PAGES / "mangadex" / "tag_list.json")
    assert page.run.created == 0
    assert SourceTerm.objects.get(source="mangadex", name="Drama").maps_to == "drama"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("anilist/page_1.json", "page:anilist"),
        ("mangadex/manga_page_1.json", "page:mangadex"),
        ("mangaupdates/series_zzexampla.json", "page:mangaupdates"),
        ("mangaupdates/series_search_page_1.json", "page:mangaupdates"),
        ("jikan/manga_9100001.json", "page:jikan"),
        ("jikan/manga_search_page_1.json", "page:jikan"),
    ],
)
def test_saved_api_pages_are_recognised_by_their_shape(name: str, kind: str) -> None:
    assert file_open(PAGES / name).kind == kind


def test_one_work_saved_from_four_sources_becomes_one_title() -> None:
    for name in (
        "anilist/page_1.json",
        "mangadex/manga_page_1.json",
        "mangaupdates/series_zzexampla.json",
        "jikan/manga_9100001.json",
    ):
        outcome = file_import(path=PAGES / name)
        assert outcome.run.rejected == 0, _reasons(outcome.run)
    title = Title.objects.get(external_ids__source="anilist", external_ids__external_id="9000001")
    assert set(title.source_snapshots.values_list("source", flat=True)) == {
        "anilist",
        "mangadex",
        "mangaupdates",
        "mal",
    }
    assert set(title.external_ids.values_list("source", "external_id")) == {
        ("anilist", "9000001"),
        ("mal", "9100001"),
        ("mangadex", "00000000-0000-4000-8000-00000000000a"),
        ("mangaupdates", "zzexampla"),
    }
    assert title.content_rating == "explicit"


def test_a_saved_page_with_bad_items_reports_them_and_imports_the_rest() -> None:
    outcome = file_import(path=PAGES / "anilist" / "page_bad_types.json")
    assert outcome.run.rejected >= 1
    assert outcome.exit_code == 1
    assert all(reason for reason in _reasons(outcome.run).values())
