"""Review writes: each one transaction, each checked against the rate limits first. Every editor action
lands in the moderation log (`ModerationEvent`)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.core.errors import Refused
from shuraba.reviews.models import (
    REVIEW_FIELDS,
    Action,
    HelpfulVote,
    ModerationEvent,
    ReportState,
    Review,
    ReviewReport,
    ReviewRevision,
    State,
)

HOUR = timedelta(hours=1)


ReviewRefused = Refused  # the site's one refusal (core.errors), so the shared rate limit is caught as this


# --- who may publish at once, and how often anyone may write ----------------------------------------


def review_trusted(*, user: User, at: datetime | None = None) -> bool:
    """Editors, and readers whose account is old enough and who had a review approved before."""
    if user.is_staff:
        return True
    now = at or timezone.now()
    if user.date_joined > now - timedelta(days=settings.REVIEW_TRUST_DAYS):
        return False
    return Review.objects.filter(user=user, state=State.PUBLISHED).exists()


def rate_check(rows: QuerySet[Any], *, limit: int, what: str, window: timedelta, per: str) -> None:
    """Refuse (429) a write past `limit` of `rows` (the writer's own, with an `at`) in the last `window`,
    saying when the oldest of them leaves it. Counted in the database, so every worker agrees."""
    recent = rows.filter(at__gte=timezone.now() - window)
    if recent.count() < limit:
        return
    oldest = recent.order_by("at").values_list("at", flat=True).first()
    wait = max(1, math.ceil(((oldest + window - timezone.now()).total_seconds() if oldest else 60) / 60))
    raise ReviewRefused(429, f"you have reached {limit} {what} per {per}; try again in {wait} minute{'s' * (wait > 1)}")


def _writes_check(user: User) -> None:
    rows = ReviewRevision.objects.filter(user=user)
    rate_check(rows, limit=settings.REVIEW_WRITES_PER_HOUR, what="review writes", window=HOUR, per="hour")


# --- writing -------------------------------------------------------------------------------------


def _label(review: Review) -> str:
    return f"{review.user.username} on {review.title.title}"[:300]


def _log(review: Review | None, *, actor: User | None, action: str, reason: str = "", label: str = "") -> None:
    ModerationEvent.objects.create(
        review=review,
        review_label=label or (_label(review) if review else ""),
        actor=actor,
        action=action,
        reason=reason,
        at=timezone.now(),
    )


@transaction.atomic
def review_write(*, user: User, title: Title, fields: dict[str, Any]) -> Review:
    """Write the reader's review of a title: the first write creates it, later ones edit it. A trusted
    writer's review is published (or stays so); anyone else's waits for an editor, an edit included, and a
    rejected review that is edited goes back to the queue."""
    if not user.is_active:
        raise ReviewRefused(403, "this account is not active")
    _writes_check(user)
    now = timezone.now()
    review = Review.objects.select_for_update().filter(user=user, title=title).first()
    created = review is None
    was_rejected = review is not None and review.state == State.REJECTED
    if review is None:
        review = Review(user=user, title=title, created_at=now)
    for name, value in fields.items():
        setattr(review, name, value)
    review.finished = bool(review.finished)
    review.updated_at = now
    # A rejected review comes back only through an editor, however trusted its writer.
    trusted = user.is_staff or (review_trusted(user=user, at=now) and not was_rejected)
    review.state = State.PUBLISHED if trusted else State.PENDING
    review.rejection_reason = ""
    if trusted and review.published_at is None:
        review.published_at = now
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:  # a second first write raced this one
        raise ReviewRefused(409, "you have already reviewed this title; edit that review instead") from exc
    ReviewRevision.objects.create(review=review, user=user, fields=_snapshot(review), at=now)
    if created or not trusted:
        _log(review, actor=user, action=Action.PUBLISHED if trusted else Action.SUBMITTED)
    return review


def _snapshot(review: Review) -> dict[str, Any]:
    return {name: getattr(review, name) for name in REVIEW_FIELDS}


@transaction.atomic
def review_delete(*, user: User, review: Review) -> None:
    if review.user_id != user.pk:
        raise ReviewRefused(403, "only its writer may delete a review")
    _log(review, actor=user, action=Action.DELETED, label=_label(review))
    ModerationEvent.objects.filter(review=review).update(review=None)
    review.delete()


# --- helpfulness ---------------------------------------------------------------------------------


def wilson_lower_bound(yes: int, no: int, *, z: float = 1.96) -> float:
    """The lower end of the 95% interval of the helpful share: a review with 3 of 3 helpful ranks below one
    with 90 of 100 (Evan Miller, "How Not To Sort By Average Rating")."""
    n = yes + no
    if n == 0:
        return 0.0
    share = yes / n
    return (share + z * z / (2 * n) - z * math.sqrt((share * (1 - share) + z * z / (4 * n)) / n)) / (1 + z * z / n)


@transaction.atomic
def review_helpful_vote(*, user: User, review: Review, helpful: bool | None) -> Review:
    """Vote a review helpful or not (None takes the vote back). Not one's own; one vote per reader."""
    if review.user_id == user.pk:
        raise ReviewRefused(403, "you cannot vote on your own review")
    if review.state != State.PUBLISHED:
        raise ReviewRefused(404, "no such review")
    rate_check(
        HelpfulVote.objects.filter(user=user),
        limit=settings.REVIEW_VOTES_PER_HOUR,
        what="votes",
        window=HOUR,
        per="hour",
    )
    previous = HelpfulVote.objects.select_for_update().filter(user=user, review=review).first()
    if previous is not None:
        _count_add(review, previous.helpful, -1)
        previous.delete()
    if helpful is not None:
        HelpfulVote.objects.create(user=user, review=review, helpful=helpful, at=timezone.now())
        _count_add(review, helpful, 1)
    review.refresh_from_db(fields=["helpful_yes", "helpful_no"])
    review.helpful_rank = wilson_lower_bound(review.helpful_yes, review.helpful_no)
    Review.objects.filter(pk=review.pk).update(helpful_rank=review.helpful_rank)
    return review


def _count_add(review: Review, helpful: bool, step: int) -> None:
    field = "helpful_yes" if helpful else "helpful_no"
    Review.objects.filter(pk=review.pk).update(**{field: F(field) + step})


# --- reports and moderation ----------------------------------------------------------------------


@transaction.atomic
def review_report(*, user: User, review: Review, reason: str, note: str) -> ReviewReport:
    if review.user_id == user.pk:
        raise ReviewRefused(403, "you cannot report your own review; edit or delete it instead")
    rows = ReviewReport.objects.filter(user=user)
    rate_check(rows, limit=settings.REVIEW_REPORTS_PER_DAY, what="reports", window=timedelta(days=1), per="day")
    report, created = ReviewReport.objects.get_or_create(
        user=user, review=review, defaults={"reason": reason, "note": note, "at": timezone.now()}
    )
    if not created:
        raise ReviewRefused(409, "you have already reported this review; an editor will look at it")
    return report


def _editor_check(editor: User) -> None:
    if not editor.is_staff:
        raise ReviewRefused(403, "only editors moderate reviews")


@transaction.atomic
def review_approve(*, editor: User, review: Review) -> Review:
    _editor_check(editor)
    if review.state == State.PUBLISHED:
        raise ReviewRefused(409, "this review is already published")
    now = timezone.now()
    review.state, review.rejection_reason = State.PUBLISHED, ""
    review.published_at = review.published_at or now
    review.save(update_fields=["state", "rejection_reason", "published_at"])
    _log(review, actor=editor, action=Action.APPROVED)
    return review


@transaction.atomic
def review_reject(*, editor: User, review: Review, reason: str) -> Review:
    """Take a review down (waiting or published) with a reason its writer reads; its open reports are upheld."""
    _editor_check(editor)
    if not reason.strip():
        raise ReviewRefused(400, "say why, in words the writer will read")
    review.state, review.rejection_reason, review.editor_pick = State.REJECTED, reason.strip(), False
    review.save(update_fields=["state", "rejection_reason", "editor_pick"])
    ReviewReport.objects.filter(review=review, state=ReportState.OPEN).update(state=ReportState.UPHELD)
    _log(review, actor=editor, action=Action.REJECTED, reason=review.rejection_reason)
    return review


@transaction.atomic
def review_report_dismiss(*, editor: User, report: ReviewReport, reason: str = "") -> ReviewReport:
    _editor_check(editor)
    if report.state != ReportState.OPEN:
        raise ReviewRefused(409, "this report was already decided")
    report.state = ReportState.DISMISSED
    report.save(update_fields=["state"])
    _log(report.review, actor=editor, action=Action.REPORT_DISMISSED, reason=reason.strip())
    return report


@transaction.atomic
def review_pick(*, editor: User, review: Review, picked: bool) -> Review:
    _editor_check(editor)
    if picked and review.state != State.PUBLISHED:
        raise ReviewRefused(409, "only a published review can be an editor's pick")
    if review.editor_pick == picked:
        return review
    review.editor_pick = picked
    review.save(update_fields=["editor_pick"])
    _log(review, actor=editor, action=Action.PICKED if picked else Action.UNPICKED)
    return review
