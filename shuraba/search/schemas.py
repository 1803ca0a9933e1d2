from __future__ import annotations

from ninja import Schema

from shuraba.catalog.schemas import TitleCardOut


class RuleCountOut(Schema):
    name: str
    count: int
    unclassified: int  # of `count`, hidden only because not classified yet (or on evidence)


class HiddenOut(Schema):
    reason: str  # age-gate, spoilers or rules
    why: str
    count: int | None
    rules: list[RuleCountOut] = []  # reason rules: per rule of the viewer's own, how many it hid here


class SearchOut(Schema):
    total: int
    page: int
    per_page: int
    items: list[TitleCardOut]
    facets: dict[str, dict[str, int]]  # per dimension (and "tags"): the total once the value is ticked
    removes: dict[str, dict[str, int]]  # per dimension: how many of the results excluding the value removes
    query: str
    hidden: list[HiddenOut]


class SuggestTitleOut(Schema):
    slug: str
    title: str
    year: int | None
    format: str


class SuggestTermOut(Schema):
    kind: str  # "tag" or the dimension ("subgenre", "format", ...)
    key: str
    label: str
    syntax: str  # what the search box takes for it: the tag's slug, or dimension:key


class SuggestOut(Schema):
    q: str
    titles: list[SuggestTitleOut]
    terms: list[SuggestTermOut]
