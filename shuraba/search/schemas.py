from __future__ import annotations

from ninja import Schema

from shuraba.catalog.schemas import TitleCardOut


class HiddenOut(Schema):
    reason: str
    why: str
    count: int | None


class SearchOut(Schema):
    total: int
    page: int
    per_page: int
    items: list[TitleCardOut]
    facets: dict[str, dict[str, int]]
    query: str
    hidden: list[HiddenOut]
