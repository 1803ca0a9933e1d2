"""Pairs over the API: a title's 'if you liked this, try…' pairs as the viewer may see them (a pair whose
other title their rules hide is left out and counted, one behind their age gate neither), and a reader's
writes: propose a pair with a reason, vote, take their reason back. Writes take the session with an
`X-CSRFToken` header or a personal token; every refusal is a 4xx naming the field."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from shuraba.accounts.apikit import api_writer, json_object
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.models import Title
from shuraba.catalog.schemas import ErrorOut
from shuraba.catalog.selectors import TitleNotFound
from shuraba.core.errors import BadQuery, Refused
from shuraba.lists.finding import title_find
from shuraba.lists.schemas import RuleHiddenOut
from shuraba.pairs import selectors, services
from shuraba.pairs.models import Pair
from shuraba.pairs.selectors import PairNotFound, PairShown, PairsShown
from shuraba.reviews.readers import signed_in
from shuraba.reviews.selectors import review_title

router = Router(tags=["pairs"])
SIGN_IN = "sign in to suggest or vote on pairs: /accounts/login/"
NO_SUCH_TITLE = "no such title: name it by its slug, as /api/v1/titles lists it"
NO_SUCH_PAIR = "no such pair: use an id from GET /api/v1/titles/{slug}/pairs"
WRITE_ERRORS: dict[int, Any] = dict.fromkeys((400, 401, 403, 404, 409, 429), ErrorOut)
PAIR_EXAMPLE = '{"other": "a-ferry-song-for-two", "reason": "Both follow the one who was left, not the lovers."}'
VOTES = {"for": True, "against": False, "none": None}


class ReasonOut(Schema):
    writer: str
    reason: str
    at: str
    edited: bool


class PairOut(Schema):
    id: int
    title: str
    name: str
    url: str
    votes_for: int
    votes_against: int
    my_vote: str
    reasons: list[ReasonOut]


class PairsOut(Schema):
    pairs: list[PairOut]
    total: int
    hidden_by_rules: int
    hidden_note: str
    hidden_per_rule: list[RuleHiddenOut]


def _title(request: HttpRequest, slug: str) -> Title:
    try:
        title = review_title(visibility=visibility_from_request(request), slug=slug)
    except TitleNotFound as exc:
        if exc.hidden is not None and exc.hidden.reason == "rules":
            raise HttpError(403, f"{exc.hidden.why} Its pairs are hidden with it.") from exc
        raise HttpError(404, NO_SUCH_TITLE) from exc
    return title


def _pair_out(p: PairShown) -> dict[str, Any]:
    return {
        "id": p.id, "title": p.card.slug, "name": p.card.title, "url": reverse("title-detail", args=[p.card.slug]),
        "votes_for": p.up, "votes_against": p.down, "my_vote": {True: "for", False: "against", None: "none"}[p.my_vote],
        "reasons": [
            {"writer": r.writer, "reason": r.text, "at": r.at.isoformat(), "edited": r.edited} for r in p.reasons
        ],
    }  # fmt: skip


def _shown(shown: PairsShown) -> dict[str, Any]:
    note = shown.note
    return {
        "pairs": [_pair_out(p) for p in shown.pairs],
        "total": shown.total,
        "hidden_by_rules": note.count or 0 if note else 0,
        "hidden_note": note.why if note and note.count else "",
        "hidden_per_rule": [{"rule": r.name, "count": r.count} for r in (note.rules if note else ())],
    }  # fmt: skip


def _pairs(request: HttpRequest, title_id: int) -> dict[str, Any]:
    visibility, user = visibility_from_request(request), signed_in(request)
    return _shown(selectors.title_pairs(visibility=visibility, title_id=title_id, user=user, limit=None))


@router.get("/titles/{slug}/pairs", response={200: PairsOut, 403: ErrorOut, 404: ErrorOut}, summary="A title's pairs")
def title_pairs(request: HttpRequest, slug: str) -> dict[str, Any]:
    """'If you liked this, try…': the titles readers pair with this one, best voted first, with every
    reason. A pair whose other title the viewer's avoid rules hide is not listed (`hidden_by_rules` counts
    them); one behind their age gate is neither listed nor counted."""
    return _pairs(request, _title(request, slug).pk)


@router.post("/titles/{slug}/pairs", response={201: PairsOut, **WRITE_ERRORS}, summary="Suggest a pair")
def pair_propose(request: HttpRequest, slug: str) -> Status[dict[str, Any]]:
    """`other` (a title's slug or name) and `reason` (10 to 1,000 characters). Suggesting a pair votes for
    it; suggesting it again rewrites your reason."""
    user = api_writer(request, sign_in=SIGN_IN)
    title = _title(request, slug)
    body = json_object(request, example=PAIR_EXAMPLE)
    unknown = sorted(set(body) - {"other", "reason"})
    if unknown:
        raise BadQuery(unknown[0][:40], "a pair has other and reason")
    if not isinstance(body.get("other"), str):
        raise BadQuery("other", f"other is a title's slug or name, such as {PAIR_EXAMPLE}")
    visibility = visibility_from_request(request)
    try:
        other = title_find(visibility=visibility, text=body["other"])
        services.pair_propose(user=user, visibility=visibility, title=title, other=other, reason=body.get("reason"))
    except Refused as exc:
        raise HttpError(exc.status, exc.message) from exc
    return Status(201, _pairs(request, title.pk))


def _pair(request: HttpRequest, pair_id: int) -> Pair:
    try:
        return selectors.pair_get(visibility=visibility_from_request(request), pk=pair_id)
    except PairNotFound as exc:
        raise HttpError(404, NO_SUCH_PAIR) from exc


@router.put("/pairs/{pair_id}/vote", response={200: PairsOut, **WRITE_ERRORS}, summary="Vote on a pair")
def pair_vote(request: HttpRequest, pair_id: int) -> dict[str, Any]:
    """`{"vote": "for"}`, `"against"` or `"none"` (takes the vote back). Answers the first title's pairs."""
    user = api_writer(request, sign_in=SIGN_IN)
    pair = _pair(request, pair_id)
    body = json_object(request, example='{"vote": "for"}')
    if set(body) != {"vote"} or not isinstance(body["vote"], str) or body["vote"] not in VOTES:
        raise BadQuery("vote", 'send {"vote": "for"}, "against" or "none"')
    try:
        services.pair_vote(user=user, pair=pair, up=VOTES[body["vote"]])
    except Refused as exc:
        raise HttpError(exc.status, exc.message) from exc
    return _pairs(request, pair.low_id)


@router.delete("/pairs/{pair_id}/reason", response={204: None, **WRITE_ERRORS}, summary="Take your reason back")
def pair_reason_delete(request: HttpRequest, pair_id: int) -> Status[None]:
    """Your reason for the pair goes, with your vote; the pair goes when no reason is left."""
    user = api_writer(request, sign_in=SIGN_IN)
    try:
        services.pair_reason_delete(user=user, pair=_pair(request, pair_id))
    except Refused as exc:
        raise HttpError(exc.status, exc.message) from exc
    return Status(204, None)
