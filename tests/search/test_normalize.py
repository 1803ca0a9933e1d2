from __future__ import annotations

import pytest

from shuraba.search.normalize import text_normalize


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
