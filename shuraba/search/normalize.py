"""Text normalization for title search: case, width, diacritics and long-vowel romanizations.

"Ōkami", "OOKAMI", "Ookami", "Oukami" and the full-width form all become "okami", so a reader can type a
title the way they know it. Native scripts are kept (NFKC folds half-width kana to full width).
"""

from __future__ import annotations

import re
import unicodedata

# Long vowels written out: ou/oo -> o, uu -> u, ee/ei stay (too common in English words).
_LONG_VOWELS = re.compile(r"(?<=[bcdfghjkmnprstwyz])(?:ou|oo)|(?<=[bcdfghjkmnprstwyz])uu|^(?:ou|oo)|(?<=\s)(?:ou|oo)")
# Punctuation and quotes of every width fold into one space (written as escapes: ruff flags look-alikes).
_SPACES = re.compile(r"[\s\-_·・:;,.!?'\"\u201c\u201d\u2018\u2019()\[\]{}/\\]+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn" or _is_kana_mark(c))
    return unicodedata.normalize("NFC", kept)


def _is_kana_mark(char: str) -> bool:
    """Dakuten and handakuten change a kana's sound; they are not decoration to strip."""
    return char in "\u3099\u309a"


def _long_vowel(match: re.Match[str]) -> str:
    return match.group(0)[0]


def text_normalize(text: str) -> str:
    """The searchable form of a title: NFKC, casefolded, marks stripped, long vowels shortened."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _strip_marks(folded)
    folded = _SPACES.sub(" ", folded).strip()
    return _LONG_VOWELS.sub(_long_vowel, folded)
