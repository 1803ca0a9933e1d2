"""Reads of the catalog. Every function takes `viewer=` and returns what that viewer may see.

Pages and the API render these projections, never raw models, so a hidden fact cannot reach a
template or a JSON body by accident: it is not in the projection at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from shuraba.accounts import policies
from shuraba.accounts.policies import Reveal, Viewer
from shuraba.catalog.length import length_class
from shuraba.catalog.models import (
    STAGE_ORDER,
    AltTitle,
    ChangeRecord,
    ContentRating,
    Credit,
    StageKey,
    Title,
    TitleAxisValue,
    TitleTag,
)
from shuraba.taxonomy.models import profile_axes


class TitleNotFound(LookupError):
    """No such title, or one this viewer may not see: the two are indistinguishable on purpose."""


@dataclass(frozen=True)
class ValueShown:
    key: str
    label: str
    weight: float
    source: str
    confidence: float
    locked: bool


@dataclass(frozen=True)
class AxisShown:
    key: str
    label: str
    definition: str
    spoiler: bool
    warning: bool
    hidden: bool
    values: tuple[ValueShown, ...] = ()


@dataclass(frozen=True)
class TagShown:
    slug: str
    name: str
    category: str
    relevance: int
    spoiler: str
    severity: str
    source: str


@dataclass(frozen=True)
class StageShown:
    key: str
    label: str
    order: int
    chapter_start: int | None
    chapter_end: int | None
    spoiler: str
    hidden: bool
    note: str = ""


@dataclass(frozen=True)
class TitleCard:
    id: int
    slug: str
    title: str
    format: str
    status: str
    country: str
    year: int | None
    content_rating: str
    score: int | None
    popularity: int
    is_fictional: bool
    description: str
    centrality: str | None
    subgenres: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class TitleDetail:
    card: TitleCard
    title: Title
    alt_titles: tuple[AltTitle, ...]
    credits: tuple[Credit, ...]
    external_ids: tuple[tuple[str, str, str], ...]
    axes: tuple[AxisShown, ...]
    length: str | None
    tags: tuple[TagShown, ...]
    warnings: tuple[TagShown, ...]
    hidden_tag_count: int
    stages: tuple[StageShown, ...]
    reveal: Reveal
    sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def has_hidden(self) -> bool:
        return self.hidden_tag_count > 0 or any(a.hidden for a in self.axes) or any(s.hidden for s in self.stages)


@dataclass(frozen=True)
class TitlePage:
    items: tuple[TitleCard, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _with_profile(queryset: QuerySet[Title]) -> QuerySet[Title]:
    return queryset.prefetch_related(
        Prefetch("axis_values", queryset=TitleAxisValue.objects.select_related("axis", "value")),
        Prefetch("title_tags", queryset=TitleTag.objects.select_related("tag", "tag__category")),
    )


def _card(title: Title, viewer: Viewer) -> TitleCard:
    rows = list(title.axis_values.all())
    tags = [t for t in title.title_tags.all() if t.spoiler == "none" and not t.tag.is_warning]
    return TitleCard(
        id=title.pk,
        slug=title.slug,
        title=title.title,
        format=title.format,
        status=title.status,
        country=title.country,
        year=title.start_year,
        content_rating=title.content_rating,
        score=title.score,
        popularity=title.popularity,
        is_fictional=title.is_fictional,
        description=title.description,
        centrality=next((r.value.key for r in rows if r.axis.key == "centrality"), None),
        subgenres=tuple(r.value.key for r in rows if r.axis.key == "subgenre" and not r.axis.spoiler),
        tags=tuple(t.tag.slug for t in tags[:6]),
    )


def tag_titles(*, viewer: Viewer, slug: str, limit: int = 60) -> TitlePage:
    """Titles carrying a tag, leaving out those where the tag is a spoiler the viewer has not revealed."""
    rows = TitleTag.objects.filter(policies.tag_spoilers_q(viewer), tag__slug=slug)
    queryset = policies.titles_visible(viewer, Title.objects.filter(pk__in=rows.values("title_id")))
    titles = _with_profile(queryset.order_by("-score", "title"))
    return TitlePage(
        items=tuple(_card(t, viewer) for t in titles[:limit]), total=queryset.count(), page=1, per_page=limit
    )


def _title_get(viewer: Viewer, *, slug: str | None, pk: int | None) -> Title:
    queryset = policies.titles_visible(viewer, _with_profile(Title.objects.all()))
    queryset = queryset.prefetch_related("alt_titles", "credits__creator", "external_ids", "stages")
    title = queryset.filter(slug=slug).first() if slug is not None else queryset.filter(pk=pk or 0).first()
    if title is None or not policies.title_is_visible(viewer, content_rating=title.content_rating):
        raise TitleNotFound(slug or str(pk))
    return title


def _axes(title: Title, viewer: Viewer, reveal: Reveal) -> tuple[AxisShown, ...]:
    by_axis: dict[str, list[TitleAxisValue]] = {}
    for row in title.axis_values.all():
        by_axis.setdefault(row.axis.key, []).append(row)
    shown = []
    for axis in profile_axes():
        visible = policies.axis_shown(viewer, reveal, axis_key=axis.key, spoiler=axis.spoiler)
        rows = by_axis.get(axis.key, []) if visible else []
        values = tuple(ValueShown(r.value.key, r.value.label, r.weight, r.source, r.confidence, r.locked) for r in rows)
        shown.append(
            AxisShown(
                axis.key, axis.label, axis.definition, axis.spoiler, axis.warning, hidden=not visible, values=values
            )
        )
    return tuple(shown)


def _tags(title: Title, viewer: Viewer, reveal: Reveal) -> tuple[list[TagShown], int]:
    shown, hidden = [], 0
    for row in title.title_tags.all():
        if not policies.tag_shown(viewer, reveal, level=row.spoiler):
            hidden += 1
            continue
        shown.append(
            TagShown(
                row.tag.slug, row.tag.name, row.tag.category.key, row.relevance, row.spoiler, row.severity, row.source
            )
        )
    return shown, hidden


# Stages whose mere absence could hint at the ending ("the truth never comes out") stay hidden even
# when a title has no row for them, so a missing stage and a hidden one look the same.
ALWAYS_SPOILER_STAGES = ("revelation", "resolution")


def _stages(title: Title, viewer: Viewer, reveal: Reveal) -> tuple[StageShown, ...]:
    rows = {row.stage: row for row in title.stages.all()}
    result = []
    for order, key in enumerate(STAGE_ORDER):
        row = rows.get(key)
        level = row.spoiler if row else "none"
        if key in ALWAYS_SPOILER_STAGES and level == "none":
            level = "major"  # the revelation and the resolution are spoilers whatever a row says
        visible = policies.stage_shown(viewer, reveal, stage=key, level=level)
        if row is None and visible:
            continue
        result.append(
            StageShown(
                key=key,
                label=StageKey(key).label,
                order=order,
                chapter_start=row.chapter_start if row and visible else None,
                chapter_end=row.chapter_end if row and visible else None,
                spoiler=level,
                hidden=not visible,
                note=row.note if row and visible else "",
            )
        )
    return tuple(result)


def title_detail(*, viewer: Viewer, reveal: Reveal, slug: str | None = None, pk: int | None = None) -> TitleDetail:
    title = _title_get(viewer, slug=slug, pk=pk)
    tags, hidden_tags = _tags(title, viewer, reveal)
    sources = sorted({r.source for r in title.axis_values.all()} | {r.source for r in title.title_tags.all()})
    return TitleDetail(
        card=_card(title, viewer),
        title=title,
        alt_titles=tuple(title.alt_titles.all()),
        credits=tuple(title.credits.all()),
        external_ids=tuple((e.source, e.external_id, e.url) for e in title.external_ids.all()),
        axes=_axes(title, viewer, reveal),
        length=length_class(chapters=title.chapters, format=title.format),
        tags=tuple(t for t in tags if t.category != "content-warning"),
        warnings=tuple(t for t in tags if t.category == "content-warning"),
        hidden_tag_count=hidden_tags,
        stages=_stages(title, viewer, reveal),
        reveal=reveal,
        sources=tuple(sources),
    )


def title_history(*, viewer: Viewer, slug: str) -> tuple[Title, QuerySet[ChangeRecord]]:
    title = _title_get(viewer, slug=slug, pk=None)
    return title, ChangeRecord.objects.filter(title=title).select_related("actor")


def content_rating_label(value: str) -> str:
    return str(ContentRating(value).label)
