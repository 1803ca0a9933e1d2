"""Review pages: write (the form on a title's own review page), read (a title's reviews, one review, the
catalog's recent reviews), vote, report, and the editors' moderation queue and log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST, require_safe

from shuraba.accounts.models import User
from shuraba.accounts.policies import feed_visibility
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.models import Title
from shuraba.catalog.selectors import TitleNotFound
from shuraba.catalog.views import title_not_shown
from shuraba.core.errors import BadQuery
from shuraba.reviews import charts, readers, selectors, services, votes
from shuraba.reviews.forms import RejectForm, ReportForm, ReviewForm, form_errors
from shuraba.reviews.markup import STAGE_NAMES
from shuraba.reviews.models import Review, ReviewReport
from shuraba.reviews.readers import signed_in
from shuraba.reviews.selectors import OPEN_ALL, Reading

BODY_HELP = format_html(
    "Markdown. Put what gives the story away in a spoiler block tagged with its stage and chapter: a line "
    "<code>:::spoiler resolution ch. 40</code>, the text, then a line <code>:::</code>. Stages: {} (or stage 1 "
    "to stage 5). Readers who have not reached that chapter see the block folded until they open it.",
    STAGE_NAMES,
)


def _user(request: HttpRequest) -> User | None:
    return signed_in(request)


def reading_of(request: HttpRequest, *, title: Title, opened: frozenset[str] = frozenset()) -> Reading:
    return readers.reading_of(request, title_id=title.pk, slug=title.slug, opened=opened)


def _hidden_or_404(request: HttpRequest, exc: TitleNotFound, slug: str) -> HttpResponse:
    """The title's own "hidden by your rules" page, whose "show once" opens the title page."""
    return title_not_shown(request, exc, slug=slug, show_url=reverse("title-detail", args=[slug]) + "?show=once")


def _title(request: HttpRequest, slug: str) -> Title:
    return selectors.review_title(visibility=visibility_from_request(request), slug=slug)


