"""A wrong browse parameter said next to its own field, with a "did you mean" link where one is likely: the
search ran without the parameter (views._searched), and the link runs it again with the likely value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from shuraba.core.errors import BadQuery
from shuraba.search.params import NUMBERS, Params
from shuraba.search.query import NUMERIC_FIELDS

# Letters typed for the digits they look like (2O15, l5): read as those digits for the suggestion only.
LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "S": "5"})
MEANT = re.compile(r"did you mean '([^']+)'")
# The fields the page shows an error beside (a name of the form's controls: the box's are its own).
NUMBER_FIELDS = {f"{name}_{end}": NUMERIC_FIELDS[name] for name in NUMERIC_FIELDS for end in ("min", "max")} | {
    name: (low, high) for name, (low, high, _) in NUMBERS.items() if name == "min_relevance"
}


@dataclass(frozen=True)
class FieldError:
    param: str
    message: str
    typed: str  # what was given, kept in the field so the reader can correct it
    meant: str = ""  # the likely value, or ""
    meant_url: str = ""  # the search with it


def _number_meant(raw: str, low: int, high: int) -> str:
    digits = re.sub(r"[^0-9]", "", raw.translate(LOOKALIKES))
    if not digits:
        return ""
    return str(min(max(int(digits[:12]), low), high))


def _meant(error: BadQuery, raw: str) -> str:
    if error.param in NUMBER_FIELDS:
        return _number_meant(raw, *NUMBER_FIELDS[error.param])
    found = MEANT.search(error.message)
    return found.group(1) if found else ""


def _word_replaced(value: str, raw: str, meant: str) -> str:
    """One comma list's words with `raw` read as `meant`, its sign (`!`) and threshold (`>=0.5`) kept."""
    words = []
    for word in value.split(","):
        bare = word.strip()
        sign = "!" if bare.startswith("!") else ""
        head, sep, tail = bare.removeprefix("!").partition(">=")
        words.append(f"{sign}{meant}{sep}{tail}" if head == raw else word)
    return ",".join(words)


def _replaced(params: Params, name: str, raw: str, meant: str) -> str:
    """The URL of `params` with `raw` in `name` (a whole value, or one word of a comma list) read as `meant`."""
    pairs = [
        (key, _word_replaced(value, raw, meant) if key == name else value)
        for key, values in params.items()
        if key != "page"
        for value in values
    ]
    return "/browse/?" + urlencode(pairs)


def _typed(params: Params, name: str) -> str:
    return next((v for v in params.get(name, []) if v.strip()), "")


def field_error(error: BadQuery | None, params: Params) -> FieldError | None:
    """The page's error as its field shows it; None without one."""
    if error is None:
        return None
    typed = _typed(params, error.param)
    found = MEANT.search(error.message)
    raw = typed
    if found:  # a word of a list: the one the message names (`unknown tag 'netorar'`)
        named = re.search(r"'([^']+)'", error.message)
        raw = named.group(1) if named else typed
    meant = _meant(error, raw)
    url = _replaced(params, error.param, raw, meant) if meant and meant != raw else ""
    if not url or url == _replaced(params, error.param, raw, raw):  # nothing to replace: no suggestion
        return FieldError(error.param, error.message, typed)
    return FieldError(error.param, error.message, typed, meant, url)
