"""Title text search over the real 4,045-title AniList file (../shared/data, read in place): typos,
punctuation, compounds and word ranking find the title a reader means first. The ranking is the engine's
without tags: the text tier (words.py), then popularity (AniList's list users)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from pyroaring import BitMap

from shuraba.search.words import WordIndex
from tests.shared_data import shared_data_dir

FILE = shared_data_dir() / "anilist_manga_nonadult.jsonl"
pytestmark = pytest.mark.skipif(not FILE.exists(), reason=f"no shared data at {FILE} (../shared/data)")


@cache
def _catalog() -> tuple[list[dict[str, Any]], WordIndex]:
    rows = [json.loads(line) for line in FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    index = WordIndex()
    for slot, row in enumerate(rows):
        index.slot_put(slot, [n for n in (row["title_romaji"], row["title_english"]) if n], [])
    return rows, index


def _search(text: str) -> list[dict[str, Any]]:
    rows, index = _catalog()
    slots, tiers = index.match(text, BitMap(range(len(rows))))
    pairs = zip(slots.tolist(), tiers.tolist(), strict=True)
    ranked = sorted(pairs, key=lambda st: (-st[1], -rows[st[0]]["list_users"]))
    return [rows[slot] for slot, _ in ranked]


@pytest.mark.parametrize(
    ("query", "romaji"),
    [
        ("beserk", "Berserk"),  # a typo
        ("one peice", "ONE PIECE"),  # a transposition
        ("shingeki no kyojn", "Shingeki no Kyojin"),  # a typo in the last word
        ("Spice and Wolf", "Ookami to Koushinryou"),  # "Spice & Wolf"
        ("lucky star", "Lucky☆Star"),  # a symbol between the words
        ("yuyu hakusho", "Yuu☆Yuu☆Hakusho"),  # symbols and long vowels
        ("hunter x hunter", "HUNTER\u00d7HUNTER"),
        ("nhk ni yokoso", "NHK ni Youkoso!"),  # a long vowel written short
        ("kaguyasama", "Kaguya-sama wa Kokurasetai: Tensaitachi no Renai Zunousen"),  # a compound split
        ("chainsawman", "Chainsaw Man"),
        ("yotsubato", "Yotsuba to!"),
        ("tekkon kinkreet", "Tekkon Kinkreet"),
        ("sailor moon", "Bishoujo Senshi Sailor Moon"),
        ("ntr", "Netsuzou Trap: NTR"),  # a word, not the inside of "countryside"
        ("attack on titan", "Shingeki no Kyojin"),  # the English title
        ("oyasumi punpun", "Oyasumi Punpun"),
        ("boku no hero", "Boku no Hero Academia"),  # a prefix of the name
        ("kimetsu yaiba", "Kimetsu no Yaiba"),  # words need not be adjacent
        ("vinlan", "Vinland Saga"),  # the last word typed so far
        ("fruits basket", "Fruits Basket"),  # the name itself above its spin-offs
    ],
)
def test_the_intended_title_comes_first(query: str, romaji: str) -> None:
    found = _search(query)
    assert found, query
    assert found[0]["title_romaji"] == romaji, [r["title_romaji"] for r in found[:5]]


def test_a_short_word_never_matches_inside_another() -> None:
    found = _search("ntr")
    assert found
    assert all("ntr" in f"{r['title_romaji']} {r['title_english']}".lower().replace(":", " ").split() for r in found)
