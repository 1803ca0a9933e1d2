from __future__ import annotations

from django.db import models

from shuraba.core.models import TimeStampedModel


class GuidePage(TimeStampedModel):
    """A page of the genre guide, written in Markdown by editors."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    body = models.TextField(help_text="Markdown (CommonMark); HTML is sanitized")
    order = models.PositiveSmallIntegerField(default=0)
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title
