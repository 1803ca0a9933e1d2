"""The lists API's bodies, as OpenAPI shows them."""

from __future__ import annotations

from ninja import Schema


class ListSummaryOut(Schema):
    slug: str
    name: str
    kind: str
    privacy: str
    starter: bool
    focus: str
    owner: str
    updated_at: str
    total: int
    hidden_by_rules: int
    url: str


class ListsOut(Schema):
    lists: list[ListSummaryOut]
    total: int
    page: int
    pages: int


class ItemOut(Schema):
    title: str
    name: str
    position: int
    note: str
    url: str


class RuleHiddenOut(Schema):
    rule: str
    count: int


class ListOut(ListSummaryOut):
    intro: str
    intro_html: str
    items: list[ItemOut]
    hidden_note: str
    hidden_per_rule: list[RuleHiddenOut]
    editable: bool


class SuggestionOut(Schema):
    id: int
    title: str | None  # None: a title behind the owner's age gate
    name: str | None
    by: str
    note: str
    state: str
    hidden_by: list[str]
