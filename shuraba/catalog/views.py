from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shuraba.accounts.policies import reveal_parse, viewer_from_request
from shuraba.catalog import selectors
from shuraba.catalog.filters import FIELD_LABELS, LENGTH_CHAPTERS, SORTS, title_filter_parse
from shuraba.catalog.timeline import timeline_svg
from shuraba.core.errors import BadQuery
from shuraba.taxonomy.models import AxisValue, Tag, choice_axes


def _params(request: HttpRequest) -> dict[str, list[str]]:
    return {key: request.GET.getlist(key) for key in request.GET}


@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    spec = title_filter_parse(params)
    page = selectors.title_list(viewer=viewer_from_request(request), spec=spec)
    if spec.page > page.pages:
        raise BadQuery("page", f"page {spec.page} is past the last page ({page.pages})")
    base = {k: v for k, v in params.items() if k != "page"}
    context = {
        "page": page,
        "spec": spec,
        "axes": choice_axes().prefetch_related("values"),
        "field_choices": [(name, label, choices.choices) for name, (label, choices) in FIELD_LABELS.items()],
        "lengths": AxisValue.objects.filter(axis__key="length", key__in=list(LENGTH_CHAPTERS)),
        "sorts": list(SORTS),
        "tags": Tag.objects.select_related("category").order_by("category__order", "name"),
        "selected": {k: {x for v in vals for x in v.split(",")} for k, vals in params.items()},
        "prev_url": "?" + urlencode({**base, "page": page.page - 1}, doseq=True) if page.page > 1 else None,
        "next_url": "?" + urlencode({**base, "page": page.page + 1}, doseq=True) if page.page < page.pages else None,
    }
    template = "catalog/_results.html" if request.headers.get("HX-Request") else "catalog/browse.html"
    return render(request, template, context)


@require_GET
def title_detail(request: HttpRequest, slug: str) -> HttpResponse:
    unknown = set(request.GET) - {"reveal"}
    if unknown:
        raise BadQuery(sorted(unknown)[0][:40], "unknown parameter; a title page takes only ?reveal=")
    reveal = reveal_parse(request.GET.get("reveal"))
    try:
        detail = selectors.title_detail(viewer=viewer_from_request(request), reveal=reveal, slug=slug)
    except selectors.TitleNotFound as exc:
        raise Http404("No such title") from exc
    return render(
        request,
        "catalog/title_detail.html",
        {
            "d": detail,
            "timeline": timeline_svg(detail),
            "reveal_all_url": "?reveal=all",
        },
    )
