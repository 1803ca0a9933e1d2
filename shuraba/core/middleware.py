from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import has_vary_header, patch_cache_control

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


class HeadAsGetMiddleware:
    """HEAD is answered wherever GET is (RFC 9110): the view runs as for GET and the body is dropped, keeping
    the headers GET would send, Content-Length included. Views and django-ninja operations are declared for
    GET only, so a new one answers HEAD without extra work. WhiteNoise (above this) serves static HEAD itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        response = self.get_response(request)
        request.method = "HEAD"
        if isinstance(response, StreamingHttpResponse):
            response.close()
            response.streaming_content = []
        elif isinstance(response, HttpResponse):
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response


class PrivateCacheMiddleware:
    """A response that read the session (Django marks it `Vary: Cookie`: the age gate, the spoiler setting, the
    CSRF token) depends on who asks, so no shared cache may keep it: `Cache-Control: private`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if has_vary_header(response, "Cookie"):
            patch_cache_control(response, private=True)
        return response