def _int_param(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 100_000:
        raise BadQuery(name, f"{name} takes a whole number from 1, not {raw[:20]!r}")
    return int(raw)


def _params_check(request: HttpRequest, allowed: set[str]) -> None:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise BadQuery(unknown[0][:40], "unknown parameter; this page takes " + ", ".join(sorted(allowed)))


# --- reading -------------------------------------------------------------------------------------


@require_safe
def title_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    _params_check(request, {"sort", "page"})
    sort = request.GET.get("sort", "helpful")
    if sort not in selectors.SORTS:
        raise BadQuery("sort", "sort by " + ", ".join(selectors.SORTS))
    try:
        title = _title(request, slug)
    except TitleNotFound as exc:
        return _hidden_or_404(request, exc, slug)
    listing = selectors.title_reviews(
        title=title, reading=reading_of(request, title=title), sort=sort, page=_int_param(request, "page", 1)
    )
    return render(
        request,
        "reviews/title_reviews.html",
        {
            "title": title,
            "listing": listing,
            "sorts": selectors.SORT_LABELS,
            "histogram": charts.score_histogram_svg(listing.summary),
            "dimensions": charts.dimension_bars_svg(listing.summary),
            # the title's feed is made for the public visibility: none for a title behind its age gate
            "feed": feed_visibility(visibility_from_request(request)).rating_shown(title.content_rating),
        },
    )


def _opened(request: HttpRequest) -> frozenset[str]:
    raw = request.GET.get("open", "")
    tokens = frozenset(t for t in raw.split(",") if t)
    if any(t != OPEN_ALL and not t.isdigit() for t in tokens):
        raise BadQuery("open", "open takes spoiler block numbers (1, 2, …) or all")
    return tokens


def _review(request: HttpRequest, pk: int) -> Review:
    try:
        return selectors.review_get(visibility=visibility_from_request(request), review_id=pk, user=_user(request))
    except Review.DoesNotExist as exc:
        raise Http404("No such review") from exc


@require_safe
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _params_check(request, {"open"})
    opened = _opened(request)
    try:
        review = _review(request, pk)
    except TitleNotFound as exc:
        return _hidden_or_404(request, exc, exc.args[0])
    shown = selectors.review_one(review, reading_of(request, title=review.title, opened=opened))
    return render(request, "reviews/review_detail.html", {"r": shown, "review": review})


@require_safe
def review_block(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One spoiler block opened: the fragment "Open this spoiler" swaps in (htmx)."""
    try:
        review = _review(request, pk)
    except TitleNotFound as exc:
        raise Http404("No such review") from exc
    html = selectors.block_html(review=review, reading=reading_of(request, title=review.title), number=number)
    if html is None:
        raise Http404("No such spoiler block")
    response = HttpResponse(html)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def reviews_index(request: HttpRequest) -> HttpResponse:
    _params_check(request, {"picks", "page"})
    picks = request.GET.get("picks", "")
    if picks not in ("", "1"):
        raise BadQuery("picks", "picks=1 lists only the editors' picks")
    user = _user(request)
    reading = Reading(visibility=visibility_from_request(request), progress=None, user_id=user.pk if user else None)
    recent = selectors.reviews_recent(reading=reading, picks_only=picks == "1", page=_int_param(request, "page", 1))
    return render(request, "reviews/index.html", {"recent": recent, "picks": picks == "1"})


# --- writing -------------------------------------------------------------------------------------


@login_required
def review_write(request: HttpRequest, slug: str) -> HttpResponse:
    user = _user(request)
    if user is None:  # login_required let an inactive account through
        raise Http404("No such page")
    try:
        title = _title(request, slug)
    except TitleNotFound as exc:
        return _hidden_or_404(request, exc, slug)
    existing = Review.objects.filter(user=user, title=title).first()
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                services.review_write(user=user, title=title, fields=form.fields_written())
            except services.ReviewRefused as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                return redirect(reverse("title-reviews", args=[title.slug]) + "#your-review")
        else:
            status = 400
    elif existing is not None:
        form = ReviewForm(initial={name: getattr(existing, name) for name in ReviewForm.base_fields})
    else:
        form = ReviewForm(initial={"verdict": "", **selectors.writer_progress(user=user, title_id=title.pk)})
    context: dict[str, Any] = {"title": title, "form": form, "existing": existing, "body_help": BODY_HELP}
    return render(request, "reviews/write.html", context, status=status)


def _post_review(request: HttpRequest, pk: int) -> tuple[User, Review]:
    user = _user(request)
    if user is None:
        raise Http404("No such review")
    try:
        return user, _review(request, pk)
    except TitleNotFound as exc:
        raise Http404("No such review") from exc


def _back(request: HttpRequest, review: Review) -> HttpResponse:
    return redirect(reverse("title-reviews", args=[review.title.slug]) + f"#review-{review.pk}")


def _refused(request: HttpRequest, exc: services.ReviewRefused) -> HttpResponse:
    return render(request, "reviews/refused.html", {"message": exc.message}, status=exc.status)


@login_required
@require_POST
def review_helpful(request: HttpRequest, pk: int) -> HttpResponse:
    user, review = _post_review(request, pk)
    choice = request.POST.get("helpful", "")
    if choice not in ("yes", "no", "clear"):
        return _refused(request, services.ReviewRefused(400, "helpful takes yes, no or clear"))
    helpful = None if choice == "clear" else choice == "yes"
    try:
        services.review_helpful_vote(user=user, review=review, helpful=helpful)
    except services.ReviewRefused as exc:
        return _refused(request, exc)
    return _back(request, review)


@login_required
def review_report(request: HttpRequest, pk: int) -> HttpResponse:
    user, review = _post_review(request, pk)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.review_report(user=user, review=review, **form.cleaned_data)
            except services.ReviewRefused as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                return render(request, "reviews/reported.html", {"review": review})
        else:
            status = 400
    else:
        form = ReportForm()
    return render(request, "reviews/report.html", {"review": review, "form": form}, status=status)


@login_required
@require_POST
def review_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user, review = _post_review(request, pk)
    slug = review.title.slug
    try:
        services.review_delete(user=user, review=review)
    except services.ReviewRefused as exc:
        return _refused(request, exc)
    return redirect(reverse("title-reviews", args=[slug]))


@login_required
@require_safe
def review_history(request: HttpRequest, pk: int) -> HttpResponse:
    user, review = _post_review(request, pk)
    if review.user_id != user.pk and not user.is_staff:
        raise Http404("No such review")
    return render(
        request, "reviews/history.html", {"review": review, "revisions": selectors.review_history(review=review)}
    )


# --- moderation ----------------------------------------------------------------------------------


def _editor(request: HttpRequest) -> User:
    user = _user(request)
    if user is None or not user.is_staff:
        raise Http404("No such page")
    return user


@login_required
@require_safe
def moderation(request: HttpRequest) -> HttpResponse:
    editor = _editor(request)
    reading = Reading(visibility=visibility_from_request(request), progress=None, user_id=editor.pk, editor=True)
    return render(
        request,
        "reviews/moderation.html",
        {"queue": selectors.moderation_queue(reading=reading)},
    )


@login_required
@require_POST
def moderation_review(request: HttpRequest, pk: int) -> HttpResponse:
    editor = _editor(request)
    review = Review.objects.select_related("user", "title").filter(pk=pk).first()
    if review is None:
        raise Http404("No such review")
    action = request.POST.get("action", "")
    try:
        if action == "approve":
            services.review_approve(editor=editor, review=review)
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise services.ReviewRefused(400, form_errors(form)["reason"])
            services.review_reject(editor=editor, review=review, reason=form.cleaned_data["reason"])
        elif action in ("pick", "unpick"):
            services.review_pick(editor=editor, review=review, picked=action == "pick")
        else:
            raise services.ReviewRefused(400, "action takes approve, reject, pick or unpick")
    except services.ReviewRefused as exc:
        return _refused(request, exc)
    return redirect("moderation")


@login_required
@require_POST
def moderation_report(request: HttpRequest, pk: int) -> HttpResponse:
    editor = _editor(request)
    report = ReviewReport.objects.select_related("review__user", "review__title").filter(pk=pk).first()
    if report is None:
        raise Http404("No such report")
    try:
        services.review_report_dismiss(editor=editor, report=report, reason=request.POST.get("reason", "")[:1000])
    except services.ReviewRefused as exc:
        return _refused(request, exc)
    return redirect("moderation")


@login_required
@require_safe
def moderation_log(request: HttpRequest) -> HttpResponse:
    _editor(request)
    return render(request, "reviews/moderation_log.html", {"events": selectors.moderation_log()})


# --- community classification --------------------------------------------------------------------


def ballot_read(axis_key: str, data: Any) -> dict[str, float]:
    """A form's ballot: `value` (one or several), and `weight-<value>` (0.05-1) for a weighted axis."""
    ballot: dict[str, float] = {}
    for value in data.getlist("value"):
        if not value:
            continue
        raw = data.get(f"weight-{value}", "1")
        try:
            ballot[value] = float(raw)
        except ValueError as exc:
            raise services.ReviewRefused(400, f"{axis_key}: the weight of {value} is a number from 0.05 to 1") from exc
    return ballot


@login_required
@require_POST
def title_vote(request: HttpRequest, slug: str) -> HttpResponse:
    user = _user(request)
    if user is None:
        raise Http404("No such title")
    try:
        title = _title(request, slug)
    except TitleNotFound as exc:
        return _hidden_or_404(request, exc, slug)
    axis_key = request.POST.get("axis", "")
    try:
        votes.vote_cast(user=user, title=title, axis_key=axis_key, ballot=ballot_read(axis_key, request.POST))
    except services.ReviewRefused as exc:
        return _refused(request, exc)
    return redirect(reverse("title-detail", args=[slug]) + f"#vote-{axis_key}")
