from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shuraba.accounts.policies import SESSION_RULES
from shuraba.accounts.signals import KEEP_RULES


class RulesKeptMiddleware:
    """After a sign-out (signals.rules_keep) the avoid rules return to the new, anonymous session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        kept = getattr(request, KEEP_RULES, None)
        if kept is not None:
            request.session[SESSION_RULES] = kept
        return response
