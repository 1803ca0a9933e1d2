"""`shuraba serve` (gunicorn) over real sockets: keep-alive survives an early 4xx, and each site has its own
control socket."""

from __future__ import annotations

import http.cookies
import socket
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from config.wsgi import DRAIN_MAX_BYTES
from shuraba.core.management.commands.serve import MAX_SOCKET_PATH, control_socket_args


class Connection:
    """One keep-alive HTTP/1.1 connection, read response by response (Content-Length framing only)."""

    def __init__(self, base_url: str) -> None:
        where = urlsplit(base_url)
        self.sock = socket.create_connection((where.hostname, where.port), timeout=30)
        self.buffer = b""

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def send(self, head: str, body: bytes = b"") -> None:
        self.sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)

    def response(self) -> tuple[int, dict[str, str]] | None:
        """The next response's status and headers (its body read and dropped), or None if the server closed."""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buffer += chunk
        self.buffer = self.buffer[length:]
        return int(lines[0].split()[1]), headers


def _csrf_cookie(base_url: str) -> str:
    with urllib.request.urlopen(f"{base_url}/settings/", timeout=30) as response:  # noqa: S310 (the served site on 127.0.0.1)
        cookie = http.cookies.SimpleCookie(response.headers["Set-Cookie"])
    return cookie["csrftoken"].value


def _post(conn: Connection, token: str, size: int) -> None:
    body = b"reveal_spoilers=" + b"x" * size
    conn.send(
        "POST /settings/ HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/x-www-form-urlencoded\n"
        f"Cookie: csrftoken={token}\nX-CSRFToken: {token}\nContent-Length: {len(body)}\n",
        body,
    )


def test_the_next_request_on_a_connection_is_answered_after_a_400_for_an_oversized_body(served_site: str) -> None:
    with Connection(served_site) as conn:
        _post(conn, _csrf_cookie(served_site), 3 * 1024 * 1024)  # over Django's 2.5 MB form limit
        first = conn.response()
        assert first is not None
        assert first[0] == 400
        assert first[1].get("connection") == "keep-alive"
        conn.send("GET /healthz HTTP/1.1\nHost: 127.0.0.1\n")
        second = conn.response()
    assert second is not None, "the server dropped a connection it had called keep-alive"
    assert second[0] == 200


def test_a_body_too_long_to_drain_is_answered_with_connection_close(served_site: str) -> None:
    with Connection(served_site) as conn:
        _post(conn, _csrf_cookie(served_site), DRAIN_MAX_BYTES + 1)
        first = conn.response()
    assert first is not None
    assert first[0] == 400
    assert first[1].get("connection") == "close"


def test_the_served_site_has_its_control_socket_in_its_data_directory(served_site: str, served_root: Path) -> None:
    assert (served_root / "data" / "gunicorn.ctl").is_socket()
    assert f"control socket {served_root / 'data' / 'gunicorn.ctl'}" in (served_root / "server.log").read_text()


def test_a_data_directory_too_long_for_a_socket_path_serves_without_one(tmp_path: Path) -> None:
    assert control_socket_args(tmp_path) == ["--control-socket", str(tmp_path / "gunicorn.ctl")]
    assert control_socket_args(tmp_path / ("d" * MAX_SOCKET_PATH)) == ["--no-control-socket"]
