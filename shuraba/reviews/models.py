"""Structured reviews: one per reader per title, its edit history, helpfulness votes, readers' reports and
the editors' moderation log. Written only by `services.py`."""

from __future__ import annotations

from django.conf import settings
from django.db import models

SCORE_MIN, SCORE_MAX = 1, 10
BODY_MAX = 20_000
LINE_MAX = 300  # "for readers who…", "skip if…"
REASON_MAX = 1000

# The dimension scores, in the order forms, pages, charts and the API list them.
DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("story", "Story"),
    ("art", "Art"),
    ("characters", "Characters"),
    ("emotional_impact", "Emotional impact"),
    ("psychological_depth", "Psychological depth"),
    ("resolution_payoff", "Resolution payoff"),
)
DIMENSION_KEYS = tuple(key for key, _ in DIMENSIONS)
# What a writer sets on a review, in the order forms, revisions, exports and the API list them.
REVIEW_FIELDS = (
    "score",
    *DIMENSION_KEYS,
    "verdict",
    "for_readers",
    "skip_if",
    "body",
    "reached_chapter",
    "finished",
)


class Verdict(models.TextChoices):
    RECOMMENDED = "recommended", "Recommended"
    MIXED = "mixed", "Mixed"
    NOT_RECOMMENDED = "not-recommended", "Not recommended"


class State(models.TextChoices):
    PENDING = "pending", "Waiting for an editor"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"


def _score_range(field: str) -> models.Q:
    return models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": SCORE_MIN, f"{field}__lte": SCORE_MAX})


class Review(models.Model):
    """A reader's structured review of one title. The body is Markdown with spoiler blocks (`markup.py`);
    what a viewer sees of it is decided per block by the visibility policy (`policies.block_shown`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    title = models.ForeignKey("catalog.Title", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(help_text="Overall, 1-10")
    story = models.PositiveSmallIntegerField(null=True, blank=True)
    art = models.PositiveSmallIntegerField(null=True, blank=True)
    characters = models.PositiveSmallIntegerField(null=True, blank=True)
    emotional_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    psychological_depth = models.PositiveSmallIntegerField(null=True, blank=True)
    resolution_payoff = models.PositiveSmallIntegerField(null=True, blank=True)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    for_readers = models.CharField(max_length=LINE_MAX, blank=True, help_text="For readers who…")
    skip_if = models.CharField(max_length=LINE_MAX, blank=True, help_text="Skip if…")
    body = models.TextField(max_length=BODY_MAX, help_text="Markdown, with :::spoiler blocks")
    reached_chapter = models.PositiveIntegerField(null=True, blank=True, help_text="The chapter the writer had read")
    finished = models.BooleanField(default=False, help_text="The writer had read it to the end")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    rejection_reason = models.CharField(max_length=REASON_MAX, blank=True)
    editor_pick = models.BooleanField(default=False)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    helpful_rank = models.FloatField(default=0.0, help_text="Wilson lower bound of the helpful share")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "title"], name="review_once_per_reader_title"),
            models.CheckConstraint(
                condition=models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="review_score_range"
            ),
            *(
                models.CheckConstraint(condition=_score_range(key), name=f"review_{key}_range")
                for key in DIMENSION_KEYS
            ),
            models.CheckConstraint(condition=models.Q(verdict__in=Verdict.values), name="review_verdict_known"),
            models.CheckConstraint(condition=models.Q(state__in=State.values), name="review_state_known"),
        ]
        indexes = [
            # One per sort of a title's reviews (selectors.SORTS), read backwards for the descending ones,
            # so a page of 500 reviews reads its few rows without sorting them all.
            models.Index(
                fields=["title", "state", "editor_pick", "helpful_rank", "published_at"],
                name="review_title_helpful_order",
            ),
            models.Index(fields=["title", "state", "published_at"], name="review_title_newest"),
            models.Index(fields=["title", "state", "score", "helpful_rank"], name="review_title_score_order"),
            models.Index(fields=["state", "published_at"], name="review_state_published"),
        ]

    def __str__(self) -> str:
        return f"review {self.pk} of {self.title_id} by {self.user_id}"

    def dimension(self, key: str) -> int | None:
        value: int | None = getattr(self, key)
        return value


class ReviewRevision(models.Model):
    """One write of a review, as written: the edit history (the writer's and the editors' to read)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="revisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    fields = models.JSONField(help_text="Every field the writer sets, as saved")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"], name="review_revision_user_at")]

    def __str__(self) -> str:
        return f"revision of {self.review_id} at {self.at:%Y-%m-%d %H:%M}"


