"""The search box of the browse page and the site header: its text, how its words were read, and the links
that read a word another way. One box, one parameter: it submits `query` (the syntax of syntax.py), because
its text is that syntax; an old URL's `q` (title text) shows in the box as `q:"…"`, so it keeps its meaning."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from shuraba.core.errors import BadQuery
from shuraba.search.params import Params
from shuraba.search.selectors import query_readings
from shuraba.search.syntax import Reading, reading_replaced, title_words
from shuraba.search.vocab import Name

BOX_PARAMS = ("query", "q")  # an error in either is shown at the box, not above the results


@dataclass(frozen=True)
class Alternative:
    label: str
    url: str


@dataclass(frozen=True)
class Word:
    """One bare word as the page says it: what it was read as, and the other ways to read it."""

    word: str
    name: Name | None
    negated: bool
    alternatives: tuple[Alternative, ...]
    hint: Alternative | None


@dataclass(frozen=True)
class Box:
    text: str
    words: tuple[Word, ...]
    error: BadQuery | None


def _scalar(params: Params, name: str) -> str:
    return next((v.strip() for v in params.get(name, []) if v.strip()), "")


def box_text(params: Params) -> str:
    text, q = _scalar(params, "query"), " ".join(_scalar(params, "q").split())
    return " ".join(part for part in (text, title_words(q) if q else "") if part)


def _url(params: Params, text: str) -> str:
    kept = [(k, v) for k, values in params.items() if k not in {"query", "q", "page"} for v in values]
    return "/browse/?" + urlencode([*kept, ("query", text)])


def _word(params: Params, text: str, reading: Reading) -> Word:
    negated = text[reading.start] == "-"
    sign = "-" if negated else ""
    others = reading.also if reading.name is not None or not negated else ()
    alternatives = [
        Alternative(f"{n.kind}: {n.label}", _url(params, reading_replaced(text, reading, sign + n.syntax)))
        for n in others
        if n.dimension != "tags"
    ]
    if reading.name is not None and not negated:
        title = reading_replaced(text, reading, title_words(reading.word))
        alternatives.append(Alternative(f"search titles for “{reading.word}” instead", _url(params, title)))
    hint = reading.hint
    return Word(
        reading.word,
        reading.name,
        negated,
        tuple(alternatives),
        Alternative(f"{hint.kind}: {hint.label}", _url(params, reading_replaced(text, reading, hint.syntax)))
        if hint
        else None,
    )


def search_box(params: Params, error: BadQuery | None) -> Box:
    """The box for the page's parameters; `error` is the search's (shown at the box when it is the box's)."""
    text = box_text(params)
    error = error if error is not None and error.param in BOX_PARAMS else None
    if error is not None or not _scalar(params, "query"):
        return Box(text, (), error)
    readings = query_readings(_scalar(params, "query"))
    return Box(text, tuple(_word(params, text, r) for r in readings), None)
