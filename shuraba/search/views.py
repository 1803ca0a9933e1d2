from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from shuraba.accounts.policies import Visibility
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.length import LENGTH_CHAPTERS
from shuraba.catalog.models import ContentRating, Format, Status
from shuraba.core.errors import BadQuery
from shuraba.search.box import search_box
from shuraba.search.chips import query_chips
from shuraba.search.facets import facet_count
from shuraba.search.fielderrors import FieldError, field_error
from shuraba.search.params import query_params, request_params
from shuraba.search.query import PROFILE_DIMENSIONS, SORTS, SPOILER_DIMENSIONS, SearchQuery, weight_text
from shuraba.search.selectors import SearchPage, title_search_params
from shuraba.taxonomy.models import AxisValue, Tag

FIELD_GROUPS = {
    "content_rating": ("Content rating", ContentRating.choices),
    "status": ("Status", Status.choices),
    "format": ("Format", Format.choices),
}


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    count: int | None  # None: not shown (spoiler counts for a viewer who hides spoilers)
    included: bool
    excluded: bool
    removes: int | None = None  # how many titles of the current result excluding the value would remove
    value: str = ""  # the include checkbox's value: the key, with the value's own threshold (revenge>=0.5)


@dataclass(frozen=True)
class Group:
    name: str
    label: str
    spoiler: bool
    options: tuple[Option, ...]
    gated: tuple[str, ...] = ()  # the labels of values left out: the viewer's age gate hides their titles

    @property
    def active(self) -> int:
        """How many of the group's values are ticked (included or excluded)."""
        return sum(1 for o in self.options if o.included or o.excluded)


def _option(name: str, key: str, label: str, page: SearchPage, *, hide: bool) -> Option:
    """A value with what ticking it gives (`count`) and what excluding it takes away (`removes`; none for one
    already excluded: unticking it gives the total without that exclusion)."""
    query, chosen = page.query, page.query.value(name)
    excluded = key in chosen.exclude
    own = dict(query.weight_minimums) if name == "subgenre" else {}
    return Option(
        key,
        label,
        None if hide else facet_count(page.facets, query, name, key, page.total),
        key in chosen.include,
        excluded,
        removes=None if hide or excluded else page.removes.get(name, {}).get(key, 0),
        value=f"{key}>={weight_text(own[key])}" if key in own else key,
    )


def _group(name: str, label: str, choices: list[tuple[str, str]], page: SearchPage, *, spoiler: bool) -> Group:
    hide = spoiler and name not in page.removes and name not in page.facets
    return Group(name, label, spoiler, tuple(_option(name, key, text, page, hide=hide) for key, text in choices))


def _ungated(group: Group, visibility: Visibility) -> Group:
    """The content ratings the viewer's age gate hides are not offered with a count of 0 (as if the
    catalog had none): they are left out and named, with the way past the gate. One already in the URL
    stays, so the form keeps what was asked."""
    if group.name != "content_rating" or not visibility.age_gated:
        return group
    hidden = [o for o in group.options if not visibility.rating_shown(o.key) and not (o.included or o.excluded)]
    kept = tuple(o for o in group.options if o not in hidden)
    return replace(group, options=kept, gated=tuple(o.label for o in hidden))


def _groups(page: SearchPage, visibility: Visibility) -> list[Group]:
    labels: dict[str, list[tuple[str, str]]] = {}
    axis_labels = {}
    for axis, axis_label, key, label in (
        AxisValue.objects.filter(axis__key__in=[*PROFILE_DIMENSIONS, "length"])
        .order_by("axis__order", "order")
        .values_list("axis__key", "axis__label", "key", "label")
    ):
        labels.setdefault(axis, []).append((key, label))
        axis_labels[axis] = axis_label
    groups = [
        _group(n, axis_labels.get(n, n), labels.get(n, []), page, spoiler=n in SPOILER_DIMENSIONS)
        for n in PROFILE_DIMENSIONS
    ]
    groups.append(
        _group(
            "length",
            "Length",
            [(k, dict(labels.get("length", [])).get(k, k)) for k in LENGTH_CHAPTERS],
            page,
            spoiler=False,
        )
    )
    groups += [
        _ungated(_group(n, label, list(choices), page, spoiler=False), visibility)
        for n, (label, choices) in FIELD_GROUPS.items()
    ]
    countries = sorted(
        set(page.facets.get("country", {})) | page.query.value("country").include | page.query.value("country").exclude
    )
    groups.append(_group("country", "Country", [(c, c) for c in countries], page, spoiler=False))
    return groups


