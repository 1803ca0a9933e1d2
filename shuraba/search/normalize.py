"""Text normalization for title search: case, width, diacritics and long-vowel romanizations.

"Ōkami", "OOKAMI", "Ookami", "Oukami" and the full-width form all become "okami", so a reader can type a
title the way they know it. Native scripts are kept (NFKC folds half-width kana to full width).
"""

from __future__ import annotations

import re
import unicodedata

# Punctuation and quotes of every width fold into one space (written as escapes: ruff flags look-alikes).
_SPACES = re.compile(r"[\s\-_·・:;,.!?'\"\u201c\u201d\u2018\u2019()\[\]{}/\\]+")


# Combining marks except the kana voicing marks (U+3099, U+309A): dakuten change a kana's sound.
# Every combining mark (category Mn) except the kana voicing marks U+3099 and U+309A, which change a
# kana's sound: a translate table, so stripping runs in C.
_MARKS = {c: None for c in range(0x110000) if unicodedata.category(chr(c)) == "Mn" and c not in (0x3099, 0x309A)}


def _strip_marks(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_MARKS))


def text_normalize(text: str) -> str:
    """The searchable form of a title: NFKC, casefolded, marks stripped, long vowels shortened."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _strip_marks(folded)
    folded = _SPACES.sub(" ", folded).strip()
    # Long vowels written out shorten everywhere (queries and names alike, so matching stays symmetric;
    # an English "our" reads as "or" on both sides).
    return folded.replace("ou", "o").replace("oo", "o").replace("uu", "u")
