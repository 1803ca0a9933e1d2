"""`/api/v1/me/recommendations`: the viewer's recommendations with their reasons (the account's library and
quiz when signed in or with a token, the session's quiz otherwise), and "not interested" with its undo."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from shuraba.accounts.apikit import api_writer
from shuraba.accounts.selectors import title_id_visible
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.cards import card_item
from shuraba.catalog.models import Title
from shuraba.catalog.schemas import ErrorOut
from shuraba.core.errors import BadQuery
from shuraba.preferences.selectors import preferences_read
from shuraba.recommend import selectors, services
from shuraba.recommend.engine import FOR_YOU_SIZE
from shuraba.reviews.readers import signed_in

router = Router(tags=["me"])
SIGN_IN = "sign in to keep titles out of your recommendations: /accounts/login/"
LIMIT_MAX = 50


class ReasonOut(Schema):
    kind: str  # axis | co-reader
    text: str
    dimension: str  # the axis a reason names ("" for a co-reader)
    value: str  # the title's value on it (a spoiler axis you hide gives no reason at all)
    title: str  # a co-reader reason: the slug of the title of your library it names


class RecommendationOut(Schema):
    slug: str
    title: str
    url: str
    format: str
    year: int | None
    content_rating: str
    score: float
    reasons: list[ReasonOut]


class RecommendationsOut(Schema):
    items: list[RecommendationOut]
    based_on: str  # quiz only | library | quiz and library | no model yet | nothing
    model_version: str


class LimitIn(Schema):
    limit: int = FOR_YOU_SIZE


class NotInterestedOut(Schema):
    title: str
    not_interested: bool


@router.get(
    "/me/recommendations",
    response={200: RecommendationsOut, 400: ErrorOut},
    summary="My recommendations, each with its reasons",
)
def recommendations_get(request: HttpRequest, params: Query[LimitIn]) -> dict[str, Any]:
    """Titles for you from your quiz answers and your library, after your avoid rules, age setting, library,
    not-interested titles and never-these-creators are left out. Without quiz answers or a library, `items`
    is empty and `based_on` is `nothing`: take the quiz at /quiz/ or `PUT /me/preferences`."""
    if not 1 <= params.limit <= LIMIT_MAX:
        raise BadQuery("limit", f"limit must be between 1 and {LIMIT_MAX}")
    if signed_in(request) is None and preferences_read(request=request) is None:
        return {"items": [], "based_on": "nothing", "model_version": ""}
    found = selectors.for_you(request=request, limit=params.limit)
    items = [{**card_item(i.card), "score": i.score, "reasons": [r.__dict__ for r in i.reasons]} for i in found.items]
    return {"items": items, "based_on": found.blend.case, "model_version": found.model_version}


def _title(request: HttpRequest, slug: str) -> Title:
    title_id = title_id_visible(visibility=visibility_from_request(request), slug=slug)
    if title_id is None:  # unknown, hidden, or no slug at all (a NUL): one answer
        raise HttpError(404, f"no title {slug[:80]!r} (or your settings hide it)")
    return Title.objects.get(pk=title_id)


@router.post(
    "/me/recommendations/{slug}/not-interested",
    response={200: NotInterestedOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Never recommend this title to me",
)
def not_interested_post(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A session write needs the `X-CSRFToken` header; a hidden or unknown title is a 404."""
    user = api_writer(request, sign_in=SIGN_IN)
    title = _title(request, slug)
    services.not_interested_add(user=user, title=title)
    return {"title": title.slug, "not_interested": True}


@router.delete(
    "/me/recommendations/{slug}/not-interested",
    response={200: NotInterestedOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Undo: this title may be recommended again",
)
def not_interested_delete(request: HttpRequest, slug: str) -> dict[str, Any]:
    user = api_writer(request, sign_in=SIGN_IN)
    title = _title(request, slug)
    services.not_interested_remove(user=user, title=title)
    return {"title": title.slug, "not_interested": False}
