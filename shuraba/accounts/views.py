from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from shuraba.accounts import services
from shuraba.accounts.rules import MAX_RULE_LENGTH, MAX_RULES, PRESETS, RULES_FILE_FORMAT, rules_file_read
from shuraba.accounts.viewers import visibility_from_request
from shuraba.core.errors import BadQuery
from shuraba.search.query import SearchQuery
from shuraba.search.selectors import title_search


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
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


@require_http_methods(["GET", "POST"])
def reader_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        choice = request.POST.get("reveal_spoilers")
        if choice not in {"on", "off"}:
            return render(request, "accounts/settings.html", {"error": "Choose whether to show spoilers."}, status=400)
        services.spoiler_preference_set(request=request, reveal=choice == "on")
        messages.success(request, "Spoilers are now shown everywhere." if choice == "on" else "Spoilers are hidden.")
        return HttpResponseRedirect("/settings/")
    return render(request, "accounts/settings.html")


# --- avoid rules ----------------------------------------------------------------------------------

MAX_IMPORT_BYTES = 64 * 1024


def _rules_page(
    request: HttpRequest,
    *,
    text: str | None = None,
    presets: list[str] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    ruleset = services.avoid_rules_read(request=request)
    page = title_search(visibility=visibility_from_request(request), query=SearchQuery(per_page=1), facets=False)
    note = next((h for h in page.hidden if h.reason == "rules"), None)
    counts = {c.name: c for c in note.rules} if note else {}
    return render(
        request,
        "accounts/avoid_rules.html",
        {
            "ruleset": ruleset,
            "rules_text": "\n".join(ruleset.lines) if text is None else text,
            "chosen": set(ruleset.presets if presets is None else presets),
            "presets": PRESETS.values(),
            "read": [(rule, counts.get(rule.name)) for rule in ruleset.rules],
            "note": note,
            "error": error,
            "limits": {"rules": MAX_RULES, "length": MAX_RULE_LENGTH},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def avoid_rules(request: HttpRequest) -> HttpResponse:
    """`/settings/avoid/`: a `rules` field (one rule per line) and a `presets` checkbox per preset; or an
    `import` file (the JSON that `export` gives). Nothing is saved unless every rule reads."""
    if request.method == "GET":
        return _rules_page(request)
    upload = request.FILES.get("import")
    if upload is not None:
        try:
            lines, presets = rules_file_read(upload.read(MAX_IMPORT_BYTES + 1))
            services.avoid_rules_save(request=request, lines=lines, presets=presets)
        except BadQuery as exc:
            return _rules_page(request, error=f"Nothing was imported: {exc.message}", status=400)
        messages.success(request, "Rules imported.")
        return HttpResponseRedirect("/settings/avoid/")
    text = request.POST.get("rules", "")
    presets = request.POST.getlist("presets")
    try:
        ruleset = services.avoid_rules_save(request=request, lines=text.splitlines(), presets=presets)
    except BadQuery as exc:
        return _rules_page(request, text=text, presets=presets, error=f"Nothing was saved: {exc.message}", status=400)
    count = len(ruleset.rules)
    messages.success(
        request,
        f"Saved: {count} avoid rule{'s' if count != 1 else ''} in force."
        if count
        else "Saved: no avoid rules in force.",
    )
    return HttpResponseRedirect("/settings/avoid/")


@require_http_methods(["POST"])
def avoid_preset_switch(request: HttpRequest) -> HttpResponse:
    """The status bar's NTR-free switch (any preset by `preset`; `on` is 1 or 0)."""
    preset, on = request.POST.get("preset", ""), request.POST.get("on", "")
    if preset not in PRESETS or on not in ("1", "0"):
        return _rules_page(request, error=f"Choose a preset ({', '.join(PRESETS)}) and on=1 or on=0.", status=400)
    services.avoid_preset_toggle(request=request, preset=preset, on=on == "1")
    name = PRESETS[preset].name
    messages.success(
        request, f"{name} is on: matching titles are hidden everywhere." if on == "1" else f"{name} is off."
    )
    return HttpResponseRedirect(_next_url(request))


@require_GET
def avoid_rules_export(request: HttpRequest) -> HttpResponse:
    ruleset = services.avoid_rules_read(request=request)
    body = json.dumps({"format": RULES_FILE_FORMAT, **ruleset.as_json()}, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="shuraba-avoid-rules.json"'
    return response
