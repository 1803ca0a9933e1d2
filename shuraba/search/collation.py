"""The one order of titles by name: case and accents do not count, so `orange` and `Ôoku` sort among the
o's and not after Z. A pure-Python key rather than ICU (PyICU needs a compiler and libicu on every machine):
for the Latin, kana and kanji names of the catalog, NFKD without its marks and casefolded is what a reader
expects; names that fold alike keep their code-point order, and the pk ends every tie.
"""

from __future__ import annotations

import unicodedata


def title_fold(title: str) -> str:
    """A name without case or accents: casefolded first (so 'İ' loses its dot too), then NFKD without marks."""
    if title.isascii():  # most names: nothing to decompose, and casefold is lower (a third of the time)
        return title.lower()
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def title_sort_key(title: str, pk: int) -> tuple[str, str, int]:
    """A title's place in the title sort: the folded name, the raw name, then the pk."""
    return (title_fold(title), title, pk)
