"""Per-tag relevance and per-subgenre weight thresholds: the text syntax, the URL and API parameters,
their canonical forms (which round-trip), and bad thresholds as 400s naming the parameter."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuraba.search.params import query_from_params, query_params
from shuraba.search.query import SearchQuery, ValueFilter
from shuraba.search.syntax import query_parse, query_text
from shuraba.search.vocab import Vocabulary, vocabulary

TAGS = ("love-triangle", "drama", "revenge")
SUBGENRES = ("netorare", "netori", "revenge")


@pytest.fixture
def vocab(db: None) -> Vocabulary:
    return vocabulary()


def test_a_tag_threshold_in_the_syntax_and_the_url_is_the_same_query(vocab: Vocabulary) -> None:
    text = query_parse("love-triangle>=60 drama min_relevance:20", vocab)
    url = query_from_params({"include": ["love-triangle>=60,drama"], "min_relevance": ["20"]}, vocab)
    assert text == url
    assert (text.tag_minimum("love-triangle"), text.tag_minimum("drama")) == (60, 20)


def test_a_subgenre_weight_threshold_in_the_syntax_and_the_url_is_the_same_query(vocab: Vocabulary) -> None:
    text = query_parse("subgenre:revenge>=0.5,netorare min_weight:0.25", vocab)
    url = query_from_params({"subgenre": ["revenge>=0.5,netorare"], "min_weight": ["0.25"]}, vocab)
    assert text == url
    assert (text.weight_minimum("revenge"), text.weight_minimum("netorare")) == (0.5, 0.25)


def test_the_highest_threshold_given_for_a_tag_holds(vocab: Vocabulary) -> None:
    query = query_from_params({"include": ["drama>=40,drama>=70"], "query": ["drama>=50"]}, vocab)
    assert query.include_tags == ("drama",)
    assert query.tag_minimum("drama") == 70


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    tags=st.dictionaries(st.sampled_from(TAGS), st.none() | st.integers(0, 100), max_size=3),
    subgenres=st.dictionaries(
        st.sampled_from(SUBGENRES), st.none() | st.sampled_from((0.0, 0.25, 0.5, 1.0)), max_size=3
    ),
    min_relevance=st.integers(0, 100),
    min_weight=st.sampled_from((0.0, 0.1, 0.5, 0.75, 1.0)),
    mode=st.sampled_from(("all", "any")),
)
def test_thresholds_round_trip_through_the_text_and_the_url(  # noqa: PLR0917 (one argument per generated part)
    vocab: Vocabulary,
    tags: dict[str, int | None],
    subgenres: dict[str, float | None],
    min_relevance: int,
    min_weight: float,
    mode: str,
) -> None:
    query = SearchQuery.build(
        include_tags=tuple(tags),
        include_mode=mode,
        tag_minimums={k: v for k, v in tags.items() if v is not None},
        min_relevance=min_relevance,
        values={"subgenre": ValueFilter(frozenset(subgenres), frozenset({"netorase"}))},
        weight_minimums={k: v for k, v in subgenres.items() if v is not None},
        min_weight=min_weight,
    )
    assert query_parse(query_text(query), vocab) == query
    params: dict[str, list[str]] = {}
    for name, value in query_params(query):
        params.setdefault(name, []).append(value)
    assert query_from_params(params, vocab) == query


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"include": "love-triangle>=abc"}, "include"),
        ({"include": "love-triangle>=101"}, "include"),
        ({"include": "love-triangle>=-1"}, "include"),
        ({"tag": "drama>="}, "tag"),
        ({"subgenre": "revenge>=2"}, "subgenre"),
        ({"subgenre": "revenge>=abc"}, "subgenre"),
        ({"subgenre": "!revenge>=0.5"}, "subgenre"),
        ({"format": "manga>=0.5"}, "format"),
        ({"min_weight": "1.5"}, "min_weight"),
        ({"min_weight": "half"}, "min_weight"),
        ({"query": "love-triangle>=abc"}, "query"),
        ({"query": "love-triangle>=101"}, "query"),
        ({"query": "subgenre:revenge>=2"}, "query"),
        ({"query": "-drama>=40"}, "query"),
        ({"query": "min_weight:2"}, "query"),
    ],
)
def test_a_bad_threshold_is_a_400_naming_the_parameter(unverified: Client, params: dict[str, str], name: str) -> None:
    response = unverified.get("/api/v1/search", params)
    assert response.status_code == 400, params
    body = response.json()
    assert body["param"] == name
    assert "threshold" in body["detail"] or "number from 0 to 1" in body["detail"], body


def test_a_bad_threshold_on_the_browse_page_is_named_not_a_500(unverified: Client) -> None:
    response = unverified.get("/browse/", {"include": "love-triangle>=abc"})
    assert response.status_code == 400
    assert "relevance threshold must be a whole number" in response.content.decode()


def test_old_min_relevance_urls_keep_their_meaning(unverified: Client, vocab: Vocabulary) -> None:
    old = query_from_params({"include": ["love-triangle"], "min_relevance": ["60"]}, vocab)
    assert old.tag_minimums == ()
    assert old.tag_minimum("love-triangle") == 60
    assert query_params(old) == [("include", "love-triangle"), ("min_relevance", "60")]


def test_a_tag_threshold_narrows_the_search_as_min_relevance_does(unverified: Client) -> None:
    own = unverified.get("/api/v1/search", {"include": "love-triangle>=60"}).json()
    default = unverified.get("/api/v1/search", {"include": "love-triangle", "min_relevance": "60"}).json()
    anything = unverified.get("/api/v1/search", {"include": "love-triangle"}).json()
    assert own["total"] == default["total"] < anything["total"]
    assert own["query"] == "love-triangle>=60"


def test_a_primary_subgenre_is_one_at_half_weight_or_more(unverified: Client) -> None:
    primary = unverified.get("/api/v1/search", {"subgenre": "revenge>=0.5"}).json()
    default = unverified.get("/api/v1/search", {"subgenre": "revenge", "min_weight": "0.5"}).json()
    anywhere = unverified.get("/api/v1/search", {"subgenre": "revenge"}).json()
    assert primary["total"] == default["total"] <= anywhere["total"]
    assert primary["total"] > 0
