from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from shuraba.accounts.policies import reveal_parse
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog import selectors
from shuraba.catalog.cards import card_item
from shuraba.catalog.schemas import ErrorOut, TitleDetailOut
from shuraba.core.errors import BadQuery

router = Router(tags=["titles"])
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
    "/titles/{int:title_id}",
    response={200: TitleDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One title by id",
)
def title_by_id(request: HttpRequest, title_id: int) -> dict[str, Any]:
    """`?reveal=` takes a comma list of `all`, `tags` and stage keys (`revelation`, `resolution`, …);
    without it spoiler tags, the revelation and the ending are absent from the body. A title the viewer's
    avoid rules hide answers 403 naming the rule; one behind the age gate answers 404, as a missing one."""
    return _get(request, pk=title_id)


@router.get(
    "/titles/by-slug/{slug}",
    response={200: TitleDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One title by slug",
)
def title_by_slug(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Same as by id; `?reveal=` as there."""
    return _get(request, slug=slug)
