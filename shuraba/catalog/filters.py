"""The browse filters: parsed from query parameters, shared by the browse page and the API.

Each filter knows its parameter, its SQL and its English (datasette's habit), so a page can say what
it is showing. The full faceted engine and its text syntax come with the search app.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from shuraba.catalog.models import ContentRating, Format, Status, Title
from shuraba.core.errors import BadQuery
from shuraba.taxonomy.models import Tag, choice_axes

SORTS = {
    "title": ("title", "pk"),
    "score": ("-score", "title", "pk"),
    "popularity": ("-popularity", "title", "pk"),
    "year": ("-start_date", "title", "pk"),
    "updated": ("-updated_at", "pk"),
}
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 24
MAX_TAGS = 20
MAX_Q_LENGTH = 200
# Chapter bounds of the derived length axis (taxonomy.toml defines the same thresholds in words).
LENGTH_CHAPTERS = {"one-shot": (1, 1), "short": (2, 20), "medium": (21, 80), "long": (81, None)}
FIELD_CHOICES = {
    "content_rating": ContentRating.values,
    "status": Status.values,
    "format": Format.values,
}
FIELD_LABELS = {
    "content_rating": ("Content rating", ContentRating),
    "status": ("Status", Status),
    "format": ("Format", Format),
}


@dataclass(frozen=True)
class TitleFilter:
    axes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    length: frozenset[str] = frozenset()
    intensity_min: int | None = None
    intensity_max: int | None = None
    tags: tuple[str, ...] = ()
    q: str = ""
    sort: str = "title"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def is_empty(self) -> bool:
        return not (
            self.axes or self.fields or self.length or self.tags or self.q or self.intensity_min or self.intensity_max
        )


def filter_params() -> list[str]:
    axes = [a.key for a in choice_axes()]
    return [*axes, *FIELD_CHOICES, "length", "intensity_min", "intensity_max", "tag", "q", "sort", "page", "per_page"]


def _values(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    return [v.strip() for raw in params.get(name, []) for v in raw.split(",") if v.strip()]


def _choice_set(name: str, values: list[str], allowed: Sequence[str]) -> frozenset[str]:
    for value in values:
        if value not in allowed:
            raise BadQuery(name, f"unknown value {value!r}; use one of {', '.join(allowed)}")
    return frozenset(values)


def _int(params: Mapping[str, Sequence[str]], name: str, low: int, high: int) -> int | None:
    values = params.get(name, [])
    if not values or not values[-1].strip():
        return None
    raw = values[-1].strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadQuery(name, f"must be a whole number from {low} to {high}, got {raw[:40]!r}")
    return int(raw)


def _tags(params: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    slugs = _values(params, "tag")
    if len(slugs) > MAX_TAGS:
        raise BadQuery("tag", f"at most {MAX_TAGS} tags, got {len(slugs)}")
    known = set(Tag.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise BadQuery("tag", f"unknown tag {unknown[0][:80]!r}; tags are named by slug, see /taxonomy/tags/")
    return tuple(dict.fromkeys(slugs))


def title_filter_parse(params: Mapping[str, Sequence[str]], *, extra: Sequence[str] = ()) -> TitleFilter:
    """Read filters from query parameters; raise BadQuery naming the first bad one."""
    known = set(filter_params()) | set(extra)
    for name in params:
        if name not in known:
            raise BadQuery(name[:40], f"unknown parameter; known parameters are {', '.join(sorted(known))}")
    axes = {}
    for axis in choice_axes().prefetch_related("values"):
        chosen = _values(params, axis.key)
        if chosen:
            axes[axis.key] = _choice_set(axis.key, chosen, [v.key for v in axis.values.all()])
    fields = {
        name: _choice_set(name, _values(params, name), allowed)
        for name, allowed in FIELD_CHOICES.items()
        if _values(params, name)
    }
    sort = (params.get("sort") or ["title"])[-1] or "title"
    if sort not in SORTS:
        raise BadQuery("sort", f"unknown sort {sort[:40]!r}; use one of {', '.join(SORTS)}")
    q = " ".join((params.get("q") or [""])[-1].split())
    if len(q) > MAX_Q_LENGTH:
        raise BadQuery("q", f"at most {MAX_Q_LENGTH} characters")
    return TitleFilter(
        axes=axes,
        fields=fields,
        length=_choice_set("length", _values(params, "length"), list(LENGTH_CHAPTERS)),
        intensity_min=_int(params, "intensity_min", 1, 5),
        intensity_max=_int(params, "intensity_max", 1, 5),
        tags=_tags(params),
        q=q,
        sort=sort,
        page=_int(params, "page", 1, 1_000_000) or 1,
        per_page=_int(params, "per_page", 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE,
    )


def _length_q(lengths: frozenset[str]) -> Q:
    condition = Q(pk__in=[])
    for name in lengths:
        low, high = LENGTH_CHAPTERS[name]
        part = Q(chapters__gte=low) if high is None else Q(chapters__gte=low, chapters__lte=high)
        if name == "one-shot":
            part |= Q(format=Format.ONE_SHOT)
        condition |= part
    return condition


def title_filter_apply(queryset: QuerySet[Title], spec: TitleFilter) -> QuerySet[Title]:
    """The SQL of every filter. Spoiler axes filter here without their value being printed anywhere."""
    for axis_key, values in spec.axes.items():
        queryset = queryset.filter(
            pk__in=Title.objects.filter(axis_values__axis__key=axis_key, axis_values__value__key__in=values).values(
                "pk"
            )
        )
    for name, values in spec.fields.items():
        queryset = queryset.filter(**{f"{name}__in": values})
    if spec.length:
        queryset = queryset.filter(_length_q(spec.length))
    if spec.intensity_min or spec.intensity_max:
        bounds = {"axis_values__axis__key": "intensity"}
        if spec.intensity_min:
            bounds["axis_values__value__rank__gte"] = spec.intensity_min  # type: ignore[assignment]
        if spec.intensity_max:
            bounds["axis_values__value__rank__lte"] = spec.intensity_max  # type: ignore[assignment]
        queryset = queryset.filter(pk__in=Title.objects.filter(**bounds).values("pk"))
    for slug in spec.tags:
        queryset = queryset.filter(pk__in=Title.objects.filter(title_tags__tag__slug=slug).values("pk"))
    if spec.q:
        queryset = queryset.filter(
            Q(title__icontains=spec.q) | Q(pk__in=Title.objects.filter(alt_titles__text__icontains=spec.q).values("pk"))
        )
    return queryset.order_by(*SORTS[spec.sort])


def length_class(*, chapters: int | None, format: str) -> str | None:
    if format == Format.ONE_SHOT:
        return "one-shot"
    if chapters is None:
        return None
    for name, (low, high) in LENGTH_CHAPTERS.items():
        if chapters >= low and (high is None or chapters <= high):
            return name
    return None
