"""Writes of a reader's visibility choices: to the account when signed in, to the session otherwise."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from shuraba.accounts.models import ReaderRules, User
from shuraba.accounts.policies import SESSION_ADULT, SESSION_REVEAL, SESSION_RULES
from shuraba.accounts.rules import MAX_RULES, RuleSet, rules_parse, rules_stored
from shuraba.accounts.viewers import rules_written, session_rules, viewer_forget
from shuraba.core.changelog import changelog_newest_vocabulary


@transaction.atomic
def age_confirmation_set(*, request: HttpRequest, confirmed: bool) -> None:
    request.session[SESSION_ADULT] = confirmed
    user = request.user
    if user.is_authenticated:
        user.age_confirmed_at = timezone.now() if confirmed else None
        user.save(update_fields=["age_confirmed_at"])


@transaction.atomic
def spoiler_preference_set(*, request: HttpRequest, reveal: bool) -> None:
    request.session[SESSION_REVEAL] = reveal
    user = request.user
    if user.is_authenticated:
        user.reveal_spoilers = reveal
        user.save(update_fields=["reveal_spoilers"])


# --- avoid rules ----------------------------------------------------------------------------------


def avoid_rules_read(*, request: HttpRequest) -> RuleSet:
    """The viewer's rules as written and read (the account's when signed in, else the session's)."""
    lines, presets = rules_written(request)
    return rules_stored(lines, presets, changelog_newest_vocabulary())


@transaction.atomic
def avoid_rules_save(*, request: HttpRequest, lines: Sequence[str], presets: Sequence[str]) -> RuleSet:
    """Check every rule first (RuleError names the bad one) and only then save: nothing half-saved."""
    ruleset = rules_parse(lines, presets)
    data = ruleset.as_json()
    user = request.user
    if user.is_authenticated:
        ReaderRules.objects.update_or_create(user=user, defaults=data)
    else:
        request.session[SESSION_RULES] = data
    viewer_forget(request)
    return ruleset


def avoid_preset_toggle(*, request: HttpRequest, preset: str, on: bool) -> RuleSet:
    """The status bar's switch: add or remove one preset, keeping every other rule as it is."""
    current = avoid_rules_read(request=request)
    presets = [p for p in current.presets if p != preset] + ([preset] if on else [])
    return avoid_rules_save(request=request, lines=current.lines, presets=presets)


def avoid_rules_merge_at_sign_in(*, request: HttpRequest, user: User) -> None:
    """At sign-in the session's rules join the account's (union: a rule set while signed out is never
    lost, and signing in never weakens what the reader avoids). A stored rule that no longer reads stays."""
    lines, presets = session_rules(request.session.get(SESSION_RULES))
    if not (lines or presets):
        return
    stored, _ = ReaderRules.objects.get_or_create(user=user)
    merged_lines = list(dict.fromkeys([*stored.rules, *lines]))
    merged_presets = list(dict.fromkeys([*stored.presets, *presets]))
    stored.rules, stored.presets = merged_lines[:MAX_RULES], merged_presets
    stored.save(update_fields=["rules", "presets", "updated_at"])
    viewer_forget(request)
