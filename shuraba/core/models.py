"""The ground floor's models: a base model and the change log every app that changes the catalog writes to."""

from __future__ import annotations

import uuid

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ChangeKind(models.TextChoices):
    TITLE = "title", "A title changed"
    VOCABULARY = "vocabulary", "The vocabulary changed"


class Change(models.Model):
    """An append-only log of what changed: the catalog's change counter (core/changelog.py reads and writes it).

    Its highest id is the catalog's version. Every process that keeps a copy of the catalog in memory
    (the search index) compares that number on each request and reloads only the titles logged since,
    so every worker and machine serving one database agrees within one request after a write.
    A `title` row names the title (no foreign key: a deleted title must still be announced); a
    `vocabulary` row announces a new vocabulary (tags renamed, added or removed with their assignments),
    after which readers reload everything.
    """

    kind = models.CharField(max_length=10, choices=ChangeKind.choices, default=ChangeKind.TITLE)
    title_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # SQLite may hand a rolled-back id out again; a reader that saw the old row notices the new token.
    token = models.UUIDField(default=uuid.uuid4, editable=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "id"], name="change_kind_id")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=ChangeKind.TITLE, title_id__isnull=False)
                | models.Q(kind=ChangeKind.VOCABULARY, title_id__isnull=True),
                name="change_names_its_subject",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.title_id or ''}".strip()
