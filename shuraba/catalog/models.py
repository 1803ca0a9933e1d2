"""Titles and everything recorded about them: names, people, ids, the NTR profile, the formula."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from shuraba.core.models import TimeStampedModel
from shuraba.taxonomy.models import Axis, AxisValue, Tag


class Format(models.TextChoices):
    MANGA = "manga", "Manga"
    ONE_SHOT = "one-shot", "One-shot"
    WEBTOON = "webtoon", "Webtoon"
    LIGHT_NOVEL = "light-novel", "Light novel"
    UNKNOWN = "unknown", "Format unknown"  # no source says (the AniList research file gives none)


class Status(models.TextChoices):
    RELEASING = "releasing", "Releasing"
    FINISHED = "finished", "Finished"
    HIATUS = "hiatus", "On hiatus"
    CANCELLED = "cancelled", "Cancelled"
    NOT_YET_RELEASED = "not-yet-released", "Not yet released"


class ContentRating(models.TextChoices):
    ALL_AGES = "all-ages", "All ages"
    TEEN = "teen", "Teen"
    MATURE = "mature", "Mature"
    # AniList's isAdult=false and nothing more: not made only for 18+, so at most mature (docs/importers.md)
    NOT_ADULT = "not-adult", "Not adult per AniList"
    EXPLICIT = "explicit", "Explicit"
    UNKNOWN = "unknown", "Unknown (treated as explicit)"


class SpoilerLevel(models.TextChoices):
    NONE = "none", "No spoiler"
    MINOR = "minor", "Minor spoiler"
    MAJOR = "major", "Major spoiler"


class Severity(models.TextChoices):
    MINOR = "minor", "Minor"
    MODERATE = "moderate", "Moderate"
    GRAPHIC = "graphic", "Graphic"


class StageKey(models.TextChoices):
    RELATIONSHIP = "relationship", "Established relationship"
    THIRD_PARTY = "third-party", "Third party"
    DRIFT = "drift", "Emotional drift"
    REVELATION = "revelation", "Revelation"
    RESOLUTION = "resolution", "Resolution"


STAGE_ORDER = [key.value for key in StageKey]

# Provenance of a fact: who or what says so. Imports are "import:<source>", e.g. "import:anilist".
SOURCE_EDITOR = "editor"
SOURCE_COMMUNITY = "community"
SOURCE_MODEL = "model"
SOURCE_IMPORT_PREFIX = "import:"
SOURCE_IMPLIED = "implied"  # a tag the title's own profile implies (catalog/implications.py)
SOURCE_HELP = 'editor, community, model or import:<source> (for example "import:anilist")'


def _range(field: str, low: float, high: float, name: str, *, null: bool = False) -> models.CheckConstraint:
    """A database rule binding every writer (raw SQL and bulk writes too): low <= field <= high."""
    condition = models.Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if null:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


def _among(field: str, values: list[str], name: str) -> models.CheckConstraint:
    """field is one of values. Spelled as ORs of equalities, not IN: SQLite evaluates a CHECK's IN list by
    building a table for every row written, which doubled the cost of inserting tag assignments."""
    condition = models.Q()
    for value in values:
        condition |= models.Q(**{field: value})
    return models.CheckConstraint(condition=condition, name=name)


class Creator(TimeStampedModel):
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    native_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Title(TimeStampedModel):
    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Our own prose about the story, never a copied synopsis.")
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.UNKNOWN)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RELEASING)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 country of origin")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    chapters = models.PositiveIntegerField(null=True, blank=True)
    volumes = models.PositiveIntegerField(null=True, blank=True)
    content_rating = models.CharField(
        max_length=10, choices=ContentRating.choices, default=ContentRating.UNKNOWN, db_index=True
    )
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)], help_text="Community mean, 0-100"
    )
    popularity = models.PositiveIntegerField(default=0, help_text="Readers who listed the title")
    is_fictional = models.BooleanField(default=False, help_text="Part of the fictional sample catalog")

    class Meta:
        ordering = ["title"]
        constraints = [_range("score", 0, 100, "title_score_range", null=True)]

    def __str__(self) -> str:
        return self.title

    @property
    def start_year(self) -> int | None:
        return self.start_date.year if self.start_date else None


class AltTitleKind(models.TextChoices):
    ROMAJI = "romaji", "Romaji"
    ENGLISH = "english", "English"
    NATIVE = "native", "Native"
    SYNONYM = "synonym", "Synonym"


class AltTitle(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="alt_titles")
    kind = models.CharField(max_length=10, choices=AltTitleKind.choices)
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["title", "kind", "text"]
        constraints = [models.UniqueConstraint(fields=["title", "kind", "text"], name="alttitle_unique")]

    def __str__(self) -> str:
        return self.text


class CreditRole(models.TextChoices):
    STORY = "story", "Story"
    ART = "art", "Art"
    STORY_ART = "story-art", "Story & art"
    ORIGINAL = "original", "Original work"


class Credit(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="credits")
    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="credits")
    role = models.CharField(max_length=10, choices=CreditRole.choices)

    class Meta:
        ordering = ["title", "role"]
        constraints = [models.UniqueConstraint(fields=["title", "creator", "role"], name="credit_unique")]

    def __str__(self) -> str:
        return f"{self.creator} ({self.role})"


class ExternalSource(models.TextChoices):
    ANILIST = "anilist", "AniList"
    MAL = "mal", "MyAnimeList"
    MANGADEX = "mangadex", "MangaDex"
    MANGAUPDATES = "mangaupdates", "MangaUpdates"


EXTERNAL_URLS = {
    ExternalSource.ANILIST: "https://anilist.co/manga/{}",
    ExternalSource.MAL: "https://myanimelist.net/manga/{}",
    ExternalSource.MANGADEX: "https://mangadex.org/title/{}",
    ExternalSource.MANGAUPDATES: "https://www.mangaupdates.com/series/{}",
}


class ExternalId(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="external_ids")
    source = models.CharField(max_length=20, choices=ExternalSource.choices)
    external_id = models.CharField(max_length=80)

    class Meta:
        ordering = ["source"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="externalid_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"

    @property
    def url(self) -> str:
        return EXTERNAL_URLS[ExternalSource(self.source)].format(self.external_id)


class Provenance(models.Model):
    """Who says a fact is true, how sure, and whether editors have locked it."""

    source = models.CharField(max_length=40, default=SOURCE_EDITOR, help_text=SOURCE_HELP)
    confidence = models.FloatField(default=1.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    locked = models.BooleanField(default=False, help_text="Only an editor may change a locked value.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TitleAxisValue(Provenance):
    """One value of one axis of a title's NTR profile (a multi-valued axis has several rows)."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="axis_values")
    axis = models.ForeignKey(Axis, on_delete=models.PROTECT, related_name="+")
    value = models.ForeignKey(AxisValue, on_delete=models.PROTECT, related_name="title_values")
    weight = models.FloatField(
        default=1.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="How strongly the value applies (used by weighted axes such as subgenre)",
    )

    class Meta:
        ordering = ["title", "axis__order", "-weight", "value__order"]
        constraints = [
            models.UniqueConstraint(fields=["title", "value"], name="titleaxisvalue_unique"),
            _range("weight", 0.0, 1.0, "titleaxisvalue_weight_range"),
            _range("confidence", 0.0, 1.0, "titleaxisvalue_confidence_range"),
        ]
        indexes = [models.Index(fields=["value", "title"])]

    def __str__(self) -> str:
        return f"{self.title_id} {self.value}"


