from __future__ import annotations

import pytest

from shuraba.search.normalize import long_vowels_fold, text_normalize, text_words


@pytest.mark.parametrize(
    "spellings",
    [
        ("Ōkami", "OOKAMI", "Ookami", "Oukami", "\uff2f\uff4b\uff41\uff4d\uff49"),
        ("Okujō Kyūsen", "okujou kyuusen", "OKUJO KYUSEN", "Okujo-Kyusen"),
        ("Café Noir", "cafe noir", "CAFÉ  NOIR"),
        ("\uff76\uff9e\uff77", "ガキ"),
    ],
)
def test_spellings_of_one_title_normalize_alike(spellings: tuple[str, ...]) -> None:
    assert len({text_normalize(s) for s in spellings}) == 1


def test_native_script_and_voicing_marks_are_kept() -> None:
    assert text_normalize("雨が止むまで") == "雨が止むまで"
    assert text_normalize("か") != text_normalize("が")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Lucky☆Star", ["lucky", "star"]),  # a symbol (So) between words
        ("Spice & Wolf", ["spice", "and", "wolf"]),  # "&" reads as the word it stands for
        ("Re:Zero — Kara", ["re", "zero", "kara"]),  # punctuation of every width (Po, Pd)
        ("HUNTER\u00d7HUNTER", ["hunter", "hunter"]),  # a math symbol (Sm)
        ("「かぐや様」は", ["かぐや様", "は"]),  # CJK brackets (Ps, Pe)
        ("Zero\u200bWidth", ["zerowidth"]),  # a format character (Cf) joins, it does not split
        ("\uff2e\uff4f\uff0e\uff16", ["no", "6"]),  # full width, NFKC first
    ],
)
def test_punctuation_and_symbols_fold_to_spaces_by_unicode_category(text: str, words: list[str]) -> None:
    assert text_words(text) == words


def test_long_vowels_are_folded_apart_from_the_words() -> None:
    assert text_words("Ookami") == ["ookami"]
    assert long_vowels_fold("ookami") == long_vowels_fold("okami") == "okami"
    assert text_normalize("Ookami!") == "okami"
