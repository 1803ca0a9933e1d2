from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from ninja import Router
from ninja.errors import HttpError

from shuraba.accounts.policies import REVEAL_TOKENS, reveal_parse
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog import selectors
from shuraba.catalog.cards import card_item
from shuraba.catalog.schemas import ErrorOut, TitleDetailOut
from shuraba.core.errors import BadQuery

router = Router(tags=["titles"])
REVEAL = {
    "parameters": [
        {
            "name": "reveal",
            "in": "query",
            "required": False,
            "description": "spoilers to show on this title: `all`, `tags`, or formula stages (`revelation` shows the "
            "revelation axis, `resolution` the ending)",
            "style": "form",
            "explode": False,
            "schema": {"type": "array", "items": {"type": "string", "enum": list(REVEAL_TOKENS)}},
        }
    ]
}
FICTIONAL_NOTICE = "Fictional: written for shuraba's sample catalog; not a real work."


def _detail(d: selectors.TitleDetail) -> dict[str, Any]:
    t = d.facts
    return {
        **card_item(d.card, description=True),
        "description": t.description,
        "start_date": t.start_date.isoformat() if t.start_date else None,
        "end_date": t.end_date.isoformat() if t.end_date else None,
        "chapters": t.chapters,
        "volumes": t.volumes,
        "length": d.length,
        "alt_titles": [{"kind": a.kind, "text": a.text} for a in d.alt_titles],
        "credits": [{"name": c.name, "native_name": c.native_name, "role": c.role} for c in d.credits],
        "external_ids": [{"source": s, "id": i, "url": u} for s, i, u in d.external_ids],
        "profile": [asdict(a) for a in d.axes],
        "tags_detail": [asdict(tag) for tag in d.tags],
        "warnings": [asdict(w) for w in d.warnings],
        "hidden_tag_count": d.hidden_tag_count,
        "stages": [asdict(s) for s in d.stages],
        "revealed": d.reveal.as_param(),
        "fictional_notice": FICTIONAL_NOTICE if d.card.is_fictional else None,
    }


def _get(request: HttpRequest, *, slug: str | None = None, pk: int | None = None) -> dict[str, Any]:
    unknown = set(request.GET) - {"reveal"}
    if unknown:
        raise BadQuery(sorted(unknown)[0][:40], "unknown parameter; a title takes only ?reveal=")
    reveal = reveal_parse(request.GET.get("reveal"))
    try:
        return _detail(
            selectors.title_detail(visibility=visibility_from_request(request), reveal=reveal, slug=slug, pk=pk)
        )
    except selectors.TitleNotFound as exc:
        if exc.hidden is not None and exc.hidden.reason == "rules":  # the viewer's own rule; never the age gate
            raise HttpError(403, f"{exc.hidden.why} Edit your rules at /settings/avoid/.") from exc
        raise HttpError(404, "No such title") from exc


@router.get(
    "/titles/by-slug/{slug}",
    response={200: TitleDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One title by slug",
    operation_id="shuraba_catalog_api_title_by_slug",
    openapi_extra=REVEAL,
)
def title_by_slug(request: HttpRequest, slug: str) -> dict[str, Any]:
    """`?reveal=` takes a comma list of `all`, `tags` and stage keys (`revelation`, `resolution`, …);
    without it spoiler tags, the revelation and the ending are absent from the body. A title the viewer's
    avoid rules hide answers 403 naming the rule; one behind the age gate answers 404, as a missing one."""
    return _get(request, slug=slug)


@router.get(
    "/titles/{int:title_id}",
    response={308: None, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Moved: one title by its former numeric id",
    deprecated=True,
    operation_id="shuraba_catalog_api_title_by_id",
    openapi_extra=REVEAL,
)
def title_by_id(request: HttpRequest, title_id: int) -> HttpResponse:
    """Responses no longer carry numeric ids; an id kept from before redirects (308, the query string kept) to
    `/api/v1/titles/by-slug/{slug}` when the viewer may see that title, and is 404 otherwise."""
    slug = _get(request, pk=title_id)["slug"]  # the title's own checks: parameters, visibility (404)
    target = reverse("api-1:title_by_slug", kwargs={"slug": slug})
    query = request.GET.urlencode()
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target, preserve_request=True)
