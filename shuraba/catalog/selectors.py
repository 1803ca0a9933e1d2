"""Reads of the catalog. Every function takes `visibility=` and returns what that visibility shows.

Pages and the API render these projections, never raw models, so a hidden fact cannot reach a
template or a JSON body by accident: it is not in the projection at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from shuraba.accounts import policies
from shuraba.accounts.policies import Hidden, Reveal, Visibility
from shuraba.catalog.cards import TitleCard, card_subgenres_pick, card_tags_pick
from shuraba.catalog.length import length_class
from shuraba.catalog.models import (
    STAGE_ORDER,
    ContentRating,
    CreditRole,
    Format,
    StageKey,
    Status,
    Title,
    TitleAxisValue,
    TitleTag,
)
from shuraba.core.versioned import VersionedCache
from shuraba.taxonomy.models import Axis, profile_axes


class TitleNotFound(LookupError):
    """No such title, or one this viewer may not see: pages answer both alike (a 404). `hidden` says why
    a title that exists is not shown, for a page that chooses to explain it to its own viewer."""

    def __init__(self, name: str, *, hidden: Hidden | None = None) -> None:
        super().__init__(name)
        self.hidden = hidden


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
class NameShown:
    kind: str
    text: str


@dataclass(frozen=True)
class CreditShown:
    name: str
    native_name: str
    role: str
    role_label: str


@dataclass(frozen=True)
class TitleFacts:
    """A title's own fields beyond its card, for its page: never the model, which carries spoiler rows."""

    description: str
    start_date: dt.date | None
    end_date: dt.date | None
    chapters: int | None
    volumes: int | None
    format_label: str
    status_label: str
    content_rating_label: str


@dataclass(frozen=True)
class TitleDetail:
    card: TitleCard
    facts: TitleFacts
    alt_titles: tuple[NameShown, ...]
    credits: tuple[CreditShown, ...]
    external_ids: tuple[tuple[str, str, str], ...]
    axes: tuple[AxisShown, ...]
    length: str | None
    tags: tuple[TagShown, ...]
    warnings: tuple[TagShown, ...]
    hidden_tag_count: int
    stages: tuple[StageShown, ...]
    reveal: Reveal
    sources: tuple[str, ...] = field(default_factory=tuple)
    hidden_warning_count: int = 0  # of hidden_tag_count, the content warnings

    @property
    def warning_axes(self) -> tuple[AxisShown, ...]:
        """The profile axes that are warnings (consent), with values, where this viewer sees them: the content
        warnings list names them beside the warning tags."""
        return tuple(a for a in self.axes if a.warning and not a.hidden and a.values)

    @property
    def has_hidden(self) -> bool:
        return self.hidden_tag_count > 0 or any(a.hidden for a in self.axes) or any(s.hidden for s in self.stages)


@dataclass(frozen=True)
class TitlePage:
    items: tuple[TitleCard, ...]
    total: int
    page: int
    per_page: int
    hidden: tuple[Hidden, ...] = ()  # what the viewer's avoid rules hid from this listing

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _with_profile(queryset: QuerySet[Title]) -> QuerySet[Title]:
    return queryset.prefetch_related(
        Prefetch("axis_values", queryset=TitleAxisValue.objects.select_related("axis", "value")),
        Prefetch("title_tags", queryset=TitleTag.objects.select_related("tag", "tag__category")),
    )


def _card(title: Title) -> TitleCard:
    rows = list(title.axis_values.all())
    tags = ((t.relevance, t.tag.name, t.tag.slug, t.spoiler, t.tag.is_warning) for t in title.title_tags.all())
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
        subgenres=card_subgenres_pick((r.weight, r.value.order, r.value.key) for r in rows if r.axis.key == "subgenre"),
        tags=card_tags_pick(tags),
    )


def tag_titles(*, visibility: Visibility, slug: str, limit: int = 60) -> TitlePage:
    """Titles carrying a tag, leaving out those where the tag is a spoiler this visibility does not show."""
    rows = TitleTag.objects.filter(policies.assignments_shown_q(visibility), tag__slug=slug)
    listing = Title.objects.filter(pk__in=rows.values("title_id"))
    queryset = policies.titles_visible(visibility, listing)
    titles = _with_profile(queryset.order_by("-score", "title"))
    hidden: tuple[Hidden, ...] = ()
    if visibility.rules:
        total, counts = policies.rules_hidden_counts(visibility, listing)
        hidden = (policies.rules_note(total, counts),)
    return TitlePage(
        items=tuple(_card(t) for t in titles[:limit]), total=queryset.count(), page=1, per_page=limit, hidden=hidden
    )


# A title page's title with every row it shows, and the profile axes, per worker until the catalog changes
# (core/versioned.py): read-only copies shared by the worker's threads.
_TITLES: VersionedCache[Title | None] = VersionedCache(size=512)
_AXES: VersionedCache[tuple[Axis, ...]] = VersionedCache(size=1)


def _title_read(*, slug: str | None, pk: int | None) -> Title | None:
    queryset = _with_profile(Title.objects.all()).prefetch_related("alt_titles", "credits__creator", "external_ids")
    queryset = queryset.prefetch_related("stages")
    return queryset.filter(slug=slug).first() if slug is not None else queryset.filter(pk=pk or 0).first()


