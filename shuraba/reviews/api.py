"""Reviews over the API: a title's reviews, the catalog's recent ones, one review; a reader's writes (their
own review, helpfulness votes, reports) as session writes with the CSRF token in an `X-CSRFToken` header.

A title behind the viewer's age gate has no reviews here (404, as a missing one); one their avoid rules hide
answers 403 naming the rule, as the catalog's API does; a review waiting for an editor exists only for its
writer. Bodies are read by the same forms as the pages, so a refused field answers 400 naming it, in the
page's words, and nothing is saved."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from shuraba.accounts.apikit import api_writer, json_object
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.models import Title
from shuraba.catalog.schemas import ErrorOut
from shuraba.catalog.selectors import TitleNotFound
from shuraba.core.errors import BadQuery
from shuraba.reviews import schemas, selectors, services, votes
from shuraba.reviews.forms import WRITABLE, ReportForm, ReviewForm, form_errors
from shuraba.reviews.models import DIMENSION_KEYS, SCORE_MIN, Review
from shuraba.reviews.readers import reading_of, signed_in
from shuraba.reviews.schemas import RecentOut, ReviewOut, TitleReviewsOut, VotesOut
from shuraba.reviews.selectors import OPEN_ALL, Reading, ReviewShown, ScoreSummary

router = Router(tags=["reviews"])
SIGN_IN = "sign in to write, vote on or report reviews: /accounts/login/"
NO_SUCH_TITLE = "no such title: name it by its slug, as /api/v1/titles lists it"
NO_SUCH_REVIEW = "no such review"
READ_ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


def _not_shown(exc: TitleNotFound, missing: str) -> HttpError:
    """As the catalog's API answers: a title the viewer's own rules hide is a 403 naming the rule; a missing
    one and one behind the age gate a 404, alike."""
    if exc.hidden is not None and exc.hidden.reason == "rules":
        return HttpError(403, f"{exc.hidden.why} Edit your rules at /settings/avoid/.")
    return HttpError(404, missing)


def _title(request: HttpRequest, slug: str) -> Title:
    try:
        return selectors.review_title(visibility=visibility_from_request(request), slug=slug)
    except TitleNotFound as exc:
        raise _not_shown(exc, NO_SUCH_TITLE) from exc


def _review(request: HttpRequest, review_id: int) -> Review:
    try:
        return selectors.review_get(
            visibility=visibility_from_request(request), review_id=review_id, user=signed_in(request)
        )
    except Review.DoesNotExist as exc:
        raise HttpError(404, NO_SUCH_REVIEW) from exc
    except TitleNotFound as exc:
        raise _not_shown(exc, NO_SUCH_REVIEW) from exc


def _json(shown: ReviewShown, review: Review | None = None) -> dict[str, Any]:
    return {
        "id": shown.id,
        "title": shown.title_slug,
        "title_name": shown.title_name,
        "writer": shown.writer,
        "score": shown.score,
        "dimensions": {key: value for key, _, value in shown.dimensions},
        "verdict": shown.verdict,
        "for_readers": shown.for_readers,
        "skip_if": shown.skip_if,
        "body_html": str(shown.body_html),
        "body": review.body if review is not None and shown.is_own else None,
        "blocks": [
            {"number": b.number, "stage": b.stage, "chapter": b.chapter, "folded": b.folded} for b in shown.blocks
        ],
        "reached_chapter": shown.reached_chapter,
        "finished": shown.finished,
        "state": shown.state,
        "rejection_reason": shown.rejection_reason,
        "editor_pick": shown.editor_pick,
        "helpful_yes": shown.helpful_yes,
        "helpful_no": shown.helpful_no,
        "my_vote": shown.my_vote,
        "created_at": shown.created_at.isoformat(),
        "updated_at": shown.updated_at.isoformat(),
    }


def _summary(summary: ScoreSummary) -> dict[str, Any]:
    return {
        "count": summary.count,
        "mean": summary.mean,
        "histogram": {str(SCORE_MIN + i): n for i, n in enumerate(summary.histogram)},
        "dimensions": {key: mean for key, (_, mean, _n) in zip(DIMENSION_KEYS, summary.dimensions, strict=True)},
        "verdicts": dict(summary.verdicts),
    }


def _page(request: HttpRequest, allowed: set[str]) -> int:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise BadQuery(unknown[0][:40], "unknown parameter; this operation takes " + ", ".join(sorted(allowed)))
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 0 < int(raw) < 100_000:
        raise BadQuery("page", f"page takes a whole number from 1, not {raw[:20]!r}")
    return int(raw)


# --- reading -------------------------------------------------------------------------------------


@router.get("/titles/{slug}/reviews", response={200: TitleReviewsOut, **READ_ERRORS}, summary="A title's reviews")
def title_reviews(request: HttpRequest, slug: str, sort: str = "helpful") -> dict[str, Any]:
    """Published reviews, 10 a page (`sort`: helpful, newest, score, score-low), the signed-in reader's own
    apart in `own` whatever its state, and the score summary. Spoiler blocks past the reader's progress (their
    library entry) are folded: `blocks[].folded`, and `body_html` holds no folded text."""
    page = _page(request, {"sort", "page"})
    if sort not in selectors.SORTS:
        raise BadQuery("sort", "sort by " + ", ".join(selectors.SORTS))
    title = _title(request, slug)
    listing = selectors.title_reviews(
        title=title, reading=reading_of(request, title_id=title.pk, slug=title.slug), sort=sort, page=page
    )
    own = Review.objects.filter(pk=listing.own.id).first() if listing.own else None
    return {
        "reviews": [_json(r) for r in listing.reviews],
        "own": _json(listing.own, own) if listing.own else None,
        "summary": _summary(listing.summary),
        "sort": listing.sort,
        "page": listing.page,
        "pages": listing.pages,
        "total": listing.total,
    }


@router.get("/reviews", response={200: RecentOut, **READ_ERRORS}, summary="Recent reviews")
def reviews_recent(request: HttpRequest, picks: bool = False) -> dict[str, Any]:
    """Published reviews across the catalog, newest first, 10 a page, of titles you are shown; `hidden_by_rules`
    counts the ones left out because your avoid rules hide their titles. Every spoiler block is folded."""
    page = _page(request, {"picks", "page"})
    user = signed_in(request)
    reading = Reading(visibility=visibility_from_request(request), progress=None, user_id=user.pk if user else None)
    recent = selectors.reviews_recent(reading=reading, picks_only=picks, page=page)
    return {
        "reviews": [_json(r) for r in recent.reviews],
        "hidden_by_rules": recent.hidden_by_rules,
        "page": recent.page,
        "pages": recent.pages,
    }


OPEN_PARAMETER = {
    "name": "open",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "pattern": "^(all|[0-9]+)?(,(all|[0-9]+))*$"},
    "description": "folded spoiler blocks to open: their numbers, comma separated, or all",
}


@router.get(
    "/reviews/{review_id}",
    response={200: ReviewOut, **READ_ERRORS},
    summary="One review",
    openapi_extra={"parameters": [OPEN_PARAMETER]},
)
def review_get(request: HttpRequest, review_id: int) -> dict[str, Any]:
    """One review; `open` (block numbers, comma separated, or `all`) opens folded spoiler blocks."""
    _page(request, {"open"})
    tokens = frozenset(t for t in request.GET.get("open", "").split(",") if t)
    if any(t != OPEN_ALL and not t.isdigit() for t in tokens):
        raise BadQuery("open", "open takes spoiler block numbers (1, 2, …) or all")
    review = _review(request, review_id)
    reading = reading_of(request, title_id=review.title_id, slug=review.title.slug, opened=tokens)
    return _json(selectors.review_one(review, reading), review)


# --- writing -------------------------------------------------------------------------------------


def _refused(exc: services.ReviewRefused) -> HttpError:
    return HttpError(exc.status, exc.message)


def _fields_read(body: dict[str, Any], *, base: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(body) - set(WRITABLE))
    if unknown:
        raise BadQuery(unknown[0][:40], "unknown field; a review takes " + ", ".join(WRITABLE))
    data = {**base, **{k: v for k, v in body.items() if v is not None}}
    if any(isinstance(data.get(key), bool) for key in ("score", "reached_chapter", *DIMENSION_KEYS)):
        raise BadQuery("score", "scores and chapters are whole numbers, not true or false")
    if "finished" in data and not isinstance(data["finished"], bool):
        raise BadQuery("finished", "finished is true or false")
    if not data.get("finished"):
        data.pop("finished", None)  # a form reads any present value as ticked
    form = ReviewForm({k: v for k, v in data.items() if v is not None and v != ""})
    if not form.is_valid():
        field, message = next(iter(form_errors(form).items()))
        raise BadQuery(field, message)
    return form.fields_written()


def _written(request: HttpRequest, review: Review) -> dict[str, Any]:
    reading = reading_of(request, title_id=review.title_id, slug=review.title.slug)
    review = Review.objects.select_related("user", "title").get(pk=review.pk)
    return _json(selectors.review_one(review, reading), review)


@router.post(
    "/titles/{slug}/reviews",
    response={201: ReviewOut, 409: ErrorOut, **WRITE_ERRORS},
    summary="Write a review",
    openapi_extra=schemas.review_body(partial=False),
)
def review_create(request: HttpRequest, slug: str) -> Status[dict[str, Any]]:
    """Your review of the title: `score`, `verdict` and `body` are required. Published at once when your
    account is trusted, otherwise `state` is `pending` until an editor decides. One review per title: a
    second answers 409 (change yours with PATCH /api/v1/reviews/{id})."""
    user = api_writer(request, sign_in=SIGN_IN)
    body = json_object(request, example='{"score": 8, "verdict": "recommended", "body": "..."}')
    fields = _fields_read(body, base={})
    title = _title(request, slug)
    if Review.objects.filter(user=user, title=title).exists():
        raise HttpError(409, "you have already reviewed this title; change it with PATCH /api/v1/reviews/{id}")
    try:
        review = services.review_write(user=user, title=title, fields=fields)
    except services.ReviewRefused as exc:
        raise _refused(exc) from exc
    return Status(201, _written(request, review))


def _own(request: HttpRequest, review_id: int) -> tuple[Any, Review]:
    user = api_writer(request, sign_in=SIGN_IN)
    review = _review(request, review_id)
    if review.user_id != user.pk:
        raise HttpError(403, "only its writer may change or delete a review")
    return user, review


@router.patch(
    "/reviews/{review_id}",
    response={200: ReviewOut, **WRITE_ERRORS},
    summary="Change my review",
    openapi_extra=schemas.review_body(partial=True),
)
def review_update(request: HttpRequest, review_id: int) -> dict[str, Any]:
    """Change any of your review's fields (null leaves one as it is). An edit by a reader who is not yet
    trusted, or of a rejected review, waits for an editor again."""
    user, review = _own(request, review_id)
    body = json_object(request, example='{"score": 7}')
    fields = _fields_read(body, base={name: getattr(review, name) for name in WRITABLE})
    try:
        review = services.review_write(user=user, title=review.title, fields=fields)
    except services.ReviewRefused as exc:
        raise _refused(exc) from exc
    return _written(request, review)


@router.delete("/reviews/{review_id}", response={204: None, **WRITE_ERRORS}, summary="Delete my review")
def review_delete(request: HttpRequest, review_id: int) -> Status[None]:
    user, review = _own(request, review_id)
    services.review_delete(user=user, review=review)
    return Status(204, None)


@router.put(
    "/reviews/{review_id}/helpful",
    response={200: ReviewOut, **WRITE_ERRORS},
    summary="Vote a review helpful or not",
    openapi_extra=schemas.HELPFUL_BODY,
)
def review_helpful(request: HttpRequest, review_id: int) -> dict[str, Any]:
    """`{"helpful": true}` or `false`; `null` takes your vote back. Not on your own review."""
    user = api_writer(request, sign_in=SIGN_IN)
    body = json_object(request, example='{"helpful": true}')
    if set(body) != {"helpful"} or body["helpful"] not in (True, False, None):
        raise BadQuery("helpful", 'send {"helpful": true}, false, or null to take your vote back')
    review = _review(request, review_id)
    try:
        services.review_helpful_vote(user=user, review=review, helpful=body["helpful"])
    except services.ReviewRefused as exc:
        raise _refused(exc) from exc
    return _written(request, review)


@router.post(
    "/reviews/{review_id}/reports",
    response={201: None, 409: ErrorOut, **WRITE_ERRORS},
    summary="Report a review to the editors",
    openapi_extra=schemas.REPORT_BODY,
)
def review_report(request: HttpRequest, review_id: int) -> Status[None]:
    """`reason`: unmarked-spoiler, abuse, spam, explicit or other; `note` says more. One report per review."""
    user = api_writer(request, sign_in=SIGN_IN)
    body = json_object(request, example='{"reason": "unmarked-spoiler"}')
    unknown = sorted(set(body) - {"reason", "note"})
    if unknown:
        raise BadQuery(unknown[0][:40], "unknown field; a report takes reason and note")
    form = ReportForm({k: v for k, v in body.items() if isinstance(v, str)})
    if not form.is_valid():
        field, message = next(iter(form_errors(form).items()))
        raise BadQuery(field, message)
    review = _review(request, review_id)
    try:
        services.review_report(user=user, review=review, **form.cleaned_data)
    except services.ReviewRefused as exc:
        raise _refused(exc) from exc
    return Status(201, None)


# --- community classification --------------------------------------------------------------------


def _axis_json(axis: selectors.AxisVotes) -> dict[str, Any]:
    return {
        "axis": axis.key,
        "hidden": axis.hidden,
        "voters": axis.voters,
        "waiting": axis.waiting,
        "counts": {key: n for key, _, n in axis.counts},
        "consensus": list(axis.consensus),
        "locked": axis.locked,
        "decided_by": axis.decided_by,
        "mine": axis.mine,
        "may_vote": axis.may_vote,
    }


def _votes_json(request: HttpRequest, title: Title) -> dict[str, Any]:
    reading = reading_of(request, title_id=title.pk, slug=title.slug)
    axes = selectors.title_votes(title_id=title.pk, reading=reading, user=signed_in(request))
    return {"title": title.slug, "axes": [_axis_json(a) for a in axes]}


@router.get("/titles/{slug}/votes", response={200: VotesOut, **READ_ERRORS}, summary="Readers' classification votes")
def title_votes(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Per voted axis (centrality, subgenre, perspective, consent, ending): eligible voters, the count per
    value, the community's consensus, who decided the title's value and whether an editor locked it; your own
    ballot in `mine`. A spoiler axis you have not revealed says only `hidden: true`."""
    _page(request, set())
    return _votes_json(request, _title(request, slug))


@router.put(
    "/titles/{slug}/votes/{axis}",
    response={200: VotesOut, **WRITE_ERRORS},
    summary="Vote on one axis of a title",
    openapi_extra=schemas.VOTE_BODY,
)
def title_vote(request: HttpRequest, slug: str, axis: str) -> dict[str, Any]:
    """Replace your ballot on one axis: `{"values": {"revenge": 1.0, "netorare": 0.5}}` (weights 0.05-1
    count only on subgenre; a single-valued axis takes one value; `{}` withdraws your ballot). The ending
    takes votes only from readers whose library says they finished the title (403 otherwise)."""
    user = api_writer(request, sign_in=SIGN_IN)
    body = json_object(request, example='{"values": {"revenge": 1.0}}')
    values = body.get("values")
    if set(body) != {"values"} or not isinstance(values, dict):
        raise BadQuery("values", 'send {"values": {"<value>": <weight>}}, {} to withdraw your ballot')
    title = _title(request, slug)
    try:
        votes.vote_cast(user=user, title=title, axis_key=axis, ballot=values)
    except services.ReviewRefused as exc:
        raise _refused(exc) from exc
    return _votes_json(request, title)
