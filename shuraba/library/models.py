"""A reader's library: one entry per title they track, how their imports went, and what did not match."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

# A date as a reader knows it: a year, a month or a day (MAL writes unknown parts as 00; AniList's fuzzy
# dates leave them null). ISO 8601 at reduced precision sorts as text.
PARTIAL_DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
NOTES_MAX = 5000
SCORE_MIN, SCORE_MAX = 1, 10


# What a reader sets on an entry, in the order forms, rows, exports and the API list them.
ENTRY_FIELDS = (
    "status",
    "chapters_read",
    "volumes_read",
    "score",
    "started_on",
    "finished_on",
    "reread_count",
    "notes",
    "privacy",
)


class Status(models.TextChoices):
    READING = "reading", "Reading"
    COMPLETED = "completed", "Completed"
    ON_HOLD = "on-hold", "On hold"
    DROPPED = "dropped", "Dropped"
    PLAN_TO_READ = "plan-to-read", "Plan to read"
    REREADING = "rereading", "Re-reading"


class Privacy(models.TextChoices):
    PUBLIC = "public", "Public: on my profile"
    UNLISTED = "unlisted", "Unlisted: only by its link, not on my profile"
    PRIVATE = "private", "Private: only me"


def share_token() -> str:
    return secrets.token_urlsafe(12)


class LibraryEntry(models.Model):
    """One title on one reader's shelf. Notes are the owner's alone, whatever the entry's privacy."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library")
    title = models.ForeignKey("catalog.Title", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLAN_TO_READ)
    chapters_read = models.PositiveIntegerField(default=0)
    volumes_read = models.PositiveIntegerField(default=0)
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1-10; empty when not scored")
    started_on = models.CharField(max_length=10, blank=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD")
    finished_on = models.CharField(max_length=10, blank=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD")
    reread_count = models.PositiveSmallIntegerField(default=0)
    notes = models.TextField(blank=True, max_length=NOTES_MAX, help_text="Private: only the reader sees them")
    privacy = models.CharField(max_length=8, choices=Privacy.choices, default=Privacy.PUBLIC)
    share_token = models.CharField(max_length=24, unique=True, default=share_token)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "title"], name="library_entry_once_per_title"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="library_score_range",
            ),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="library_status_known"),
            models.CheckConstraint(condition=models.Q(privacy__in=Privacy.values), name="library_privacy_known"),
            models.CheckConstraint(
                condition=models.Q(started_on="") | models.Q(started_on__regex=PARTIAL_DATE),
                name="library_started_on_partial_date",
            ),
            models.CheckConstraint(
                condition=models.Q(finished_on="") | models.Q(finished_on__regex=PARTIAL_DATE),
                name="library_finished_on_partial_date",
            ),
        ]
        # The library page (selectors): an index for each sort the database walks (a time), and for each one
        # sorted in memory its column with the title, so reading a library's (pk, title, column) reads the
        # index alone, not the entries' rows (notes and all).
        indexes = [
            models.Index(fields=["user", "updated_at"]),
            models.Index(fields=["user", "created_at"], name="library_entry_user_added"),
            models.Index(fields=["user", "status", "title"], name="library_entry_user_status"),
            models.Index(fields=["user", "score", "title"], name="library_entry_user_score"),
            models.Index(fields=["user", "chapters_read", "title"], name="library_entry_user_chapters"),
            models.Index(fields=["user", "volumes_read", "title"], name="library_entry_user_volumes"),
            models.Index(fields=["user", "started_on", "title"], name="library_entry_user_started"),
            models.Index(fields=["user", "finished_on", "title"], name="library_entry_user_finished"),
            models.Index(fields=["user", "reread_count", "title"], name="library_entry_user_rereads"),
            models.Index(fields=["user", "privacy", "title"], name="library_entry_user_privacy"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status} {self.title_id}"


class LibrarySettings(models.Model):
    """A reader's choices for their library as a whole."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_settings")
    default_privacy = models.CharField(max_length=8, choices=Privacy.choices, default=Privacy.PUBLIC)

    class Meta:
        verbose_name_plural = "library settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_privacy__in=Privacy.values), name="library_default_privacy_known"
            )
        ]

    def __str__(self) -> str:
        return f"library settings of {self.user_id}"


class ImportFormat(models.TextChoices):
    MAL_XML = "mal-xml", "MyAnimeList XML"
    ANILIST_JSON = "anilist-json", "AniList MediaListCollection JSON"


class LibraryImport(models.Model):
    """One import of a list file: what it did, entry by entry where something went wrong."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_imports")
    at = models.DateTimeField()
    format = models.CharField(max_length=12, choices=ImportFormat.choices)
    filename = models.CharField(max_length=200, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(default=list, blank=True, help_text="[{where, name, reason}]")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"import {self.pk} by {self.user_id}"


class UnmatchedState(models.TextChoices):
    OPEN = "open", "Waiting for the reader"
    RESOLVED = "resolved", "Matched by the reader"
    LEFT = "left", "Left out by the reader"


class UnmatchedEntry(models.Model):
    """An imported entry no catalog title matched: the reader picks the title or leaves it. A resolved one
    remembers its title, so the next import of the same list matches it at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_unmatched")
    library_import = models.ForeignKey(LibraryImport, on_delete=models.CASCADE, related_name="unmatched_entries")
    source = models.CharField(max_length=8, help_text="mal or anilist: which site's id `source_id` is")
    source_id = models.CharField(max_length=20, blank=True, help_text="The list's id for the work; empty if none")
    name = models.CharField(max_length=300, help_text="The name the list gives")
    fields = models.JSONField(help_text="The entry as read from the file (status, progress, score, dates, ...)")
    state = models.CharField(max_length=8, choices=UnmatchedState.choices, default=UnmatchedState.OPEN)
    title = models.ForeignKey("catalog.Title", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "source", "source_id", "name"], name="library_unmatched_once"),
            models.CheckConstraint(condition=models.Q(state__in=UnmatchedState.values), name="library_unmatched_state"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"