def _title_get(visibility: Visibility, *, slug: str | None, pk: int | None) -> Title:
    title = _TITLES.get(("slug", slug) if slug is not None else ("pk", pk), lambda: _title_read(slug=slug, pk=pk))
    if title is None:
        raise TitleNotFound(slug or str(pk))
    hidden = policies.title_hidden(visibility, title_id=title.pk, content_rating=title.content_rating)
    if hidden is not None:
        raise TitleNotFound(slug or str(pk), hidden=hidden)
    return title


def _axes(title: Title, visibility: Visibility, reveal: Reveal) -> tuple[AxisShown, ...]:
    by_axis: dict[str, list[TitleAxisValue]] = {}
    for row in title.axis_values.all():
        by_axis.setdefault(row.axis.key, []).append(row)
    shown = []
    for axis in _AXES.get("profile", lambda: tuple(profile_axes())):
        visible = policies.axis_shown(visibility, reveal, axis_key=axis.key, spoiler=axis.spoiler)
        rows = by_axis.get(axis.key, []) if visible else []
        values = tuple(ValueShown(r.value.key, r.value.label, r.weight, r.source, r.confidence, r.locked) for r in rows)
        shown.append(
            AxisShown(
                axis.key, axis.label, axis.definition, axis.spoiler, axis.warning, hidden=not visible, values=values
            )
        )
    return tuple(shown)


def _tags(title: Title, visibility: Visibility, reveal: Reveal) -> tuple[list[TagShown], int, int]:
    """The tags this viewer sees; how many are hidden as spoilers, and how many of those are warnings."""
    shown, hidden, hidden_warnings = [], 0, 0
    for row in title.title_tags.all():
        if not policies.tag_shown(visibility, reveal, level=row.spoiler):
            hidden += 1
            hidden_warnings += row.tag.category.key == "content-warning"
            continue
        shown.append(
            TagShown(
                row.tag.slug, row.tag.name, row.tag.category.key, row.relevance, row.spoiler, row.severity, row.source
            )
        )
    return shown, hidden, hidden_warnings


# Stages whose mere absence could hint at the ending ("the truth never comes out") stay hidden even
# when a title has no row for them, so a missing stage and a hidden one look the same. Not in a story
# whose centrality (never a spoiler) is "none": no partner strays, so there is no truth to come out, and a
# hidden "Revelation" there promised a stage the story does not have.
ALWAYS_SPOILER_STAGES = ("revelation", "resolution")


def _no_infidelity(axes: tuple[AxisShown, ...]) -> bool:
    return any(a.key == "centrality" and not a.hidden and [v.key for v in a.values] == ["none"] for a in axes)


def _stages(title: Title, visibility: Visibility, reveal: Reveal, *, placeholders: bool) -> tuple[StageShown, ...]:
    rows = {row.stage: row for row in title.stages.all()}
    result = []
    for order, key in enumerate(STAGE_ORDER):
        row = rows.get(key)
        level = row.spoiler if row else "none"
        if key in ALWAYS_SPOILER_STAGES and level == "none":
            level = "major"  # the revelation and the resolution are spoilers whatever a row says
        visible = policies.stage_shown(visibility, reveal, stage=key, level=level)
        if row is None and (visible or not placeholders):
            continue
        if key in ALWAYS_SPOILER_STAGES and not visible:
            level = "major"  # hidden, a minor row must read as a missing one does: its level would tell them apart
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


def _facts(title: Title) -> TitleFacts:
    return TitleFacts(
        description=title.description,
        start_date=title.start_date,
        end_date=title.end_date,
        chapters=title.chapters,
        volumes=title.volumes,
        format_label=str(Format(title.format).label),
        status_label=str(Status(title.status).label),
        content_rating_label=content_rating_label(title.content_rating),
    )


def title_detail(
    *, visibility: Visibility, reveal: Reveal, slug: str | None = None, pk: int | None = None
) -> TitleDetail:
    title = _title_get(visibility, slug=slug, pk=pk)
    tags, hidden_tags, hidden_warnings = _tags(title, visibility, reveal)
    axes = _axes(title, visibility, reveal)
    # Only the sources of facts this viewer sees: one that gave only a hidden fact would say a fact is hidden.
    sources = sorted({v.source for a in axes for v in a.values} | {t.source for t in tags})
    return TitleDetail(
        card=_card(title),
        facts=_facts(title),
        alt_titles=tuple(NameShown(a.kind, a.text) for a in title.alt_titles.all()),
        credits=tuple(
            CreditShown(c.creator.name, c.creator.native_name, c.role, str(CreditRole(c.role).label))
            for c in title.credits.all()
        ),
        external_ids=tuple((e.source, e.external_id, e.url) for e in title.external_ids.all()),
        axes=axes,
        length=length_class(chapters=title.chapters, format=title.format),
        tags=tuple(t for t in tags if t.category != "content-warning"),
        warnings=tuple(t for t in tags if t.category == "content-warning"),
        hidden_tag_count=hidden_tags,
        hidden_warning_count=hidden_warnings,
        stages=_stages(title, visibility, reveal, placeholders=not _no_infidelity(axes)),
        reveal=reveal,
        sources=tuple(sources),
    )


def content_rating_label(value: str) -> str:
    return str(ContentRating(value).label)