RANK_LABELS = {"centrality": ("none", "incidental", "major", "core"), "intensity": ("1", "2", "3", "4", "5")}


def _rank_selects(query: SearchQuery) -> list[tuple[str, str, list[tuple[int, str, bool]]]]:
    selects = []
    for axis, labels in RANK_LABELS.items():
        first = 1 if axis == "intensity" else 0
        r = query.range(axis)
        for end, bound in (("min", r.low), ("max", r.high)):
            options = [(first + i, text, bound == first + i) for i, text in enumerate(labels)]
            selects.append((f"{axis}_{end}", f"{axis.capitalize()} {'from' if end == 'min' else 'to'}", options))
    return selects


def _top_tags(page: SearchPage) -> list[tuple[str, int, str]]:
    """The most frequent tags not yet included, each with the total its link gives (the link adds the tag at
    `min_relevance`, and the count is made at that threshold: facets.py)."""
    query = page.query
    counts = page.facets.get("tags", {})
    ranked = sorted((kv for kv in counts.items() if kv[0] not in query.include_tags), key=lambda kv: (-kv[1], kv[0]))
    return [(slug, n, _url(replace(query, include_tags=(*query.include_tags, slug)), 1)) for slug, n in ranked[:24]]


@dataclass(frozen=True)
class TagChoice:
    slug: str
    name: str
    category: str
    value: str  # the include checkbox's value: the slug, with an included tag's own threshold (love-triangle>=60)
    included: bool
    excluded: bool
    count: int


def _tag_choices(page: SearchPage) -> list[TagChoice]:
    """The tag picker's rows, the chosen ones first, then in the vocabulary's order; each with what ticking
    it gives."""
    query = page.query
    own = dict(query.tag_minimums)
    rows = [
        TagChoice(
            t.slug,
            t.name,
            t.category.label,
            f"{t.slug}>={own[t.slug]}" if t.slug in own else t.slug,
            t.slug in query.include_tags,
            t.slug in query.exclude_tags,
            facet_count(page.facets, query, "tags", t.slug, page.total),
        )
        for t in Tag.objects.select_related("category").order_by("category__order", "name")
    ]
    return sorted(rows, key=lambda row: not (row.included or row.excluded))


# Where the form says a parameter's error: the slot beside its field (the box's errors are the box's own).
ERROR_SLOTS: dict[str, tuple[str, ...]] = {
    "year": ("year_min", "year_max", "score_min", "score_max", "year", "score", "popularity", "popularity_min"),
    "rank": ("centrality_min", "centrality_max", "intensity_min", "intensity_max", "centrality", "intensity"),
    "tags": ("include", "tag", "exclude", "include_mode", "exclude_mode", "min_relevance"),
    "sort": ("sort",),
    "subgenre": ("subgenre", "min_weight"),
}
OPEN_GROUPS = 2  # the first groups are open; any other opens when it has a ticked value or an error


def _error_slot(error: FieldError | None, groups: list[Group]) -> str:
    if error is None:
        return ""
    slot = next((name for name, params in ERROR_SLOTS.items() if error.param in params), "")
    return slot or next((g.name for g in groups if g.name == error.param), "")


def _labels(groups: list[Group]) -> dict[str, object]:
    return {
        "labels": {(g.name, o.key): o.label for g in groups for o in g.options},
        "groups": {g.name: g.label for g in groups},
        "tag_names": dict(Tag.objects.values_list("slug", "name")),
        "ranks": RANK_LABELS,
    }


