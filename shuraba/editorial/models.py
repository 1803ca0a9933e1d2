"""The genre guide and the glossary's words of the genre: Markdown pages editors write and revise in the site,
each save a numbered revision. The shipped guide (content/guides.toml) is loaded once; after that the pages
are the site's."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from shuraba.accounts.models import User
from shuraba.core.models import TimeStampedModel

TITLE_MAX, SUMMARY_MAX, BODY_MAX, NOTE_MAX = 200, 300, 60_000, 200


class PageKind(models.TextChoices):
    GUIDE = "guide", "A page of the genre guide"
    GLOSSARY = "glossary", "A word of the genre, in the glossary"


class GuidePage(TimeStampedModel):
    """A page of the genre guide (or a glossary entry), written in Markdown by editors."""

    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=PageKind.choices, default=PageKind.GUIDE)
    title = models.CharField(max_length=TITLE_MAX)
    summary = models.CharField(max_length=SUMMARY_MAX, blank=True)
    body = models.TextField(help_text="Markdown (CommonMark); HTML is sanitized")
    order = models.PositiveSmallIntegerField(default=0)
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "title"]
        constraints = [models.CheckConstraint(condition=models.Q(kind__in=PageKind.values), name="guide_kind_known")]

    def __str__(self) -> str:
        return self.title


class GuideRevision(models.Model):
    """One save of a page, as it was saved: the page's history, its diffs, what an editor can go back to."""

    page = models.ForeignKey(GuidePage, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=TITLE_MAX)
    summary = models.CharField(max_length=SUMMARY_MAX, blank=True)
    body = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    published = models.BooleanField(default=True)
    editor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=NOTE_MAX, blank=True)  # what changed, in the editor's words
    at = models.DateTimeField()

    class Meta:
        ordering = ["page", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="guide_revision_once"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("body"), BODY_MAX), name="guide_revision_length"),
        ]

    def __str__(self) -> str:
        return f"{self.page_id} r{self.number}"
