from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A reader or editor. Editors are staff; the 18+ confirmation and spoiler choice live here."""

    age_confirmed_at = models.DateTimeField(null=True, blank=True)
    reveal_spoilers = models.BooleanField(default=False, help_text="Show spoilers everywhere")

    @property
    def is_adult_confirmed(self) -> bool:
        return self.age_confirmed_at is not None


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
