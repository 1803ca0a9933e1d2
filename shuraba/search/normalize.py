"""Text normalization for title search: case, width, diacritics, punctuation and symbols, long vowels.

A name or a query becomes words (`text_words`): NFKC (width), casefolded, combining marks stripped (the
kana voicing marks kept), every punctuation mark and symbol (Unicode categories P* and S*) and every
control or separator a space, "&" the word "and". "Spice & Wolf" and "spice and wolf" are the same words,
"Lucky☆Star" is "lucky star". The long-vowel folding (`long_vowels_fold`: ou, oo -> o, uu -> u) is kept
apart: search matches it as a *folded form*, ranked below an exact word ("moon" finds Sailor Moon before
anything reading "mon"). `text_normalize` is both at once, for the lookups that compare whole names.
"""

from __future__ import annotations

import unicodedata

_KEPT_MARKS = (0x3099, 0x309A)  # the kana voicing marks: dakuten change a kana's sound


def _table() -> tuple[dict[int, None], dict[int, str | None]]:
    """Two translate tables (so the folding runs in C): combining marks (Mn) to strip after NFD, and
    punctuation, symbols, controls and separators to a space (format characters such as a zero-width
    joiner dropped)."""
    marks: dict[int, None] = {}
    spaces: dict[int, str | None] = {}
    for code in range(0x110000):
        category = unicodedata.category(chr(code))
        if category == "Mn" and code not in _KEPT_MARKS:
            marks[code] = None
        elif category[0] in "PSZ" or category == "Cc":
            spaces[code] = " "
        elif category == "Cf":
            spaces[code] = None
    spaces[ord("&")] = " and "
    return marks, spaces


_MARKS, _SPACES = _table()


def _strip_marks(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_MARKS))


def text_words(text: str) -> list[str]:
    """The words search compares: folded as the module says, split on what folded to spaces."""
    folded = _strip_marks(unicodedata.normalize("NFKC", text).casefold())
    return folded.translate(_SPACES).split()


def long_vowels_fold(text: str) -> str:
    """Long vowels written out shortened (an English "our" reads as "or": both sides fold alike)."""
    return text.replace("ou", "o").replace("oo", "o").replace("uu", "u")


def text_normalize(text: str) -> str:
    """A whole name's comparable form: its words joined by one space, long vowels shortened."""
    return long_vowels_fold(" ".join(text_words(text)))
