"""Title text on the fictional sample catalog: the browse box's examples find their titles, creators'
names find the titles they are credited on, and the engine and the SQL reference agree on both."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from shuraba.accounts.policies import Viewer, visibility_of
from shuraba.catalog.models import Credit, Title
from shuraba.catalog.services import creator_upsert
from shuraba.search.engine import engine_search
from shuraba.search.live import search_index
from shuraba.search.query import SearchQuery
from shuraba.search.reference import reference_search
from shuraba.search.syntax import query_parse
from shuraba.search.vocab import vocabulary_at

BROWSE = Path(__file__).resolve().parents[2] / "shuraba" / "templates" / "search" / "browse.html"


def _examples() -> list[str]:
    found = re.search(r'id="query"[^>]*placeholder=\'e\.g\. ([^\']+)\'', BROWSE.read_text(encoding="utf-8"))
    assert found, "the search box has no examples"
    return [example.strip() for example in found.group(1).split(",")]


@pytest.mark.parametrize("example", _examples())
def test_each_example_of_the_title_box_finds_a_title(db: None, example: str) -> None:
    viewer = visibility_of(Viewer(is_adult=True, spoilers="all"))
    query = replace(query_parse(example, vocabulary_at(search_index().vocabulary_version)), per_page=100)
    fast, slow = engine_search(search_index(), query, viewer), reference_search(query, viewer)
    assert fast.total > 0, example
    assert (fast.pks, fast.total) == (slow.pks, slow.total)


def test_a_creators_name_finds_the_titles_credited_to_them(db: None) -> None:
    credit = Credit.objects.select_related("creator").order_by("pk").first()
    assert credit is not None
    credited = set(Credit.objects.filter(creator=credit.creator).values_list("title_id", flat=True))
    viewer = visibility_of(Viewer(is_adult=True, spoilers="all"))
    for name in (credit.creator.name, credit.creator.native_name):
        query = SearchQuery(q=name, per_page=100)
        fast, slow = engine_search(search_index(), query, viewer), reference_search(query, viewer)
        assert credited <= set(fast.pks), name
        assert (fast.pks, fast.total) == (slow.pks, slow.total)


def test_vermillion_with_a_typo_finds_vermilion_thread_first(db: None) -> None:
    viewer = visibility_of(Viewer(is_adult=True, spoilers="all"))
    pks = engine_search(search_index(), SearchQuery(q="Vermillion"), viewer).pks
    assert pks
    assert Title.objects.get(pk=pks[0]).title == "Vermilion Thread"


def test_a_renamed_creator_is_searched_by_the_new_name(db: None) -> None:
    credit = Credit.objects.select_related("creator").order_by("pk").first()
    assert credit is not None
    viewer = visibility_of(Viewer(is_adult=True, spoilers="all"))
    before = engine_search(search_index(), SearchQuery(q=credit.creator.name, per_page=100), viewer)
    assert credit.title_id in before.pks
    creator_upsert(slug=credit.creator.slug, name="Quillon Farthingale", native_name="")
    query = SearchQuery(q="quillon farthingale", per_page=100)
    fast, slow = engine_search(search_index(), query, viewer), reference_search(query, viewer)
    assert credit.title_id in fast.pks
    assert (fast.pks, fast.total) == (slow.pks, slow.total)