class HelpfulVote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="helpful_vote_once")]
        indexes = [models.Index(fields=["user", "at"], name="helpful_vote_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} finds {self.review_id} {'helpful' if self.helpful else 'unhelpful'}"


class ReportReason(models.TextChoices):
    UNMARKED_SPOILER = "unmarked-spoiler", "Spoilers outside a spoiler block"
    ABUSE = "abuse", "Abusive or hateful"
    SPAM = "spam", "Spam or advertising"
    EXPLICIT = "explicit", "Explicit description of content"
    OTHER = "other", "Something else"


class ReportState(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Upheld: the review was taken down"
    DISMISSED = "dismissed", "Dismissed"


class ReviewReport(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    note = models.CharField(max_length=REASON_MAX, blank=True)
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.OPEN)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="review_report_once"),
            models.CheckConstraint(condition=models.Q(reason__in=ReportReason.values), name="review_report_reason"),
            models.CheckConstraint(condition=models.Q(state__in=ReportState.values), name="review_report_state"),
        ]
        indexes = [
            models.Index(fields=["state", "at"], name="review_report_state_at"),
            models.Index(fields=["user", "at"], name="review_report_user_at"),
        ]

    def __str__(self) -> str:
        return f"report on {self.review_id}: {self.reason}"


class Action(models.TextChoices):
    SUBMITTED = "submitted", "submitted for review"
    PUBLISHED = "published", "published at once (trusted writer)"
    APPROVED = "approved", "approved"
    REJECTED = "rejected", "rejected"
    REPORT_UPHELD = "report-upheld", "upheld a report (review taken down)"
    REPORT_DISMISSED = "report-dismissed", "dismissed a report"
    PICKED = "picked", "made an editor's pick"
    UNPICKED = "unpicked", "removed from the editor's picks"
    DELETED = "deleted", "deleted by its writer"


class ModerationEvent(models.Model):
    """The audit log: who did what to which review, when and why. Kept when the review is deleted."""

    review = models.ForeignKey(Review, on_delete=models.SET_NULL, null=True, related_name="events")
    review_label = models.CharField(max_length=300, help_text="The review as it was named then")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.CharField(max_length=REASON_MAX, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=Action.values), name="moderation_action_known")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.review_label}"


# The axes readers vote on (issue 13): the NTR profile's core. Ending votes count only from readers who
# finished the title.
VOTED_AXES = ("centrality", "subgenre", "perspective", "consent", "ending")
FINISHED_ONLY_AXES = frozenset({"ending"})


class ClassificationVote(models.Model):
    """One reader's vote for one value of one axis of a title (several rows for a multi-valued axis). The
    community's consensus over these rows (`consensus.py`) is written to the title's profile with source
    "community" by `votes.py`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classification_votes")
    title = models.ForeignKey("catalog.Title", on_delete=models.CASCADE, related_name="+")
    axis = models.CharField(max_length=40)
    value = models.CharField(max_length=40)
    weight = models.FloatField(default=1.0, help_text="0-1; for weighted axes (subgenre)")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "title", "axis", "value"], name="classification_vote_once"),
            models.CheckConstraint(condition=models.Q(weight__gte=0, weight__lte=1), name="classification_vote_weight"),
        ]
        indexes = [
            models.Index(fields=["title", "axis"], name="classification_vote_title"),
            models.Index(fields=["title", "at"], name="classification_vote_title_at"),
            models.Index(fields=["user", "at"], name="classification_vote_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} votes {self.axis}={self.value} on {self.title_id}"
