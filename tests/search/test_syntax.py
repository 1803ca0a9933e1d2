from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuraba.core.errors import BadQuery
from shuraba.search.query import DIMENSIONS, Range, SearchQuery, ValueFilter
from shuraba.search.syntax import QuerySyntaxError, query_parse, query_read, query_text
from shuraba.search.vocab import Name, Vocabulary, vocabulary


@pytest.fixture
def vocab(db: None) -> Vocabulary:
    return vocabulary()


def test_the_issue_example_parses_into_the_query_model(vocab: Vocabulary) -> None:
    query = query_parse('revenge -infidelity ending:!tragedy intensity:<=3 year:2015.. "childhood friend"', vocab)
    assert query.include_tags == ("revenge", "childhood-friend")
    assert query.exclude_tags == ("infidelity",)
    assert query.value("ending") == ValueFilter(exclude=frozenset({"tragedy"}))
    assert query.range("intensity") == Range(None, 3)
    assert query.range("year") == Range(2015, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("centrality:major..core", Range(2, 3)),
        ("centrality:core", Range(3, 3)),
        ("centrality:<=incidental", Range(None, 1)),
        ("intensity:>2", Range(3, None)),
        ("intensity:<2", Range(None, 1)),
        ("intensity:2..4", Range(2, 4)),
    ],
)
def test_ranges_accept_numbers_names_and_comparisons(vocab: Vocabulary, text: str, expected: Range) -> None:
    name = text.partition(":")[0]
    assert query_parse(text, vocab).range(name) == expected


