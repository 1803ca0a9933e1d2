from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from shuraba.accounts.policies import Hidden, Visibility, reveal_parse
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog import selectors
from shuraba.core.errors import BadQuery
from shuraba.editorial.embeds import Reading, guide_render
from shuraba.editorial.models import GuidePage, PageKind
from shuraba.lists.selectors import starter_lists
from shuraba.search.query import Range, SearchQuery
from shuraba.search.selectors import title_search
from shuraba.taxonomy.models import Axis, Tag, TagCategory, Term, TermKind
from shuraba.taxonomy.selectors import axis_value_counts, tags_counted


def _reading(request: HttpRequest) -> Reading:
    """A guide page's reader: their visibility and what this request reveals (a folded spoiler list's link)."""
    return Reading(visibility_from_request(request), reveal=reveal_parse(request.GET.get("reveal")), request=request)


def _guides() -> QuerySet[GuidePage]:
    return GuidePage.objects.filter(published=True, kind=PageKind.GUIDE)


def _no_params(request: HttpRequest) -> None:
    if request.GET:
        raise BadQuery(next(iter(request.GET))[:40], "this page takes no query parameters")


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    _no_params(request)
    visibility = visibility_from_request(request)
    newest = title_search(visibility=visibility, query=SearchQuery(sort="year", per_page=6), facets=False)
    # Starting points into the genre: stories with infidelity in them (a drama without it starts nothing).
    gentle_query = SearchQuery.build(
        ranges={"intensity": Range(None, 2), "centrality": Range(1, None)}, sort="score", per_page=6
    )
    gentle = title_search(visibility=visibility, query=gentle_query, facets=False)
    return render(
        request,
        "editorial/home.html",
        {
            "guides": _guides(),
            "newest": newest,
            "gentle": gentle,
            "total": newest.total,  # the unfiltered search counts every title this viewer may see
            "subgenres": Axis.objects.get(key="subgenre").values.all(),
            "starters": starter_lists(visibility=visibility),
        },
    )


@require_safe
def guide_index(request: HttpRequest) -> HttpResponse:
    _no_params(request)
    return render(
        request,
        "editorial/guide_index.html",
        {
            "guides": _guides(),
            "drafts": GuidePage.objects.filter(published=False).order_by("title"),
            "stages": Term.objects.filter(kind=TermKind.STAGE),
            "starters": starter_lists(visibility=visibility_from_request(request)),
        },
    )


@require_safe
def guide_page(request: HttpRequest, slug: str) -> HttpResponse:
    if set(request.GET) - {"reveal"}:
        raise BadQuery(sorted(set(request.GET) - {"reveal"})[0][:40], "a guide page takes only ?reveal=")
    page = get_object_or_404(GuidePage, slug=slug, published=True)
    if page.kind == PageKind.GLOSSARY:
        return redirect(reverse("taxonomy") + f"#word-{page.slug}")
    pages = list(_guides())
    index = pages.index(page)
    return render(
        request,
        "editorial/guide_page.html",
        {
            "page": page,
            "body": guide_render(page.body, reading=_reading(request)),
            "previous": pages[index - 1] if index > 0 else None,
            "next": pages[index + 1] if index + 1 < len(pages) else None,
        },
    )


@require_safe
def taxonomy_index(request: HttpRequest) -> HttpResponse:
    _no_params(request)
    return render(
        request,
        "editorial/taxonomy_index.html",
        {
            "axes": Axis.objects.prefetch_related("values"),
            "words": [
                (word, guide_render(word.body, reading=Reading(visibility_from_request(request), request=request)))
                for word in GuidePage.objects.filter(published=True, kind=PageKind.GLOSSARY).order_by("title")
            ],
            "terms": Term.objects.all(),
            "categories": TagCategory.objects.prefetch_related("tags"),
        },
    )


@require_safe
def taxonomy_axis(request: HttpRequest, key: str) -> HttpResponse:
    _no_params(request)
    axis = get_object_or_404(Axis.objects.prefetch_related("values"), key=key)
    visibility = visibility_from_request(request)
    counts = axis_value_counts(visibility=visibility, axis=axis)
    rows = [(v, (counts or {}).get(v.key, 0), _browse_url(axis.key, v.key)) for v in axis.values.all()]
    show_counts = counts is not None
    return render(
        request,
        "editorial/taxonomy_axis.html",
        {"axis": axis, "rows": rows, "show_counts": show_counts, "hidden": _rules_notes(visibility)},
    )


def _rules_notes(visibility: Visibility) -> tuple[Hidden, ...]:
    """The catalog-wide note on the viewer's avoid rules, for pages whose counts span the catalog (the
    engine's count of the unfiltered search, cached per visibility until the catalog changes)."""
    if not visibility.rules:
        return ()
    page = title_search(visibility=visibility, query=SearchQuery(per_page=1), facets=False, cards=False)
    return tuple(h for h in page.hidden if h.reason == "rules")


def _browse_url(axis_key: str, value_key: str) -> str:
    """The browse page filtered on one value of an axis (some axes are filtered through other fields)."""
    if axis_key == "intensity":
        return f"/browse/?intensity_min={value_key}&intensity_max={value_key}"
    if axis_key == "content-rating":
        return f"/browse/?content_rating={value_key}"
    return f"/browse/?{axis_key}={value_key}"


@require_safe
def tag_index(request: HttpRequest) -> HttpResponse:
    _no_params(request)
    visibility = visibility_from_request(request)
    tags = tags_counted(visibility=visibility)
    return render(
        request,
        "editorial/tag_index.html",
        {
            "categories": TagCategory.objects.all(),
            "tags": tags.order_by("category__order", "name"),
            "hidden": _rules_notes(visibility),
        },
    )


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    _no_params(request)
    tag = Tag.objects.select_related("category").filter(slug=slug).first()
    if tag is None:
        raise Http404("No such tag")
    page = selectors.tag_titles(visibility=visibility_from_request(request), slug=slug)
    return render(request, "editorial/tag_detail.html", {"tag": tag, "page": page})
