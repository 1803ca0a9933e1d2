from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from shuraba.accounts.policies import reveal_parse, visibility_from_request
from shuraba.catalog import selectors
from shuraba.catalog.timeline import timeline_svg
from shuraba.core.errors import BadQuery


@require_safe
def title_detail(request: HttpRequest, slug: str) -> HttpResponse:
    unknown = set(request.GET) - {"reveal"}
    if unknown:
        raise BadQuery(sorted(unknown)[0][:40], "unknown parameter; a title page takes only ?reveal=")
    reveal = reveal_parse(request.GET.get("reveal"))
    try:
        detail = selectors.title_detail(visibility=visibility_from_request(request), reveal=reveal, slug=slug)
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
