"""The WSGI application, with the request body drained so a keep-alive connection survives an early answer."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# A body left unread (a 400 for an oversized form, a 403 before CSRF reads it) stays on the socket; gunicorn
# drains at most 64 KiB of it and then closes a connection it has already called keep-alive. Bodies up to
# this size are read to the end here instead; longer ones get `Connection: close` (config/gunicorn.py).
DRAIN_MAX_BYTES = 8 * 1024 * 1024
DRAIN_CHUNK = 64 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def body_drained(app: WSGIApp) -> WSGIApp:
    def drained(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        response = app(environ, start_response)
        stream = environ.get("wsgi.input")
        left = DRAIN_MAX_BYTES
        while stream is not None and left > 0:
            chunk = stream.read(min(DRAIN_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
        return response

    return drained


application = body_drained(get_wsgi_application())
