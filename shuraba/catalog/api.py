from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router
from ninja.errors import HttpError

from shuraba.accounts.policies import reveal_parse, viewer_from_request
from shuraba.catalog import selectors
from shuraba.catalog.schemas import ErrorOut, TitleDetailOut, TitleListOut
from shuraba.core.errors import BadQuery

router = Router(tags=["titles"])
FICTIONAL_NOTICE = "Fictional: written for shuraba's sample catalog; not a real work."


def _card(card: selectors.TitleCard) -> dict[str, Any]:
    data = asdict(card)
    data["url"] = reverse("title-detail", args=[card.slug])
    return data


def _detail(d: selectors.TitleDetail) -> dict[str, Any]:
    t = d.title
    return {
        **_card(d.card),
        "description": t.description,
        "start_date": t.start_date.isoformat() if t.start_date else None,
        "end_date": t.end_date.isoformat() if t.end_date else None,
        "chapters": t.chapters,
        "volumes": t.volumes,
        "length": d.length,
        "alt_titles": [{"kind": a.kind, "text": a.text} for a in d.alt_titles],
        "credits": [{"name": c.creator.name, "native_name": c.creator.native_name, "role": c.role} for c in d.credits],
        "external_ids": [{"source": s, "id": i, "url": u} for s, i, u in d.external_ids],
        "profile": [asdict(a) for a in d.axes],
        "tags_detail": [asdict(tag) for tag in d.tags],
        "warnings": [asdict(w) for w in d.warnings],
        "hidden_tag_count": d.hidden_tag_count,
        "stages": [asdict(s) for s in d.stages],
        "revealed": d.reveal.as_param(),
        "fictional_notice": FICTIONAL_NOTICE if t.is_fictional else None,
    }


@router.get("/titles", response={200: TitleListOut, 400: ErrorOut}, summary="List and filter titles")
def titles_list(request: HttpRequest) -> dict[str, Any]:
    """The same parameters as `/api/v1/search` (see there), without facets. Explicit and unknown-rated
    titles are absent until the session has confirmed 18+."""
    from shuraba.search.selectors import title_search_params  # noqa: PLC0415 (search builds on catalog)

    params = {key: request.GET.getlist(key) for key in request.GET}
    page = title_search_params(viewer=viewer_from_request(request), params=params, facets=False)
    query = page.query
    if query.page > page.pages:
        raise BadQuery("page", f"page {query.page} is past the last page ({page.pages})")
    return {
        "total": page.total,
        "page": query.page,
        "per_page": query.per_page,
        "items": [_card(c) for c in page.items],
    }


def _get(request: HttpRequest, *, slug: str | None = None, pk: int | None = None) -> dict[str, Any]:
    unknown = set(request.GET) - {"reveal"}
    if unknown:
        raise BadQuery(sorted(unknown)[0][:40], "unknown parameter; a title takes only ?reveal=")
    reveal = reveal_parse(request.GET.get("reveal"))
    try:
        return _detail(selectors.title_detail(viewer=viewer_from_request(request), reveal=reveal, slug=slug, pk=pk))
    except selectors.TitleNotFound as exc:
        raise HttpError(404, "No such title") from exc


@router.get(
    "/titles/{int:title_id}", response={200: TitleDetailOut, 400: ErrorOut, 404: ErrorOut}, summary="One title by id"
)
def title_by_id(request: HttpRequest, title_id: int) -> dict[str, Any]:
    """`?reveal=` takes a comma list of `all`, `tags` and stage keys (`revelation`, `resolution`, …);
    without it spoiler tags, the revelation and the ending are absent from the body."""
    return _get(request, pk=title_id)


@router.get(
    "/titles/by-slug/{slug}", response={200: TitleDetailOut, 400: ErrorOut, 404: ErrorOut}, summary="One title by slug"
)
def title_by_slug(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Same as by id; `?reveal=` as there."""
    return _get(request, slug=slug)
