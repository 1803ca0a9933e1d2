"""AniList's isAdult=false as the rating it is, `not-adult` ("Not adult per AniList", at most mature), read
from the real file: the age gate shows it, an avoid rule up to mature hides it, a rating filter names it
exactly, and a re-import moves a title imported as mature before, never an editor's rating."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shuraba.accounts import policies
from shuraba.accounts.models import User
from shuraba.accounts.policies import PUBLIC, Visibility
from shuraba.accounts.rules import rules_parse
from shuraba.catalog import selectors
from shuraba.catalog import services as catalog
from shuraba.catalog.models import ContentRating, Title
from shuraba.importers.dataset import dataset_row_parse
from shuraba.importers.models import SourceSnapshot
from shuraba.importers.runs import records_import
from shuraba.search.engine import engine_search
from shuraba.search.live import search_index
from shuraba.search.query import SearchQuery, ValueFilter
from shuraba.search.reference import reference_search
from tests.importers.factories import COLLECTION

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not COLLECTION.exists(), reason=f"no shared data at {COLLECTION} (../shared/data)"),
]
YOTSUBA, MONSTER = 30104, 30001


def _rows(*ids: int) -> list[dict[str, Any]]:
    wanted, rows = set(ids), []
    with COLLECTION.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["anilist_id"] in wanted:
                rows.append(row)
    return rows


def _import(*ids: int) -> dict[int, Title]:
    records_import(records=[dataset_row_parse(row) for row in _rows(*ids)], source="anilist", suggest=False)
    return {i: Title.objects.get(source_snapshots__source="anilist", source_snapshots__source_id=str(i)) for i in ids}


def test_yotsuba_reads_not_adult_per_anilist_not_mature() -> None:
    yotsuba = _import(YOTSUBA)[YOTSUBA]
    assert yotsuba.title == "Yotsuba&!"
    assert yotsuba.content_rating == ContentRating.NOT_ADULT
    detail = selectors.title_detail(visibility=PUBLIC, reveal=policies.NOTHING_REVEALED, pk=yotsuba.pk)
    assert detail.facts.content_rating_label == "Not adult per AniList"


def test_the_age_gate_shows_not_adult_titles() -> None:
    yotsuba = _import(YOTSUBA)[YOTSUBA]
    assert PUBLIC.age_gated
    assert policies.title_hidden(PUBLIC, title_id=yotsuba.pk, content_rating=yotsuba.content_rating) is None
    assert Title.objects.filter(pk=yotsuba.pk, pk__in=policies.visible_title_ids(PUBLIC)).exists()
    assert yotsuba.pk in engine_search(search_index(), SearchQuery(q="yotsuba"), PUBLIC).pks


@pytest.mark.parametrize("line", ["rating:mature", "content_rating:teen", "rating:all-ages,mature"])
def test_an_avoid_rule_on_a_rating_up_to_mature_hides_not_adult_titles(line: str) -> None:
    yotsuba = _import(YOTSUBA)[YOTSUBA]
    rule = rules_parse([line]).rules[0]
    assert "or not-adult, which may be" in rule.describe()
    ruled = Visibility(rules=(rule,))
    query = SearchQuery(q="yotsuba")
    assert yotsuba.pk not in engine_search(search_index(), query, ruled).pks
    assert yotsuba.pk not in reference_search(query, ruled).pks
    hidden = policies.title_hidden(ruled, title_id=yotsuba.pk, content_rating=yotsuba.content_rating)
    assert hidden is not None
    assert hidden.reason == "rules"


def test_an_avoid_rule_on_explicit_or_an_exception_leaves_not_adult_titles_alone() -> None:
    yotsuba = _import(YOTSUBA)[YOTSUBA]
    for line in ("rating:explicit", "rating:mature rating:!not-adult"):
        ruled = Visibility(rules=rules_parse([line]).rules)
        assert policies.title_hidden(ruled, title_id=yotsuba.pk, content_rating=yotsuba.content_rating) is None, line


def test_a_rating_filter_names_not_adult_exactly() -> None:
    yotsuba = _import(YOTSUBA)[YOTSUBA]
    index = search_index()
    for key, found in (("mature", False), ("not-adult", True)):
        query = SearchQuery.build(values={"content_rating": ValueFilter(include=frozenset({key}))}, per_page=100)
        pks = engine_search(index, query, PUBLIC).pks
        assert (yotsuba.pk in pks) is found, key
        assert pks == reference_search(query, PUBLIC).pks, key
    excluding = SearchQuery.build(values={"content_rating": ValueFilter(exclude=frozenset({"not-adult"}))}, q="yotsuba")
    assert yotsuba.pk not in engine_search(index, excluding, PUBLIC).pks


def test_reimporting_moves_an_imported_mature_to_not_adult_but_keeps_an_editors_rating(editor: User) -> None:
    titles = _import(YOTSUBA, MONSTER)
    yotsuba, monster = titles[YOTSUBA], titles[MONSTER]
    Title.objects.filter(pk__in=[yotsuba.pk, monster.pk]).update(content_rating="mature")  # as imports stored it
    for snap in SourceSnapshot.objects.filter(source="anilist"):  # and the snapshots as they read then (reading 2)
        snap.facts.update(reading=2, content_rating="mature")
        snap.save()
    catalog.title_update(title=monster, changes={"content_rating": "mature"}, source="editor", actor=editor)
    _import(YOTSUBA, MONSTER)
    yotsuba.refresh_from_db()
    monster.refresh_from_db()
    assert (yotsuba.content_rating, monster.content_rating) == ("not-adult", "mature")
