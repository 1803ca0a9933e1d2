"""Each filter kind gives the same titles from the index (its bitmap) as from the database (its ORM
condition), and says in English what it does."""

from __future__ import annotations

import pytest

from shuraba.accounts.policies import EVERYTHING, PUBLIC, Visibility
from shuraba.catalog.models import Title, TitleTag
from shuraba.search.build import index_build
from shuraba.search.filters import AllOf, AnyOf, Filter, InRange, Not, TagHas, TextHas, ValueIn, query_filters
from shuraba.search.query import Range, SearchQuery, ValueFilter
from shuraba.search.storage import slots_array

FILTERS: list[Filter] = [
    TagHas("drama"),
    TagHas("drama", 60),
    TagHas("drama", every_assignment=True),
    AllOf((TagHas("drama"), TagHas("romance"))),
    AnyOf((TagHas("drama"), ValueIn("subgenre", frozenset({"revenge"})))),
    Not(ValueIn("consent", frozenset({"coercion", "non-consent"}))),
    ValueIn("ending", frozenset({"tragedy"})),
    ValueIn("length", frozenset({"short", "one-shot"})),
    ValueIn("country", frozenset({"KR"})),
    InRange("centrality", Range(2, None)),
    InRange("year", Range(None, 2015)),
    InRange("popularity", Range(100, 5000)),
    TextHas("no"),
    TextHas("the"),
]


@pytest.mark.parametrize(
    "visibility", [PUBLIC, EVERYTHING, Visibility(spoilers="minor")], ids=["public", "all", "minor"]
)
def test_every_filter_matches_the_same_titles_in_the_index_and_the_database(db: None, visibility: Visibility) -> None:
    spoiled = TitleTag.objects.filter(tag__slug="drama").order_by("pk")[:4]
    for number, row in enumerate(spoiled):
        row.spoiler = ("minor", "major")[number % 2]
        row.save(update_fields=["spoiler"])
    index = index_build()
    matched_somewhere = 0
    for f in FILTERS:
        from_index = set(index.columns["pk"][slots_array(f.bitmap(index, visibility))].tolist())
        from_database = set(Title.objects.filter(f.condition(visibility)).values_list("pk", flat=True))
        assert from_index == from_database, f.describe()
        matched_somewhere += bool(from_index)
    assert matched_somewhere >= len(FILTERS) - 2  # the sample catalog exercises nearly every filter


def test_an_include_sees_only_the_assignments_the_viewer_may_see_and_an_exclusion_every_one(db: None) -> None:
    row = TitleTag.objects.filter(tag__slug="drama").first()
    assert row is not None
    row.spoiler = "major"
    row.save(update_fields=["spoiler"])
    index = index_build()
    slot = index.slot_of[row.title_id]
    assert slot not in TagHas("drama").bitmap(index, PUBLIC)
    assert slot in TagHas("drama").bitmap(index, EVERYTHING)
    assert slot in TagHas("drama", every_assignment=True).bitmap(index, PUBLIC)


def test_filters_describe_themselves() -> None:
    query = SearchQuery.build(
        include_tags=("revenge",),
        exclude_tags=("coercion", "cheating"),
        min_relevance=60,
        values={"ending": ValueFilter(exclude=frozenset({"tragedy"}))},
        ranges={"intensity": Range(None, 3)},
    )
    assert [f.describe() for f in query_filters(query)] == [
        "tagged revenge (relevance 60+)",
        "not (tagged coercion or tagged cheating)",
        "not ending is tragedy",
        "intensity at most 3",
    ]
    assert TextHas("kaguya").describe() == "a title containing 'kaguya'"
