"""A reader's preference profile: the quiz's answers, one row per reader (a visitor's stays in the session)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PreferenceProfile(models.Model):
    """One field per question of `questions.QUESTIONS`, each a list of that question's answer keys (checked
    by `questions.answers_read` before any write: `services.preferences_save`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences")
    motives = models.JSONField(default=list)
    endings = models.JSONField(default=list)
    perspectives = models.JSONField(default=list)
    consent = models.JSONField(default=list)
    centrality = models.JSONField(default=list)
    lengths = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
