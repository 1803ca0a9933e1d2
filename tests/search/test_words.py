"""The ranking rules of title text (search/words.py): each kind of match, their order, and the word index
agreeing with the rules written plainly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyroaring import BitMap

from shuraba.search.normalize import text_words
from shuraba.search.words import (
    COMPOUND,
    EXACT,
    FOLDED,
    PREFIX,
    SUBSTRING,
    TYPO,
    WordIndex,
    name_tier,
    query_words,
    word_kind,
)


def _tier(name: str, query: str, *, title: bool = True) -> int:
    return name_tier(text_words(name), query_words(query), title=title)


@pytest.mark.parametrize(
    ("query", "word", "last", "kind"),
    [
        ("moon", "moon", True, EXACT),
        ("kagu", "kaguya", True, PREFIX),
        ("kagu", "kaguya", False, SUBSTRING),  # only the last word is being typed
        ("ookami", "okami", True, FOLDED),
        ("moon", "mon", True, FOLDED),
        ("beserk", "berserk", True, TYPO),  # one deletion, six characters
        ("berserkk", "berserk", True, TYPO),
        ("vermillion", "vermilion", True, TYPO),
        ("vermlilion", "vermilion", True, TYPO),  # a transposition counts once (Damerau)
        ("amrry", "marry", True, 0),  # never on the first character
        ("bersek", "berserk", False, TYPO),
        ("bers", "bars", True, 0),  # under five characters: no typo
        ("vermiliooon", "vermilion", True, TYPO),  # two typos from nine characters
        ("verrmiliooon", "vermilion", True, 0),  # three are too many
        ("ntr", "countryside", True, 0),  # three letters do not match inside a word
        ("ountr", "countryside", True, SUBSTRING),
        ("止む", "雨が止むまで", True, SUBSTRING),  # scripts without spaces match inside at any length
    ],
)
def test_word_kind(query: str, word: str, last: bool, kind: int) -> None:
    assert word_kind(query, word, last=last) == kind


def test_kinds_rank_exact_prefix_compound_folded_typo_substring() -> None:
    assert EXACT > PREFIX > COMPOUND > FOLDED > TYPO > SUBSTRING > 0


@pytest.mark.parametrize(
    ("better", "worse", "query"),
    [
        ("Sailor Moon", "Mon Amour", "moon"),  # an exact word above a long-vowel folding
        ("Moon", "Sailor Moon", "moon"),  # the name that is the query above one that holds it
        ("Berserk", "Bersek Gate", "berserk"),  # exact above a typo
        ("Kaguya Days", "Okaguya", "kaguya"),  # exact above a substring inside a word
        ("Chain Town", "Chainsaw", "chain"),  # exact above a prefix
        ("Spice Wolf", "Spice Wolfe", "spice wolf"),  # every word exact above one word a prefix
        ("Chainsaw", "Chainsaw Man", "chainsaw"),  # exactly the query above holding it
        ("Chainsaw Man", "Chainsawmen", "chainsawman"),  # a split compound above a typo of one word
        ("Okami Days", "Ookamy Days", "ookami"),  # the folded form above a typo
    ],
)
def test_a_better_kind_of_match_ranks_first(better: str, worse: str, query: str) -> None:
    assert _tier(better, query) > _tier(worse, query) > 0


def test_every_query_word_must_match_a_word_of_one_name() -> None:
    assert _tier("Spice and Wolf", "spice wolf") > 0
    assert _tier("Spice and Wolf", "spice cat") == 0
    index = WordIndex()
    index.slot_put(0, ["Spice", "Wolf"], [])  # two names, one word each: no name holds both
    assert index.match("spice wolf", BitMap([0]))[0].tolist() == []


def test_compounds_split_and_join() -> None:
    assert _tier("Chainsaw Man", "chainsawman") > 0  # one query word, two adjacent words of the name
    assert _tier("Man Chainsaw", "chainsawman") == 0  # not adjacent in that order
    assert _tier("Kaguya-sama: Love is War", "kaguyasama love") > 0
    assert _tier("Tekkonkinkreet", "tekkon kinkreet") > 0  # two query words, one word of the name
    assert word_kind("chainsawman", "chainsaw", last=True) == 0  # the rule is the name's, not the word's


def test_a_creators_name_ranks_below_a_titles_name_of_the_same_kind() -> None:
    assert _tier("Rin Kagurazaka", "kagurazaka", title=True) > _tier("Rin Kagurazaka", "kagurazaka", title=False) > 0
    assert _tier("Kagurazaka Nights", "kagurazaka", title=True) > _tier("Rin Kagurazaka", "kagurazaka", title=False)


def test_punctuation_never_hides_a_title() -> None:
    assert _tier("Lucky☆Star", "lucky star") == _tier("Lucky Star", "lucky star") > 0
    assert _tier("Spice & Wolf", "Spice and Wolf") == _tier("Spice and Wolf", "spice and wolf") > 0


NAME_WORDS = ("moon", "mon", "sailor", "chainsaw", "man", "chainsawman", "berserk", "bersek", "okami", "ookami",
              "雨が止むまで", "countryside", "ntr", "kaguya", "sama")  # fmt: skip
QUERY_WORDS = (*NAME_WORDS, "mo", "chain", "beserk", "kaguyasama", "saw", "止む", "untry", "oukami", "sailo")

names_strategy = st.lists(
    st.lists(st.tuples(st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=4), st.booleans()), max_size=3),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(
    slots=names_strategy,
    query=st.lists(st.sampled_from(QUERY_WORDS), min_size=1, max_size=3),
    dropped=st.sets(st.integers(0, 7)),
)
def test_the_word_index_answers_as_the_rules_say(
    slots: list[list[tuple[list[str], bool]]], query: list[str], dropped: set[int]
) -> None:
    """The engine's index and the rules over each name agree, after titles change and go too."""
    index = WordIndex()
    for slot, names in enumerate(slots):
        index.slot_put(slot, ["decoy words"], ["decoy"])  # replaced next: the index must forget them
        index.slot_put(slot, [" ".join(w) for w, t in names if t], [" ".join(w) for w, t in names if not t])
    for slot in dropped & set(range(len(slots))):
        index.slot_remove(slot)
    live = BitMap(set(range(len(slots))) - dropped)
    text = " ".join(query)
    expected = {}
    for slot in live:
        best = max((name_tier(w, query_words(text), title=t) for w, t in slots[slot]), default=0)
        if best:
            expected[slot] = best
    found, tiers = index.match(text, live)
    assert dict(zip(found.tolist(), tiers.tolist(), strict=True)) == expected
    assert np.all(np.diff(found) > 0)


def test_a_long_vowel_folding_is_no_prefix() -> None:
    assert _tier("Monster", "moon") == 0  # "moon" folds to "mon", which only begins "monster"


def test_a_split_compound_is_found_alike_name_by_name_and_in_one_pass_over_every_word() -> None:
    index = WordIndex()
    names = ["Chainsaw Man", "Man Chainsaw", "The Chainsaw Man Saga", "Chainsaw", "Man", "Chainsaw Man Chainsaw"]
    for slot, name in enumerate(names):
        index.slot_put(slot, [name], [])
    index.slot_put(2, ["Chainsaw Saga"], [])  # re-posted: its old words stay behind in the flat list
    a, b = index.word_id["chainsaw"], index.word_id["man"]
    both = index.postings[a] & index.postings[b]
    by_name = index._adjacent(np.array(both.to_array(), dtype=np.int64), a, b)
    assert index._adjacent_anywhere(a, b) & both == by_name
    assert sorted(int(index.name_slot[n]) for n in by_name) == [0, 5]
