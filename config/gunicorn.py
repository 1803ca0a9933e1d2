"""gunicorn settings of `shuraba serve` (`--config python:config.gunicorn`): its server hooks."""

from __future__ import annotations

from typing import Any

from config.wsgi import DRAIN_MAX_BYTES


def pre_request(worker: Any, req: Any) -> None:
    """A body too long for config.wsgi to drain would end the connection after the response: say so in that
    response (`Connection: close`) instead of dropping a connection the client was told to keep."""
    headers = {name.upper(): value for name, value in req.headers}
    length = headers.get("CONTENT-LENGTH", "0")
    if "TRANSFER-ENCODING" in headers or not length.isdigit() or int(length) > DRAIN_MAX_BYTES:
        req.must_close = True
    worker.log.debug("%s %s", req.method, req.path)
