"""What every page's head needs from the request."""

from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest


def page_url(request: HttpRequest) -> dict[str, str]:
    """`page_url`: the page's absolute address without its query (OpenGraph's og:url: a shared link carries no
    ?reveal=); empty for a request whose Host the site does not serve (its 400 page must still render)."""
    try:
        return {"page_url": request.build_absolute_uri(request.path)}
    except DisallowedHost:
        return {"page_url": ""}
