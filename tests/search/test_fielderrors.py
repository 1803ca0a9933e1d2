"""A wrong browse parameter's "did you mean": a likely value where there is one, never a link that gives the
same error again."""

from __future__ import annotations

from shuraba.core.errors import BadQuery
from shuraba.search.fielderrors import field_error


def test_letters_typed_for_digits_are_read_as_the_digits() -> None:
    error = field_error(BadQuery("year_min", "year bound must be a whole number, got '2O1S'"), {"year_min": ["2O1S"]})
    assert error is not None
    assert (error.typed, error.meant, error.meant_url) == ("2O1S", "2015", "/browse/?year_min=2015")


def test_a_number_out_of_range_offers_the_nearest_bound() -> None:
    params = {"min_relevance": ["150"], "include": ["drama"], "page": ["3"]}
    error = field_error(BadQuery("min_relevance", "must be a whole number from 0 to 100, got '150'"), params)
    assert error is not None
    assert error.meant_url == "/browse/?min_relevance=100&include=drama"  # from the first page


def test_a_word_of_a_list_is_replaced_with_its_sign_and_threshold() -> None:
    message = "unknown subgenre 'netorar'; did you mean 'netorare' or 'netori'?; values: netorare, netori"
    error = field_error(BadQuery("subgenre", message), {"subgenre": ["revenge,!netorar>=0.5"]})
    assert error is not None
    assert error.meant == "netorare"
    assert error.meant_url == "/browse/?subgenre=revenge%2C%21netorare%3E%3D0.5"


def test_no_suggestion_without_a_likely_value_or_a_word_to_replace() -> None:
    none = field_error(BadQuery("year_min", "got 'abc'"), {"year_min": ["abc"]})
    assert none is not None
    assert none.meant == ""
    quoted = field_error(BadQuery("include", "unknown tag \"it's\"; did you mean 'its'?"), {"include": ["it's"]})
    assert quoted is not None
    assert quoted.meant_url == ""  # the message's quoting hides the typed word: no link that fails again
    assert field_error(None, {}) is None
