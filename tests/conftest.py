"""Shared fixtures. The fictional sample catalog is loaded once per test database (session scope);
each test runs in a transaction that is rolled back, so tests may change it freely.

Tests never reach the network: pytest-socket lets sockets connect to loopback only (pyproject's addopts),
and name lookups here answer only for loopback names, because a DNS query leaves the machine before any
connection is refused."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from tests.served import site_served

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class NameLookupBlockedError(RuntimeError):
    """A test looked up a host name other than loopback's."""


def _lookup_guarded(real: Callable[..., Any]) -> Callable[..., Any]:
    def lookup(host: str | bytes | None, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or name.lower() in LOOPBACK_NAMES or _is_ip_literal(name):
            return real(host, *args, **kwargs)  # an address literal needs no DNS; connect() judges it
        raise NameLookupBlockedError(f"a test looked up {name!r}: tests reach loopback only (tests/conftest.py)")

    return lookup


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.split("%", 1)[0])  # an IPv6 literal may carry a zone: fe80::1%eth0
    except ValueError:
        return False
    return True


@pytest.fixture(autouse=True)
def _no_name_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _lookup_guarded(socket.getaddrinfo))
    monkeypatch.setattr(socket, "gethostbyname", _lookup_guarded(socket.gethostbyname))


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
def reader(db: None) -> User:
    """A signed-up reader who has not confirmed 18+ and keeps the default spoiler setting."""
    return User.objects.create_user("reader", email="reader@example.test", password="a-long-reader-password")


@pytest.fixture
def reader_client(reader: User) -> Client:
    client = Client()
    client.force_login(reader)
    return client


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """allauth counts sign-ups, sign-ins and reset mails per address in the cache; each test starts at zero."""
    cache.clear()


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


@pytest.fixture(scope="session")
def served_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the served site lives: its data directory is `data/` in here, its server log `server.log`."""
    return tmp_path_factory.mktemp("served-site")


@pytest.fixture(scope="session")
def served_site(served_root: Path) -> Iterator[str]:
    """The real site under gunicorn (tests/served.py), one per test session; its base URL."""
    yield from site_served(served_root)
