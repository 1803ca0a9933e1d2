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
