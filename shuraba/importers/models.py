"""Import runs and what they leave for editors: row errors, per-source facts, match reviews, suggestions.

The catalog itself (titles, names, ids, tags) lives in `shuraba.catalog`; these tables say where its
imported facts came from and what still needs a person's decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from shuraba.catalog.models import Title


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running (or killed: the next run with the same source and filters resumes it)"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Stopped partway (a source outage or network error); rerun to resume"


class ImportRun(models.Model):
    """One `shuraba import` invocation: what was asked, how far it got, what it did."""

    source = models.CharField(max_length=20, help_text="anilist, mangadex, mangaupdates, jikan or file")
    command = models.CharField(max_length=500, blank=True, help_text="the command line as typed")
    filters = models.JSONField(default=dict, blank=True, help_text="filters, --since and --limit; a file's path+hash")
    resume_key = models.CharField(max_length=64, db_index=True, help_text="hash of source and filters")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    message = models.CharField(max_length=300, blank=True, help_text="why the run stopped, when it did")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    reviews = models.PositiveIntegerField(default=0, help_text="uncertain matches queued for an editor")
    suggestions = models.PositiveIntegerField(default=0, help_text="classification suggestions queued")
    checkpoint = models.JSONField(
        null=True, blank=True, help_text="where to resume; advances in the same transaction as each chunk"
    )
    dry_run = models.BooleanField(default=False, help_text="a dry run is never stored; kept for in-memory runs")
    holder = models.CharField(max_length=120, blank=True, help_text="host:pid of the process running it")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="its last committed chunk or start")

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [  # two processes never run (or resume) the same import at once
            models.UniqueConstraint(
                fields=["resume_key"],
                condition=models.Q(status="running", dry_run=False),
                name="importrun_one_running_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source} {self.status}"


class ImportRowError(models.Model):
    """A row that was rejected: where it was and why (never skipped silently)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    where = models.CharField(max_length=120, help_text='"line 17", "anilist 30001", "page 3 item 12"')
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["run", "pk"]

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class SourceSnapshot(models.Model):
    """What one source says about one work (facts only), and which title it belongs to.

    The title's imported fields are merged from its snapshots (see `merge.py`), and the title page shows
    where they disagree. An identical refetch leaves the row untouched.
    """

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="source_snapshots")
    source = models.CharField(max_length=20, help_text="anilist, mangadex, mangaupdates or mal")
    source_id = models.CharField(max_length=80)
    facts = models.JSONField(help_text="the source's facts for this work, after mapping; never prose")
    fetched_at = models.DateTimeField(default=timezone.now, help_text="when these facts were fetched")

    class Meta:
        ordering = ["title", "source"]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="sourcesnapshot_unique")]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    MERGED = "merged", "Merged into the candidate"
    CREATED = "created", "Imported as a new title"
    DISMISSED = "dismissed", "Dismissed"


class MatchReview(models.Model):
    """A record that may or may not be a title we already have: an editor decides, the import waits."""

    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=20)
    source_id = models.CharField(max_length=80)
    record = models.JSONField(help_text="the source record as imported (facts only)")
    candidate = models.ForeignKey(Title, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    score = models.FloatField(help_text="match score 0-100 (see docs/importers.md)")
    reasons = models.TextField()
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=models.Q(status="pending"),
                name="matchreview_one_pending_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id} ~ {self.candidate} ({self.score:.0f})"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ClassificationSuggestion(models.Model):
    """A proposed axis value or content rating for an imported title; never an editor fact by itself."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="suggestions")
    axis = models.CharField(max_length=40, help_text="an axis key: centrality, subgenre, ending or content-rating")
    values = models.JSONField(help_text="value key -> weight 0-1")
    confidence = models.FloatField()
    reasons = models.TextField()
    source = models.CharField(max_length=40, help_text='"model" or "import:<source>"; becomes the value\'s source')
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING)
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-confidence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "axis"],
                condition=models.Q(status="pending"),
                name="suggestion_one_pending_per_axis",
            )
        ]

    def __str__(self) -> str:
        values = ", ".join(f"{k}:{w:g}" if w != 1 else k for k, w in self.values.items())
        return f"{self.title} {self.axis} = {values} ({self.confidence:.2f})"


class SourceTerm(models.Model):
    """One term of a source's tag vocabulary and what the alias table maps it onto, for editors to review."""

    source = models.CharField(max_length=20)
    term_id = models.CharField(max_length=80, help_text="the source's id for the term (AniList int, MangaDex UUID)")
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=80, blank=True)
    is_adult = models.BooleanField(default=False)
    maps_to = models.CharField(max_length=300, blank=True, help_text="our tag slugs, comma separated")
    evidence = models.CharField(max_length=300, blank=True, help_text="axis evidence, e.g. subgenre=netorare")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source", "name"]
        constraints = [models.UniqueConstraint(fields=["source", "term_id"], name="sourceterm_unique")]

    def __str__(self) -> str:
        return f"{self.source}:{self.name}"
