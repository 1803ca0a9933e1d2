"""Shared fixtures. The fictional sample catalog is loaded once per test database (session scope);
each test runs in a transaction that is rolled back, so tests may change it freely."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from shuraba.accounts.models import User
from shuraba.catalog.models import Title


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        call_command("taxonomy_sync", verbosity=0)
        call_command("guides_load", verbosity=0)
        call_command("sample_load", verbosity=0)


@pytest.fixture
def unverified(db: None) -> Client:
    """An anonymous visitor who has not confirmed 18+."""
    return Client()


@pytest.fixture
def adult(db: None) -> Client:
    """An anonymous visitor who confirmed 18+ through the age gate."""
    client = Client()
    response = client.post("/age-gate/", {"confirm": "yes", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.fixture
def editor(db: None) -> User:
    return User.objects.create_user("ed", password="a-long-editor-password", is_staff=True, is_superuser=True)


@pytest.fixture
def editor_client(editor: User) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def gated_title(db: None) -> Title:
    title = Title.objects.filter(content_rating="explicit").order_by("slug").first()
    assert title is not None, "the sample catalog must contain explicit titles"
    return title


@pytest.fixture
def open_title(db: None) -> Title:
    """A visible title with a recorded ending and resolution stage."""
    title = (
        Title.objects.filter(content_rating="teen", stages__stage="resolution", axis_values__axis__key="ending")
        .order_by("slug")
        .first()
    )
    assert title is not None
    return title