def _url(query: SearchQuery, page: int) -> str:
    return "?" + urlencode(query_params(query, page=page))


def _searched(visibility: Visibility, params: dict[str, list[str]]) -> tuple[SearchPage, BadQuery | None]:
    """The search of the URL's parameters; a wrong one (a year "abc", a page past the last) is left out and
    named, and the rest searched, so the page keeps the form and every other filter (with JavaScript on, the
    400 used to vanish; without, the error page lost the form)."""
    error: BadQuery | None = None
    for _ in range(len(params) + 1):
        try:
            page = title_search_params(visibility=visibility, params=params)
            if page.query.page > page.pages:
                raise BadQuery("page", f"page {page.query.page} is past the last page ({page.pages})")
            return page, error
        except BadQuery as exc:
            error = error or exc
            params = {k: v for k, v in params.items() if k != exc.param} if exc.param in params else {}
    return title_search_params(visibility=visibility, params={}), error


def _context(
    page: SearchPage, visibility: Visibility, params: dict[str, list[str]], error: BadQuery | None
) -> dict[str, object]:
    query = page.query
    share_url = "/browse/" + _url(query, 1) if query.is_filtered() else "/browse/"
    groups = _groups(page, visibility)
    box = search_box(params, error)
    fe = None if box.error else field_error(error, params)  # the box's own error is said at the box
    bounds: dict[str, object] = {
        f"{name}_{end}": "" if getattr(query.range(name), attr) is None else getattr(query.range(name), attr)
        for name in ("year", "score")
        for end, attr in (("min", "low"), ("max", "high"))
    }
    typed = {fe.param: fe.typed} if fe else {}
    slot = _error_slot(fe, groups)
    return {
        "page": page,
        "query": query,
        "groups": groups,
        "open_groups": OPEN_GROUPS,
        "sorts": SORTS,
        "tag_choices": _tag_choices(page),
        "tags_active": len(query.include_tags) + len(query.exclude_tags),
        "min_weight": typed.get("min_weight", weight_text(query.min_weight) if query.min_weight else ""),
        "min_relevance": typed.get("min_relevance", query.min_relevance or ""),
        "top_tags": _top_tags(page),
        "rank_selects": _rank_selects(query),
        "rank_active": bool(query.range("centrality") or query.range("intensity")),
        "bounds": bounds | {k: v for k, v in typed.items() if k in bounds},
        "prev_url": _url(query, query.page - 1) if query.page > 1 else None,
        "next_url": _url(query, query.page + 1) if query.page < page.pages else None,
        "share_url": share_url,
        "clear_url": "/browse/" + (f"?sort={query.sort}" if query.sort != "relevance" else ""),
        "chips": query_chips(query, **_labels(groups)),  # type: ignore[arg-type]
        "text_url": "/browse/?" + urlencode({"query": page.text}) if page.text else "",
        "box": box,
        "error": None if box.error else error,
        "field_error": fe,
        "error_slot": slot,
        "error_slots": (*ERROR_SLOTS, *(g.name for g in groups if g.name not in ERROR_SLOTS)),
    }


@require_safe
@vary_on_headers("HX-Request", "HX-Target")  # one URL, two bodies: the full page, or htmx's results fragment
def browse(request: HttpRequest) -> HttpResponse:
    visibility = visibility_from_request(request)
    params = request_params(request)
    page, error = _searched(visibility, params)
    context = _context(page, visibility, params, error)
    htmx = getattr(request, "htmx", None)
    # htmx asks for the results (a tick in the form) or, targeting #browse, for the whole page (a chip,
    # "Clear all": the form must lose the removed filter too), from which htmx takes the layout.
    if htmx and htmx.target != "browse":
        context["fragment"] = True
        if error is not None:  # 422: htmx swaps it in (base.html's responseHandling); the address stays as typed
            return render(request, "search/_results.html", context, status=422)
        # The address bar gets the canonical, shareable URL rather than every empty form field.
        return push_url(render(request, "search/_results.html", context), str(context["share_url"]))
    return render(request, "search/browse.html", context, status=400 if error else 200)
