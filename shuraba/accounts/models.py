from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class SpoilerChoice(models.TextChoices):
    """What a reader shows everywhere: the same three words as `policies.SPOILER_SETTINGS`."""

    NONE = "none", "Hide spoilers (recommended)"
    MINOR = "minor", "Show minor spoilers"
    ALL = "all", "Show all spoilers, endings included"


class User(AbstractUser):
    """A reader or editor. Editors are staff; the 18+ confirmation and spoiler choice live here."""

    age_confirmed_at = models.DateTimeField(null=True, blank=True)
    spoilers = models.CharField(
        max_length=5, choices=SpoilerChoice.choices, default=SpoilerChoice.NONE, help_text="Spoilers shown everywhere"
    )
    # When the reader last chose a spoiler level: at sign-in a newer choice made in the session wins.
    spoilers_set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        constraints = [
            models.CheckConstraint(condition=models.Q(spoilers__in=SpoilerChoice.values), name="user_spoilers_known")
        ]

    @property
    def is_adult_confirmed(self) -> bool:
        return self.age_confirmed_at is not None


class TitleReveal(models.Model):
    """A reader asked to keep one title's spoilers revealed: the `?reveal=` tokens, applied on later visits."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="title_reveals")
    title = models.ForeignKey("catalog.Title", on_delete=models.CASCADE, related_name="+")
    tokens = models.CharField(max_length=200, help_text="A ?reveal= value: all, tags, or formula stage keys")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "title"], name="title_reveal_once_per_title")]

    def __str__(self) -> str:
        return f"{self.user_id} reveals {self.tokens} on {self.title_id}"


class ReaderRules(models.Model):
    """A signed-in reader's avoid rules as written: one line per rule in the text syntax, and preset keys
    (accounts/rules.py reads them; the visibility policy enforces them)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="avoid_rules")
    rules = models.JSONField(default=list, blank=True, help_text="rule lines in the text syntax")
    presets = models.JSONField(default=list, blank=True, help_text="preset keys, such as ntr-free")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "avoid rules"
        verbose_name_plural = "avoid rules"

    def __str__(self) -> str:
        return f"avoid rules of {self.user}"


class ApiToken(models.Model):
    """A personal API token: `Authorization: Bearer <token>` on /api/v1/ acts as its reader, without the
    session's CSRF token. Only its SHA-256 is kept; the token itself is shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell tokens apart")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"token {self.prefix}… of {self.user_id}"
