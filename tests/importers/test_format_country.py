"""Format and country as the sources define them, on the real AniList file: the file gives a country for
every work (723 KR) and no format, so its Korean titles are manhwa by country (`country=KR`) and of unknown
format; `format=webtoon` finds them only where a source says long strip (AniList's Long Strip tag, MangaDex's
Long Strip tag), never from the country alone."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from shuraba.accounts.policies import PUBLIC
from shuraba.catalog.models import Title
from shuraba.importers.dataset import dataset_row_parse
from shuraba.importers.runs import records_import
from shuraba.importers.sources import anilist
from shuraba.importers.sources.fieldmap import record_build
from shuraba.search.engine import engine_search
from shuraba.search.live import search_index
from shuraba.search.query import SearchQuery, ValueFilter
from shuraba.search.reference import reference_search
from tests.importers.factories import COLLECTION

pytestmark = pytest.mark.skipif(not COLLECTION.exists(), reason=f"no shared data at {COLLECTION} (../shared/data)")


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in COLLECTION.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_real_file_gives_countries_and_no_format_and_no_long_strip() -> None:
    records = [dataset_row_parse(row) for row in _rows()]
    assert Counter(r.country for r in records) == {"JP": 3186, "KR": 723, "CN": 134, "TW": 2}
    assert {r.format for r in records} == {None}
    assert not any(t.name == anilist.LONG_STRIP for r in records for t in r.tags)


def _query(dimension: str, key: str) -> SearchQuery:
    return SearchQuery.build(values={dimension: ValueFilter(include=frozenset({key}))}, per_page=100)


@pytest.mark.django_db
def test_korean_titles_of_the_real_file_are_found_by_country_and_not_as_webtoons() -> None:
    rows = _rows()
    korean = [r for r in rows if r["country_of_origin"] == "KR"][:40]
    japanese = [r for r in rows if r["country_of_origin"] == "JP"][:20]
    records_import(records=[dataset_row_parse(r) for r in korean + japanese], source="anilist", suggest=False)
    imported = Title.objects.filter(source_snapshots__source="anilist")
    kr = set(imported.filter(country="KR").values_list("pk", flat=True))
    assert len(kr) == 40
    assert set(imported.values_list("format", flat=True)) == {"unknown"}
    index = search_index()
    by_country = engine_search(index, _query("country", "KR"), PUBLIC)
    assert kr <= set(by_country.pks)
    assert set(by_country.pks) == set(reference_search(_query("country", "KR"), PUBLIC).pks)
    webtoons = set(engine_search(index, _query("format", "webtoon"), PUBLIC).pks)
    assert not webtoons & set(imported.values_list("pk", flat=True))


def _item(**fields: Any) -> dict[str, Any]:
    return {"id": 1, "title": {"romaji": "Reibun"}, "format": "MANGA", "isAdult": False, **fields}


def test_anilist_says_webtoon_with_its_long_strip_tag_and_manhwa_by_country_only() -> None:
    strip = record_build(
        "anilist", _item(countryOfOrigin="KR", tags=[{"name": "Long Strip", "rank": 90}]), anilist.RULES
    )
    assert (strip.format, strip.country) == ("webtoon", "KR")
    paged = record_build("anilist", _item(countryOfOrigin="KR", tags=[{"name": "Drama", "rank": 90}]), anilist.RULES)
    assert (paged.format, paged.country) == ("manga", "KR")  # AniList's MANGA from KR: a manhwa, layout not said
    novel = record_build("anilist", _item(format="NOVEL", tags=[{"name": "Long Strip", "rank": 90}]), anilist.RULES)
    assert novel.format == "light-novel"