@pytest.mark.parametrize(
    ("text", "position", "needle"),
    [
        ("-revnge", 0, "did you mean 'revenge'"),
        ("drama ending:!tragic", 6, "did you mean 'tragedy'"),
        ("drama year:abc", 6, "whole number"),
        ("drama colour:red", 6, "unknown key 'colour'"),
        ('drama "unclosed', 6, "unclosed quote"),
        ("intensity:9", 0, "between 1 and 5"),
        ("drama sort:sideways", 6, "sort must be one of"),
        ("-ending:tragedy", 0, "key:!value"),
    ],
)
def test_errors_name_the_token_and_its_position(vocab: Vocabulary, text: str, position: int, needle: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        query_parse(text, vocab)
    assert caught.value.position == position
    assert needle in caught.value.message
    assert f"at position {position}" in caught.value.message


def test_text_form_is_canonical(vocab: Vocabulary) -> None:
    query = query_parse('q:"rain  stops" sort:score rating:teen,mature -drama romance include_mode:any', vocab)
    assert query_text(query) == 'romance -drama include_mode:any content_rating:mature,teen q:"rain stops" sort:score'


SAFE_TAGS = ("drama", "romance", "revenge", "childhood-friend", "infidelity")
VALUES = {
    "subgenre": ("netorare", "netori"),
    "ending": ("tragedy", "open"),
    "content_rating": ("teen", "explicit"),
    "country": ("JP", "KR"),
    "length": ("short", "one-shot"),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    include=st.lists(st.sampled_from(SAFE_TAGS), unique=True, max_size=3),
    exclude=st.lists(st.sampled_from(SAFE_TAGS), unique=True, max_size=2),
    include_mode=st.sampled_from(("all", "any")),
    exclude_mode=st.sampled_from(("any", "all")),
    min_relevance=st.integers(0, 100),
    values=st.dictionaries(st.sampled_from(tuple(VALUES)), st.tuples(st.booleans(), st.booleans()), max_size=3),
    ranges=st.dictionaries(
        st.sampled_from(("intensity", "year", "score")),
        st.tuples(st.none() | st.integers(1, 5), st.none() | st.integers(1, 5)),
        max_size=2,
    ),
    q=st.text(alphabet=st.sampled_from('ab" \\雨ō'), max_size=8),
    sort=st.sampled_from(("relevance", "score", "title")),
)
def test_text_form_round_trips(  # noqa: PLR0917 (one argument per generated part)
    db: None,
    include: list[str],
    exclude: list[str],
    include_mode: str,
    exclude_mode: str,
    min_relevance: int,
    values: dict[str, tuple[bool, bool]],
    ranges: dict[str, tuple[int | None, int | None]],
    q: str,
    sort: str,
) -> None:
    query = SearchQuery.build(
        include_tags=tuple(include),
        exclude_tags=tuple(exclude),
        include_mode=include_mode,
        exclude_mode=exclude_mode,
        min_relevance=min_relevance,
        values={
            d: ValueFilter(frozenset(VALUES[d][:1] if a else ()), frozenset(VALUES[d][1:] if b else ()))
            for d, (a, b) in values.items()
        },
        ranges={n: Range(lo, hi) for n, (lo, hi) in ranges.items()},
        q=" ".join(q.split()),
        sort=sort,
    )
    assert query_parse(query_text(query), vocabulary()) == query


def test_every_dimension_is_a_key_of_the_syntax(vocab: Vocabulary) -> None:
    for dimension in DIMENSIONS:
        key = vocab.values[dimension][0] if vocab.values[dimension] else "JP"
        assert query_parse(f"{dimension}:{key}", vocab).value(dimension).include == {key}


def test_too_long_a_query_is_refused(vocab: Vocabulary) -> None:
    with pytest.raises(BadQuery, match="at most 2000"):
        query_parse("drama " * 400, vocab)


@pytest.mark.parametrize(
    ("text", "dimension", "key"),
    [
        ("netorare", "subgenre", "netorare"),
        ("Netorase", "subgenre", "netorase"),
        ("ntr", "subgenre", "netorare"),  # the taxonomy's alias
        ("寝取られ", "subgenre", "netorare"),
        ("coercion", "consent", "coercion"),
        ("webtoon", "format", "webtoon"),
        ('"light novel"', "format", "light-novel"),  # a value's label, quoted
    ],
)
def test_a_bare_word_naming_one_value_includes_it(vocab: Vocabulary, text: str, dimension: str, key: str) -> None:
    query, (reading,) = query_read(text, vocab)
    assert query.value(dimension).include == {key}
    assert not query.q
    assert reading.name is not None
    assert (reading.name.dimension, reading.name.key) == (dimension, key)


def test_a_negated_bare_value_excludes_it(vocab: Vocabulary) -> None:
    assert query_parse("-ntr", vocab).value("subgenre").exclude == {"netorare"}


def test_a_bare_tag_stays_a_tag_and_names_its_other_readings(vocab: Vocabulary) -> None:
    query, (reading,) = query_read("revenge", vocab)
    assert query.include_tags == ("revenge",)
    assert not query.values
    assert {(n.dimension, n.key) for n in reading.also} == {("subgenre", "revenge")}


def test_words_that_name_nothing_are_title_text(vocab: Vocabulary) -> None:
    query, readings = query_read("spice and wolf ending:!tragedy", vocab)
    assert query.q == "spice and wolf"
    assert [r.name for r in readings] == [None, None, None]
    assert query.value("ending").exclude == {"tragedy"}


def test_everyday_words_of_other_dimensions_are_title_text(vocab: Vocabulary) -> None:
    """`married` and `friend` are values of relationship and rival, and words of titles."""
    query = query_parse("married friend", vocab)
    assert query.q == "married friend"
    assert not query.values


def test_a_word_naming_two_values_is_title_text_with_both_readings(vocab: Vocabulary) -> None:
    two = (Name("subgenre", "netori", "Netori"), Name("format", "manga", "Manga"))
    tied = Vocabulary(tags=vocab.tags, values=vocab.values, ranks=vocab.ranks, names={"twin": two})
    query, (reading,) = query_read("twin", tied)
    assert query.q == "twin"
    assert reading.name is None
    assert reading.also == two


def test_title_text_close_to_a_name_carries_a_hint(vocab: Vocabulary) -> None:
    query, (reading,) = query_read("netorrare", vocab)
    assert query.q == "netorrare"
    assert reading.hint is not None
    assert reading.hint.key == "netorare"


def test_a_reading_knows_its_place_in_the_text(vocab: Vocabulary) -> None:
    text = 'drama  -ntr "spice and wolf"'
    readings = query_read(text, vocab)[1]
    assert [text[r.start : r.end] for r in readings] == ["drama", "-ntr", '"spice and wolf"']


@pytest.mark.parametrize(
    ("text", "same_as"),
    [("tag:drama", "drama"), ("tag:drama>=60", "drama>=60"), ('tag:"childhood friend"', '"childhood friend"')],
)
def test_the_tag_key_reads_as_the_bare_tag(vocab: Vocabulary, text: str, same_as: str) -> None:
    """`tag:` is a documented alias (ALIASES): it was read as the unknown key 'tags', which the reader never
    typed and the known keys' list did not name."""
    assert query_parse(text, vocab) == query_parse(same_as, vocab)


def test_an_unknown_tag_after_the_tag_key_is_named_as_a_tag(vocab: Vocabulary) -> None:
    with pytest.raises(QuerySyntaxError, match="unknown tag 'dramma'; did you mean 'drama'"):
        query_parse("tag:dramma", vocab)
