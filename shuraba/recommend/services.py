"""Writes of what a reader never wants proposed again: a title ("not interested") or a creator, and undoing them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.catalog.models import Creator, Title
from shuraba.recommend.models import NeverCreator, NotInterested


@transaction.atomic
def not_interested_add(*, user: User, title: Title) -> bool:
    """True when it is new (marking a title twice keeps the first date)."""
    _, created = NotInterested.objects.get_or_create(user=user, title=title, defaults={"at": timezone.now()})
    return created


@transaction.atomic
def not_interested_remove(*, user: User, title: Title) -> bool:
    deleted, _ = NotInterested.objects.filter(user=user, title=title).delete()
    return bool(deleted)


@transaction.atomic
def never_creator_add(*, user: User, creator: Creator) -> bool:
    _, created = NeverCreator.objects.get_or_create(user=user, creator=creator, defaults={"at": timezone.now()})
    return created


@transaction.atomic
def never_creator_remove(*, user: User, creator: Creator) -> bool:
    deleted, _ = NeverCreator.objects.filter(user=user, creator=creator).delete()
    return bool(deleted)
