"""What a reader told the recommendations never to propose again: a title, or every title of a creator."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shuraba.catalog.models import Creator, Title


class NotInterested(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="not_interested")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "title"], name="notinterested_once")]

    def __str__(self) -> str:
        return f"{self.user_id} not interested in {self.title_id}"


class NeverCreator(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="never_creators")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "creator"], name="nevercreator_once")]

    def __str__(self) -> str:
        return f"{self.user_id} never {self.creator_id}"
