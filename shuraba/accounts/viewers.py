"""Who is looking, read from the request: the session and the account. Part of the visibility policy:
this module reads the stored choices (and reads the avoid rules through accounts/rules.py), and
policies.py turns the Viewer into what it may see. Nothing else reads a Viewer's fields."""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from shuraba.accounts.models import ReaderRules, User
from shuraba.accounts.policies import (
    ANONYMOUS,
    SESSION_ADULT,
    SESSION_LEGACY_REVEAL,
    SESSION_RULES,
    SESSION_SPOILERS,
    Viewer,
    Visibility,
    spoiler_setting_of,
    visibility_of,
)
from shuraba.accounts.rules import rules_stored
from shuraba.core.changelog import changelog_newest_vocabulary

_CACHED = "_shuraba_viewer"


def session_rules(data: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Stored rules (`{"rules": [...], "presets": [...]}`) as two tuples of strings; anything else: none."""
    if not isinstance(data, dict):
        return (), ()
    lines, presets = data.get("rules") or [], data.get("presets") or []
    if not isinstance(lines, list) or not isinstance(presets, list):
        return (), ()
    return tuple(x for x in lines if isinstance(x, str)), tuple(x for x in presets if isinstance(x, str))


def viewer_from_request(request: HttpRequest) -> Viewer:
    """Signed in, the account decides (the session's choices were merged into it at sign-in)."""
    user, session = getattr(request, "user", None), getattr(request, "session", None)
    if user is None or session is None:  # an error page for a request refused before the session ran
        return ANONYMOUS
    cached: Viewer | None = request.__dict__.get(_CACHED)
    if cached is not None:
        return cached
    viewer = _account_viewer(user) if user.is_authenticated else _session_viewer(session)
    request.__dict__[_CACHED] = viewer  # one read per request
    return viewer


def _session_viewer(session: SessionBase) -> Viewer:
    lines, presets = session_rules(session.get(SESSION_RULES))
    legacy = "all" if session.get(SESSION_LEGACY_REVEAL) else "none"
    rules = rules_stored(lines, presets, changelog_newest_vocabulary()).rules if lines or presets else ()
    return Viewer(
        is_adult=bool(session.get(SESSION_ADULT)),
        spoilers=spoiler_setting_of(session.get(SESSION_SPOILERS, legacy)),
        user_id=None,
        rules=rules,
        rule_lines=lines,
        presets=presets,
    )


def _account_viewer(user: User) -> Viewer:
    """A signed-in reader as their account says (the session's choices were merged into it at sign-in)."""
    stored = ReaderRules.objects.filter(user_id=user.pk).values_list("rules", "presets").first()
    lines, presets = session_rules({"rules": stored[0], "presets": stored[1]} if stored else None)
    rules = rules_stored(lines, presets, changelog_newest_vocabulary()).rules if lines or presets else ()
    return Viewer(
        is_adult=user.age_confirmed_at is not None,
        spoilers=spoiler_setting_of(user.spoilers),
        user_id=user.pk,
        rules=rules,
        rule_lines=lines,
        presets=presets,
    )


def visibility_of_account(user: User) -> Visibility:
    """What a reader's account may see, without a request (a write on their behalf, such as a list import)."""
    return visibility_of(_account_viewer(user))


def visibility_from_request(request: HttpRequest) -> Visibility:
    return visibility_of(viewer_from_request(request))


def rules_written(request: HttpRequest) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The viewer's avoid rules as they wrote them: (lines, preset keys)."""
    viewer = viewer_from_request(request)
    return viewer.rule_lines, viewer.presets


def viewer_forget(request: HttpRequest) -> None:
    """After a write of the viewer's choices within a request: read them afresh next time."""
    request.__dict__.pop(_CACHED, None)
