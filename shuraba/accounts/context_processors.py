from __future__ import annotations

from django.http import HttpRequest

from shuraba.accounts.policies import Viewer, viewer_from_request


def viewer(request: HttpRequest) -> dict[str, Viewer]:
    return {"viewer": viewer_from_request(request)}
