from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shuraba.accounts import selectors, services, tokens
from shuraba.accounts.models import SpoilerChoice, User
from shuraba.accounts.policies import SpoilerSetting, reveal_parse, spoiler_setting_of
from shuraba.accounts.rules import MAX_RULE_LENGTH, MAX_RULES, PRESETS, RULES_FILE_FORMAT, rules_file_read
from shuraba.accounts.viewers import visibility_from_request
from shuraba.core.errors import BadQuery
from shuraba.search.query import SearchQuery
from shuraba.search.selectors import title_search

# The form's field is `spoilers`; `reveal_spoilers=on|off`, the yes/no of the form before three levels,
# is still understood (API clients and tests post it).
LEGACY_SPOILER_FIELD = {"on": "all", "off": "none"}
SPOILER_SAVED = {
    "none": "Spoilers are hidden.",
    "minor": "Minor spoilers are now shown everywhere; major ones stay hidden.",
    "all": "Spoilers are now shown everywhere.",
}


def _next_url(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


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


def _spoilers_posted(request: HttpRequest) -> SpoilerSetting | None:
    raw = request.POST.get("spoilers")
    if raw is None:
        raw = LEGACY_SPOILER_FIELD.get(request.POST.get("reveal_spoilers", ""))
    return spoiler_setting_of(raw) if raw in SpoilerChoice.values else None


def _settings_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    visibility = visibility_from_request(request)
    context: dict[str, Any] = {
        "error": error,
        "spoiler_choices": [(v, label, visibility.spoiler_setting_is(v)) for v, label in SpoilerChoice.choices],
        "reveals": selectors.title_reveals_list(request=request, visibility=visibility),
    }
    return render(request, "accounts/settings.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def reader_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        spoilers = _spoilers_posted(request)
        if spoilers is None:
            return _settings_page(request, error="Choose how many spoilers to show: none, minor or all.", status=400)
        services.spoiler_setting_set(request=request, spoilers=spoilers)
        messages.success(request, SPOILER_SAVED[spoilers])
        return HttpResponseRedirect("/settings/")
    return _settings_page(request)


@require_POST
def title_reveal(request: HttpRequest) -> HttpResponse:
    """Remember or forget the spoilers revealed on one title (the title page's form posts here)."""
    slug, action = request.POST.get("title", "")[:200], request.POST.get("action")
    if action not in {"remember", "forget"}:
        raise BadQuery("action", "use remember or forget")
    if action == "forget":
        services.title_reveal_forget(request=request, slug=slug)
        messages.success(request, "This title's spoilers are hidden again.")
        return HttpResponseRedirect(_next_url(request, default="/settings/"))
    reveal = reveal_parse(request.POST.get("reveal"))
    title_id = selectors.title_id_visible(visibility=visibility_from_request(request), slug=slug)
    if title_id is None or not reveal.tokens:
        raise BadQuery("title" if title_id is None else "reveal", "no such title, or nothing revealed to remember")
    services.title_reveal_remember(request=request, title_id=title_id, slug=slug, reveal=reveal)
    messages.success(request, "Remembered: these spoilers stay revealed on this title until you forget them.")
    return HttpResponseRedirect(_next_url(request, default=f"/titles/{slug}/"))


def _account(request: HttpRequest) -> User:
    """The signed-in reader (the views using it are login_required, so this only narrows the type)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


@login_required
@require_safe
def data_export(request: HttpRequest) -> HttpResponse:
    export = selectors.account_export(user=_account(request), visibility=visibility_from_request(request))
    response = JsonResponse(export, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="shuraba-account.json"'
    return response


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    user = _account(request)
    if not user.check_password(request.POST.get("password", "")):
        return _settings_page(request, error="That password is not right; your account was not deleted.", status=400)
    services.account_delete(request=request, user=user)
    messages.success(request, "Your account and everything kept on it were deleted.")
    return HttpResponseRedirect("/")


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


@require_http_methods(["GET", "HEAD", "POST"])
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


@require_safe
def avoid_rules_export(request: HttpRequest) -> HttpResponse:
    ruleset = services.avoid_rules_read(request=request)
    body = json.dumps({"format": RULES_FILE_FORMAT, **ruleset.as_json()}, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="shuraba-avoid-rules.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The reader's API tokens: make one (shown once), revoke one."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required: a signed-in reader)
    made, error, status = "", "", 200
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            raw = request.POST.get("token", "")
            if not raw.isdigit() or not tokens.api_token_revoke(user=user, token_id=int(raw)):
                error, status = "no such token of yours; it may be revoked already", 400
        else:
            try:
                made = tokens.api_token_create(user=user, name=request.POST.get("name", ""))
            except tokens.TokenRefused as exc:
                error, status = str(exc), 400
    context = {"tokens": user.api_tokens.all(), "made": made, "error": error, "name_max": tokens.NAME_MAX}
    response = render(request, "accounts/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
