from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from shuraba.accounts import services


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@require_http_methods(["GET", "HEAD", "POST"])
def age_gate(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        choice = request.POST.get("confirm")
        if choice not in {"yes", "leave"}:
            return render(
                request,
                "accounts/age_gate.html",
                {
                    "next": _next_url(request),
                    "error": "Choose “I am 18 or older” or “Leave 18+ mode”.",
                },
                status=400,
            )
        services.age_confirmation_set(request=request, confirmed=choice == "yes")
        messages.success(request, "18+ titles are now shown." if choice == "yes" else "18+ titles are hidden again.")
        return HttpResponseRedirect(_next_url(request))
    return render(request, "accounts/age_gate.html", {"next": _next_url(request)})


@require_http_methods(["GET", "HEAD", "POST"])
def reader_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        choice = request.POST.get("reveal_spoilers")
        if choice not in {"on", "off"}:
            return render(request, "accounts/settings.html", {"error": "Choose whether to show spoilers."}, status=400)
        services.spoiler_preference_set(request=request, reveal=choice == "on")
        messages.success(request, "Spoilers are now shown everywhere." if choice == "on" else "Spoilers are hidden.")
        return HttpResponseRedirect("/settings/")
    return render(request, "accounts/settings.html")
