from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.library.services import entry_changes_read, entry_save
from shuraba.reviews import services
from shuraba.reviews.models import Review

OPEN_SLUG = "a-ferry-song-for-two"  # teen-rated: every viewer may see it
BODY = (
    "The first half is a slow, careful portrait of the couple.\n\n"
    ":::spoiler resolution ch. 20\nThe ending turns on the letter.\n:::\n\n"
    "Worth it for the art alone."
)


def fields(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "score": 8,
        "story": 8,
        "art": 9,
        "characters": None,
        "emotional_impact": 7,
        "psychological_depth": None,
        "resolution_payoff": 6,
        "verdict": "recommended",
        "for_readers": "like slow burns",
        "skip_if": "you want catharsis",
        "body": BODY,
        "reached_chapter": None,
        "finished": True,
    }
    return {**base, **changes}


@pytest.fixture
def open_title_slug(db: None) -> Title:
    return Title.objects.get(slug=OPEN_SLUG)


@pytest.fixture
def make_reader(db: None) -> Callable[..., User]:
    """A reader; `trusted` gives them an account older than the trust period and an approved review."""

    def make(name: str, *, trusted: bool = False, chapters: int | None = None, finished: bool = False) -> User:
        user = User.objects.create_user(name, email=f"{name}@example.test", password="a-long-reader-password")
        if trusted:
            user.date_joined = timezone.now() - timedelta(days=30)
            user.save(update_fields=["date_joined"])
            other = Title.objects.filter(content_rating="teen").exclude(slug=OPEN_SLUG).order_by("slug").first()
            assert other is not None
            review = services.review_write(user=user, title=other, fields=fields())
            Review.objects.filter(pk=review.pk).update(state="published", published_at=timezone.now())
        if chapters is not None or finished:
            changes = entry_changes_read(
                {"status": "completed" if finished else "reading", "chapters_read": chapters or 0}
            )
            entry_save(user=user, title=Title.objects.get(slug=OPEN_SLUG), changes=changes)
        return user

    return make


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
