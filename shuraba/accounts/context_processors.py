from __future__ import annotations

from django.http import HttpRequest

from shuraba.accounts.policies import Viewer, Visibility, viewer_from_request, visibility_of


def viewer(request: HttpRequest) -> dict[str, Viewer | Visibility]:
    """Templates get who is looking and what they may see; they ask the second."""
    who = viewer_from_request(request)
    return {"viewer": who, "visibility": visibility_of(who)}
