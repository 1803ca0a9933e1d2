"""Tests cannot reach the network: an outside address fails at once with the blocking error, loopback works."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from pytest_socket import SocketConnectBlockedError

from tests.conftest import NameLookupBlockedError

OUTSIDE = ("203.0.113.1", 80)  # TEST-NET-3 (RFC 5737): documentation only, nobody's server


@pytest.fixture
def loopback_only(pytestconfig: pytest.Config) -> None:
    """The precondition for trying an outside address at all: if the guard were off, that would be real traffic."""
    allowed = set((pytestconfig.getoption("--allow-hosts") or "").split(","))
    assert allowed == {"127.0.0.1", "::1", "localhost"}, f"sockets are not restricted to loopback: {allowed}"
    assert socket.getaddrinfo.__module__ == "tests.conftest", "name lookups are not guarded"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        yield server


def test_a_connection_to_an_outside_address_fails_with_the_blocking_error(loopback_only: None) -> None:
    # pytest-socket warns as it raises, and the suite makes warnings errors: the warning is recorded here.
    blocked = r"socket\.connect\(\) with host \"203\.0\.113\.1\""
    with pytest.raises(SocketConnectBlockedError, match=blocked), pytest.warns(UserWarning, match=blocked):
        socket.create_connection(OUTSIDE, timeout=10)


def test_a_host_name_is_not_looked_up(loopback_only: None) -> None:
    with pytest.raises(NameLookupBlockedError, match=r"'shuraba\.example'"):
        socket.getaddrinfo("shuraba.example", 443)
    with pytest.raises(NameLookupBlockedError, match=r"'shuraba\.example'"):
        socket.gethostbyname("shuraba.example")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_connects(listener: socket.socket, host: str) -> None:
    port = listener.getsockname()[1]
    with socket.create_connection((host, port), timeout=10) as client:
        accepted, _ = listener.accept()
        with accepted:
            client.sendall(b"ping")
            assert accepted.recv(4) == b"ping"
