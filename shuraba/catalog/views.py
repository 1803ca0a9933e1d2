from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from shuraba.accounts.policies import reveal_parse, reveal_remembered, rules_waived
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog import selectors
from shuraba.catalog.timeline import timeline_svg
from shuraba.core.errors import BadQuery


def title_not_shown(
    request: HttpRequest, exc: selectors.TitleNotFound, *, slug: str, show_url: str = ""
) -> HttpResponse:
    """A title the viewer may not see: their own rule's interstitial (which rule, no facts, `noindex`, "show it
    once" at `show_url`, the page itself by default), or a 404 (missing, or behind the age gate: alike)."""
    if exc.hidden is None or exc.hidden.reason != "rules":
        raise Http404("No such title") from exc
    context = {"hidden": exc.hidden, "slug": slug, "show_url": show_url}
    response = render(request, "catalog/title_hidden.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def title_detail(request: HttpRequest, slug: str) -> HttpResponse:
    unknown = set(request.GET) - {"reveal", "show"}
    if unknown:
        raise BadQuery(sorted(unknown)[0][:40], "unknown parameter; a title page takes only ?reveal= and ?show=once")
    asked = reveal_parse(request.GET.get("reveal"))
    remembered = reveal_remembered(request, slug=slug)
    visibility = visibility_from_request(request)
    if "show" in request.GET:
        if request.GET["show"] != "once":
            raise BadQuery("show", "show takes only once: ?show=once shows a title your avoid rules hide, this time")
        visibility = rules_waived(visibility)
    try:
        detail = selectors.title_detail(visibility=visibility, reveal=asked.union(remembered), slug=slug)
    except selectors.TitleNotFound as exc:
        return title_not_shown(request, exc, slug=slug)
    return render(
        request,
        "catalog/title_detail.html",
        {
            "d": detail,
            "timeline": timeline_svg(detail),
            "reveal_all_url": "?reveal=all",
            "remembered": remembered,
            "may_remember": asked.adds_to(remembered) and not visibility.shows_every_spoiler,
        },
    )
