"""'If you liked X, try Y': a pair of titles readers recommend together, with each proposer's written reason
and readers' votes. A pair has no direction (it is shown on both titles), so it is kept once, the lower
title id first."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from shuraba.accounts.models import User
from shuraba.catalog.models import Title

REASON_MAX = 1000


class Pair(models.Model):
    low = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    up = models.PositiveIntegerField(default=0)
    down = models.PositiveIntegerField(default=0)
    rank = models.FloatField(default=0.0)  # the votes' Wilson lower bound: best first on both titles

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="pair_once"),
            models.CheckConstraint(condition=models.Q(low__lt=models.F("high")), name="pair_ordered"),
        ]
        indexes = [
            models.Index(fields=["low", "-rank"], name="pair_low_rank"),
            models.Index(fields=["high", "-rank"], name="pair_high_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.low_id} + {self.high_id}"

    def other_id(self, title_id: int) -> int:
        return self.high_id if self.low_id == title_id else self.low_id


class PairReason(models.Model):
    """Why one reader recommends the pair; one per reader per pair, edited in place."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="reasons")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pair_reasons")
    text = models.TextField(max_length=REASON_MAX)
    at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pair", "user"], name="pair_reason_once"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("text"), REASON_MAX), name="pair_reason_length"),
        ]
        indexes = [models.Index(fields=["user", "at"], name="pair_reason_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.pair_id}"


class PairVote(models.Model):
    """One reader's vote: for, against, or taken back (None: the row stays, so the hourly limit counts every
    change of mind)."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pair_votes")
    up = models.BooleanField(null=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pair", "user"], name="pair_vote_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {'+' if self.up else '-' if self.up is False else '0'} {self.pair_id}"
