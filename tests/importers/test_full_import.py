"""The bar: all 4,045 titles import, each findable by every name, idempotently; a killed import resumes exactly."""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import closing
from pathlib import Path

import pytest
from django.db.models import Q

from shuraba.catalog.models import ChangeRecord, Title
from shuraba.core.models import Change as CatalogChange
from shuraba.importers.runs import file_import
from tests.importers.factories import COLLECTION

SHURABA = str(Path(sys.executable).with_name("shuraba"))
pytestmark = pytest.mark.full_import


@pytest.mark.django_db
def test_every_title_of_the_collection_imports_and_is_found_by_each_of_its_names() -> None:
    outcome = file_import(path=COLLECTION)
    assert (outcome.run.created, outcome.run.rejected, outcome.run.reviews, outcome.exit_code) == (4045, 0, 0, 0)
    rows = [json.loads(line) for line in COLLECTION.read_text(encoding="utf-8").splitlines()]
    found: dict[str, set[str]] = defaultdict(set)  # name -> anilist ids of the titles it finds
    titles = Title.objects.filter(external_ids__source="anilist")
    for name, anilist_id in titles.values_list("title", "external_ids__external_id"):
        found[name].add(anilist_id)
    for name, anilist_id in titles.values_list("alt_titles__text", "external_ids__external_id"):
        found[name].add(anilist_id)
    for row in rows:
        for name in filter(None, (row["title_romaji"], row["title_english"])):
            assert str(row["anilist_id"]) in found[name.strip()], name
    sample = rows[1234]
    query = Q(title=sample["title_romaji"]) | Q(alt_titles__text=sample["title_romaji"])
    assert Title.objects.filter(query, external_ids__external_id=str(sample["anilist_id"])).exists()
    changes, announced = ChangeRecord.objects.count(), CatalogChange.objects.count()
    again = file_import(path=COLLECTION)
    assert (again.run.created, again.run.updated, again.run.unchanged) == (0, 0, 4045)
    assert (ChangeRecord.objects.count(), CatalogChange.objects.count()) == (changes, announced)


# --- SIGKILL at random points, then resume -------------------------------------------------------

DUMP = {
    "titles": "SELECT slug, title, status, country, start_date, end_date, content_rating, score, popularity"
    " FROM catalog_title",
    "alt_titles": "SELECT t.slug, a.kind, a.text FROM catalog_alttitle a JOIN catalog_title t ON t.id = a.title_id",
    "external_ids": "SELECT t.slug, e.source, e.external_id FROM catalog_externalid e"
    " JOIN catalog_title t ON t.id = e.title_id",
    "tags": "SELECT t.slug, g.slug, x.relevance, x.spoiler, x.severity, x.source FROM catalog_titletag x"
    " JOIN catalog_title t ON t.id = x.title_id JOIN taxonomy_tag g ON g.id = x.tag_id",
    "snapshots": "SELECT t.slug, s.source, s.source_id FROM importers_sourcesnapshot s"
    " JOIN catalog_title t ON t.id = s.title_id",
}


def _env(data_dir: Path) -> dict[str, str]:
    return {"SHURABA_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}


def _shuraba(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [SHURABA, *args], env=_env(data_dir), capture_output=True, text=True, timeout=180, check=False
    )


def _query(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(data_dir / "shuraba.sqlite3", timeout=20)) as db:
        return db.execute(sql).fetchall()


def _dump(data_dir: Path) -> dict[str, list[tuple[object, ...]]]:
    return {name: sorted(_query(data_dir, sql), key=repr) for name, sql in DUMP.items()}


def _kill_after_progress(data_dir: Path, path: Path, seen: int, rng: random.Random) -> int:
    """Start an import, wait until it has committed past `seen` titles, SIGKILL it a random moment later."""
    process = subprocess.Popen(  # noqa: S603 (our own console script, fixed arguments)
        [SHURABA, "import", "file", str(path)], env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if _query(data_dir, "SELECT count(*) FROM catalog_title")[0][0] > seen:
            time.sleep(rng.uniform(0.0, 0.2))
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return int(_query(data_dir, "SELECT count(*) FROM catalog_title")[0][0])


def test_an_import_killed_at_random_points_ends_equal_to_an_uninterrupted_one(tmp_path: Path) -> None:
    path = tmp_path / "part.jsonl"
    with COLLECTION.open(encoding="utf-8") as handle:
        path.write_text("".join(next(handle) for _ in range(1600)), encoding="utf-8")
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    assert _shuraba(reference, "migrate", "-v0").returncode == 0
    assert _shuraba(reference, "taxonomy_sync", "-v0").returncode == 0
    killed.mkdir()
    for name in ("shuraba.sqlite3", "shuraba.sqlite3-wal", "secret_key"):  # the same empty, migrated database
        if (reference / name).exists():
            shutil.copy2(reference / name, killed / name)
    assert _shuraba(reference, "import", "file", str(path)).returncode == 0

    rng, seen, partial = random.Random(20261124), 0, []  # noqa: S311 (seeded kill points, not a secret)
    for _ in range(3):
        seen = _kill_after_progress(killed, path, seen, rng)
        partial.append(seen)
    assert any(0 < count < 1600 for count in partial), partial  # at least one kill landed mid-import
    finish = _shuraba(killed, "import", "file", str(path))
    assert finish.returncode == 0, finish.stderr
    assert "resumed from its checkpoint" in finish.stdout or partial[-1] == 1600

    expected, actual = _dump(reference), _dump(killed)
    assert len(expected["titles"]) == 1600
    assert actual == expected
    orphans = "SELECT count(*) FROM catalog_title t WHERE NOT EXISTS (SELECT 1 FROM {} x WHERE x.title_id = t.id)"
    for table in ("catalog_alttitle", "catalog_externalid", "importers_sourcesnapshot"):
        assert _query(killed, orphans.format(table)) == [(0,)]  # no partial title
