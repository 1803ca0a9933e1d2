from __future__ import annotations

from ninja import Schema


class TitleCardOut(Schema):
    slug: str  # the public identifier (no database id: sequential ids would count hidden titles)
    title: str
    format: str
    status: str
    country: str
    year: int | None
    content_rating: str
    score: int | None
    popularity: int
    is_fictional: bool
    centrality: str | None
    subgenres: list[str]
    tags: list[str]
    url: str


class TitleListOut(Schema):
    total: int
    page: int
    per_page: int
    items: list[TitleCardOut]


class AltTitleOut(Schema):
    kind: str
    text: str


class CreditOut(Schema):
    name: str
    native_name: str
    role: str


class ExternalIdOut(Schema):
    source: str
    id: str
    url: str


class ValueOut(Schema):
    key: str
    label: str
    weight: float
    source: str
    confidence: float
    locked: bool


class AxisOut(Schema):
    key: str
    label: str
    spoiler: bool
    hidden: bool
    values: list[ValueOut]


class TagOut(Schema):
    slug: str
    name: str
    category: str
    relevance: int
    spoiler: str
    severity: str
    source: str


class StageOut(Schema):
    key: str
    label: str
    chapter_start: int | None
    chapter_end: int | None
    spoiler: str
    hidden: bool
    note: str


class TitleDetailOut(TitleCardOut):
    description: str
    start_date: str | None
    end_date: str | None
    chapters: int | None
    volumes: int | None
    length: str | None
    alt_titles: list[AltTitleOut]
    credits: list[CreditOut]
    external_ids: list[ExternalIdOut]
    profile: list[AxisOut]
    tags_detail: list[TagOut]
    warnings: list[TagOut]
    hidden_tag_count: int
    stages: list[StageOut]
    revealed: str
    fictional_notice: str | None


class ErrorOut(Schema):
    detail: str
    param: str | None = None