class TitleTag(Provenance):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="title_tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="title_tags")
    relevance = models.PositiveSmallIntegerField(default=50, validators=[MaxValueValidator(100)])
    spoiler = models.CharField(max_length=5, choices=SpoilerLevel.choices, default=SpoilerLevel.NONE)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)

    class Meta:
        ordering = ["title", "-relevance", "tag__name"]
        constraints = [
            models.UniqueConstraint(fields=["title", "tag"], name="titletag_unique"),
            _range("relevance", 0, 100, "titletag_relevance_range"),
            _range("confidence", 0.0, 1.0, "titletag_confidence_range"),
            _among("spoiler", SpoilerLevel.values, "titletag_spoiler_level"),
            _among("severity", ["", *Severity.values], "titletag_severity_level"),
        ]
        indexes = [models.Index(fields=["tag", "title"])]

    def __str__(self) -> str:
        return f"{self.tag} ({self.relevance})"


class FormulaStage(Provenance):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=20, choices=StageKey.choices)
    chapter_start = models.PositiveIntegerField(null=True, blank=True)
    chapter_end = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    spoiler = models.CharField(max_length=5, choices=SpoilerLevel.choices, default=SpoilerLevel.NONE)

    class Meta:
        ordering = ["title", "chapter_start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["title", "stage"], name="formulastage_unique"),
            models.CheckConstraint(
                condition=models.Q(chapter_start__isnull=True)
                | models.Q(chapter_end__isnull=True)
                | models.Q(chapter_start__lte=models.F("chapter_end")),
                name="formulastage_range_ordered",
            ),
            _range("confidence", 0.0, 1.0, "formulastage_confidence_range"),
            _among("spoiler", SpoilerLevel.values, "formulastage_spoiler_level"),
        ]

    def __str__(self) -> str:
        return self.get_stage_display()

    @property
    def order(self) -> int:
        return STAGE_ORDER.index(self.stage)


class ChangeRecord(models.Model):
    """The history of a title: every change, with who, when and on whose authority."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="changes")
    entity = models.CharField(max_length=20, help_text="title, profile, tag, stage, alt-title, credit, external-id")
    field = models.CharField(max_length=80)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    source = models.CharField(max_length=40, help_text=SOURCE_HELP)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["title", "-at"])]

    def __str__(self) -> str:
        return f"{self.entity}.{self.field}: {self.old_value!r} -> {self.new_value!r}"
