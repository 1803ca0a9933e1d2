"""Reading lists: editorial lists (the site's, written by editors: an introduction, a starter flag, a
subgenre focus) and readers' own (public, unlisted or private); ordered items with a note each; suggestions
from other readers that the list's owner approves or declines."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.catalog.models import Title

NAME_MAX = 120
INTRO_MAX = 5000
NOTE_MAX = 500  # the bar: a note on an item is at most 500 characters
ITEMS_MAX = 500


class Kind(models.TextChoices):
    EDITORIAL = "editorial", "Editorial (the site's)"
    READER = "reader", "A reader's"


class Privacy(models.TextChoices):
    PUBLIC = "public", "Public: in the lists index, on title pages and in feeds"
    UNLISTED = "unlisted", "Unlisted: only by its link"
    PRIVATE = "private", "Private: only me"


class SuggestionState(models.TextChoices):
    PENDING = "pending", "Waiting for the list's owner"
    APPROVED = "approved", "Approved: added to the list"
    DECLINED = "declined", "Declined"


def list_token() -> str:
    return secrets.token_urlsafe(6).lower().replace("_", "x").replace("-", "y")


class ReadingList(models.Model):
    # The slug ends in a random part, so an unlisted list's address cannot be guessed from its name.
    slug = models.SlugField(max_length=150, unique=True)
    name = models.CharField(max_length=NAME_MAX)
    intro = models.TextField(blank=True, max_length=INTRO_MAX)  # Markdown, sanitized when shown
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.READER)
    privacy = models.CharField(max_length=10, choices=Privacy.choices, default=Privacy.PUBLIC)
    starter = models.BooleanField(default=False)  # editorial only: a first list for newcomers
    focus = models.CharField(max_length=40, blank=True)  # a subgenre value key, editorial only
    # A reader's list is its owner's and goes with their account; an editorial list is the site's
    # (owner empty) and keeps the name of the editor who wrote it while that account lasts.
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="reading_lists")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=Kind.values), name="list_kind_known"),
            models.CheckConstraint(condition=models.Q(privacy__in=Privacy.values), name="list_privacy_known"),
            models.CheckConstraint(
                condition=models.Q(kind=Kind.EDITORIAL, owner__isnull=True)
                | models.Q(kind=Kind.READER, owner__isnull=False, starter=False, focus=""),
                name="list_owner_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["privacy", "kind", "updated_at"], name="list_public_recent")]

    def __str__(self) -> str:
        return self.name


class ListItem(models.Model):
    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="items")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="list_items")
    position = models.PositiveIntegerField()
    note = models.TextField(blank=True, max_length=NOTE_MAX)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["reading_list", "title"], name="list_item_once"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("note"), NOTE_MAX), name="list_item_note_length"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title_id}"


class ListSuggestion(models.Model):
    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="suggestions")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="list_suggestions")
    note = models.TextField(blank=True, max_length=NOTE_MAX)
    state = models.CharField(max_length=10, choices=SuggestionState.choices, default=SuggestionState.PENDING)
    at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["reading_list", "title", "user"], name="list_suggestion_once"),
            models.CheckConstraint(condition=models.Q(state__in=SuggestionState.values), name="suggestion_state_known"),
        ]
        indexes = [models.Index(fields=["user", "at"], name="list_suggestion_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} suggests {self.title_id} for {self.reading_list_id}"
