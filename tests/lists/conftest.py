from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.lists import services
from shuraba.lists.models import Kind, ReadingList


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def make_list(db: None) -> Callable[..., ReadingList]:
    """A list by `user` (editorial when `kind` says so) holding `titles` in order, each with a note."""

    def make(user: User, titles: list[Title], *, kind: str = Kind.READER, **changes: object) -> ReadingList:
        made = services.list_create(user=user, kind=kind, changes={"name": "A list", **changes})
        for title in titles:
            services.item_add(user=user, reading_list=made, title=title, note=f"Note on {title.title}.")
        return made

    return make


def tragic_and_not(count: int) -> tuple[list[Title], list[Title]]:
    """Titles past the age gate whose ending is a tragedy, and ones whose ending is recorded otherwise."""
    teen = Title.objects.filter(content_rating__in=["teen", "all-ages", "mature"]).order_by("slug")
    tragic = list(teen.filter(axis_values__axis__key="ending", axis_values__value__key="tragedy").distinct()[:count])
    other = list(
        teen.filter(axis_values__axis__key="ending").exclude(axis_values__value__key="tragedy").distinct()[:count]
    )
    assert len(tragic) == count, "the sample catalog needs tragic endings"
    assert len(other) == count, "the sample catalog needs other recorded endings"
    return tragic, other
