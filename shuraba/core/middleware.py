from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from shuraba.core.errors import BadQuery


class BadQueryMiddleware:
    """Turn a BadQuery raised anywhere in a view into a 400 that names the parameter."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BadQuery):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": exception.message, "param": exception.param}, status=400)
        return render(request, "400.html", {"error": exception}, status=400)
