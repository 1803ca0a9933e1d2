"""Checks over every recorded payload: facts only, and the cross-references part A's merge relies on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shuraba.importers.records import SourceRecord
from shuraba.importers.sources import SOURCE_MODULES, adapter_get

from .support import DATA, payload

PROSE = "PROSE-MARKER"
PROSE_FIELDS = ("description", "synopsis", "background", "biography")
FIXTURES = sorted(
    (source, path.name)
    for source in ("anilist", "mangadex", "mangaupdates", "jikan")
    for path in (DATA / source).glob("*.json")
)
ADAPTER_OF = {"anilist": "anilist", "mangadex": "mangadex", "mangaupdates": "mangaupdates", "jikan": "mal"}


@pytest.mark.parametrize(("source", "name"), FIXTURES)
def test_no_prose_in_any_record_parsed_from_any_fixture(source: str, name: str) -> None:
    rows = adapter_get(ADAPTER_OF[source]).parse_page(payload(source, name), where=name)
    assert rows, "every page parses into records or row errors"
    assert PROSE not in repr(rows)


def test_the_fixtures_do_carry_prose_so_the_check_above_bites() -> None:
    for source in ("anilist", "mangadex", "mangaupdates", "jikan"):
        assert any(PROSE in (DATA / source / name).read_text() for s, name in FIXTURES if s == source), source


def test_no_mapping_rule_reads_a_prose_field() -> None:
    for name in SOURCE_MODULES:
        for rule in adapter_get(name).rules:
            assert not any(field in rule.source for field in PROSE_FIELDS), (name, rule.source)


def parsed(source: str, name: str) -> dict[str, SourceRecord]:
    rows = adapter_get(ADAPTER_OF[source]).parse_page(payload(source, name), where=name)
    return {r.source_id: r for r in rows if isinstance(r, SourceRecord)}


def test_mangadex_links_point_at_records_of_the_other_fixtures() -> None:
    anilist = parsed("anilist", "page_1.json") | parsed("anilist", "page_2.json")
    mal = parsed("jikan", "manga_search_page_1.json") | parsed("jikan", "manga_search_page_2.json")
    mu = parsed("mangaupdates", "series_zzexampla.json")
    linked: dict[str, Any] = {"anilist": anilist, "mal": mal, "mangaupdates": mu}
    mangadex = parsed("mangadex", "manga_page_1.json")
    a = mangadex["00000000-0000-4000-8000-00000000000a"]
    for key, target in a.cross_ids.items():
        assert target in linked[key], (key, target)
    assert anilist[a.cross_ids["anilist"]].cross_ids == {"mal": a.cross_ids["mal"]}
    d = mangadex["00000000-0000-4000-8000-00000000000d"]
    assert (d.cross_ids["anilist"], d.cross_ids["mal"]) == ("9000004", "9100004")
    assert d.cross_ids["anilist"] in anilist
    assert d.cross_ids["mal"] in mal


def test_fixture_files_are_valid_json_except_the_deliberately_truncated_page() -> None:
    broken = []
    for path in sorted(DATA.glob("*/*")):
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".txt":
            broken.append(path.name)
    assert broken == ["page_truncated.txt"]
