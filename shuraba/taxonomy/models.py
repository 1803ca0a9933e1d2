"""The vocabulary: axes of the NTR profile, their values, formula stages, tags.

Rows are synced from `taxonomy.toml` (see services.taxonomy_sync); the file is the source of truth.
"""

from __future__ import annotations

from django.db import models

# A definition says what a word means to a reader (the glossary, the API); guidance tells an editor how to
# apply it ("use X instead", "revisit when the series ends") and is shown in the admin only.
GUIDANCE_HELP = "For editors: how to apply it. Never shown to readers."


class AxisKind(models.TextChoices):
    ORDINAL = "ordinal"
    SINGLE = "single"
    MULTI = "multi"
    WEIGHTED = "weighted"
    SCALE = "scale"
    DERIVED = "derived"


class Axis(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=AxisKind.choices)
    spoiler = models.BooleanField(default=False, help_text="Values are hidden until the reader reveals spoilers.")
    warning = models.BooleanField(default=False, help_text="Values are content warnings and an avoid axis.")
    definition = models.TextField()
    guidance = models.TextField(blank=True, help_text=GUIDANCE_HELP)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name_plural = "axes"

    def __str__(self) -> str:
        return self.label

    @property
    def is_multi(self) -> bool:
        return self.kind in {AxisKind.MULTI, AxisKind.WEIGHTED}


class AxisValue(models.Model):
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="values")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=80)
    definition = models.TextField()
    guidance = models.TextField(blank=True, help_text=GUIDANCE_HELP)
    rank = models.SmallIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Other words readers use for the value ("ntr"); the search box reads them as the value (search/vocab.py).
    aliases = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["axis__order", "order"]
        constraints = [models.UniqueConstraint(fields=["axis", "key"], name="axisvalue_unique_key")]

    def __str__(self) -> str:
        return f"{self.axis.key}:{self.key}"


class TermKind(models.TextChoices):
    STAGE = "stage"
    SPOILER_LEVEL = "spoiler-level"
    SEVERITY = "severity"


class Term(models.Model):
    """Small closed vocabularies with definitions: formula stages, spoiler levels, severities."""

    kind = models.CharField(max_length=20, choices=TermKind.choices)
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=80)
    definition = models.TextField()
    guidance = models.TextField(blank=True, help_text=GUIDANCE_HELP)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="term_unique_key")]

    def __str__(self) -> str:
        return self.label


class TagCategory(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    definition = models.TextField()
    guidance = models.TextField(blank=True, help_text=GUIDANCE_HELP)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name_plural = "tag categories"

    def __str__(self) -> str:
        return self.label


WARNING_CATEGORY = "content-warning"
# Axes that are fields of a title (content rating) or derived from them (length), not profile rows.
TITLE_FIELD_AXES = ("content-rating", "length")


def profile_axes() -> models.QuerySet[Axis]:
    """The axes stored as profile rows (TitleAxisValue), in taxonomy order."""
    return Axis.objects.exclude(key__in=TITLE_FIELD_AXES).exclude(kind=AxisKind.DERIVED)


class Tag(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=80, unique=True)
    category = models.ForeignKey(TagCategory, on_delete=models.PROTECT, related_name="tags")
    definition = models.TextField()
    guidance = models.TextField(blank=True, help_text=GUIDANCE_HELP)
    default_severity = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_warning(self) -> bool:
        return self.category.key == WARNING_CATEGORY


class TaxonomyState(models.Model):
    """One row: which version of taxonomy.toml the database holds."""

    version = models.CharField(max_length=40)
    synced_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.version
