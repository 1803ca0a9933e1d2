"""Writes of a reader's visibility choices: to the account when signed in, to the session otherwise.

Each choice made in the session also records when (`*_AT`), so that at sign-in `session_choices_merge`
can let the newer of the session's and the account's choices win.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from shuraba.accounts.models import ReaderRules, TitleReveal, User
from shuraba.accounts.policies import (
    SESSION_ADULT,
    SESSION_ADULT_AT,
    SESSION_LEGACY_REVEAL,
    SESSION_RULES,
    SESSION_SPOILERS,
    SESSION_SPOILERS_AT,
    SESSION_TITLE_REVEALS,
    Reveal,
    SpoilerSetting,
    reveal_stored,
    spoiler_setting_of,
)
from shuraba.accounts.rules import MAX_RULES, RuleSet, rules_parse, rules_stored
from shuraba.accounts.viewers import rules_written, session_rules, viewer_forget
from shuraba.catalog.models import Title
from shuraba.core.changelog import changelog_newest_vocabulary
from shuraba.pairs.services import pairs_forget

SESSION_REVEALS_MAX = 500  # titles a visitor's session remembers reveals for; an account has no limit


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@transaction.atomic
def age_confirmation_set(*, request: HttpRequest, confirmed: bool) -> None:
    now = timezone.now()
    request.session[SESSION_ADULT] = confirmed
    request.session[SESSION_ADULT_AT] = now.isoformat()
    viewer_forget(request)
    if user := _signed_in(request):
        user.age_confirmed_at = now if confirmed else None
        user.save(update_fields=["age_confirmed_at"])


@transaction.atomic
def spoiler_setting_set(*, request: HttpRequest, spoilers: SpoilerSetting) -> None:
    now = timezone.now()
    request.session[SESSION_SPOILERS] = spoilers
    request.session[SESSION_SPOILERS_AT] = now.isoformat()
    request.session.pop(SESSION_LEGACY_REVEAL, None)
    viewer_forget(request)
    if user := _signed_in(request):
        user.spoilers, user.spoilers_set_at = spoilers, now
        user.save(update_fields=["spoilers", "spoilers_set_at"])


@transaction.atomic
def title_reveal_remember(*, request: HttpRequest, title_id: int, slug: str, reveal: Reveal) -> None:
    """Keep `reveal` for this title: applied on every later visit until forgotten."""
    tokens = reveal.as_param()
    if user := _signed_in(request):
        TitleReveal.objects.update_or_create(
            user=user, title_id=title_id, defaults={"tokens": tokens, "at": timezone.now()}
        )
        return
    remembered = dict(request.session.get(SESSION_TITLE_REVEALS) or {})
    remembered.pop(slug, None)
    remembered[slug] = tokens  # newest last, so the oldest go first when a session holds too many
    request.session[SESSION_TITLE_REVEALS] = dict(list(remembered.items())[-SESSION_REVEALS_MAX:])


@transaction.atomic
def title_reveal_forget(*, request: HttpRequest, slug: str) -> None:
    if user := _signed_in(request):
        TitleReveal.objects.filter(user=user, title__slug=slug).delete()
        return
    remembered = dict(request.session.get(SESSION_TITLE_REVEALS) or {})
    remembered.pop(slug, None)
    request.session[SESSION_TITLE_REVEALS] = remembered


@transaction.atomic
def session_choices_merge(*, request: HttpRequest, user: User) -> None:
    """At sign-in, what this browser chose before signing in joins the account (avoid rules too:
    `avoid_rules_merge_at_sign_in`).

    18+: a confirmation made in the session confirms an unconfirmed account (with the session's date);
    leaving 18+ mode in the session clears an older confirmation. Spoiler level: the session's wins when
    it was chosen after the account's (or the account never chose). Remembered reveals: the session's are
    added, a title remembered in both gets both sets of tokens. A session that chose nothing changes nothing.
    """
    session = request.session
    _age_merge(user, session.get(SESSION_ADULT), _when(session.get(SESSION_ADULT_AT)))
    spoilers_at = _when(session.get(SESSION_SPOILERS_AT))
    if (
        SESSION_SPOILERS in session
        and spoilers_at
        and (user.spoilers_set_at is None or spoilers_at > user.spoilers_set_at)
    ):
        user.spoilers, user.spoilers_set_at = spoiler_setting_of(session[SESSION_SPOILERS]), spoilers_at
    user.save(update_fields=["age_confirmed_at", "spoilers", "spoilers_set_at"])
    _reveals_merge(user, session.pop(SESSION_TITLE_REVEALS, None) or {})
    avoid_rules_merge_at_sign_in(request=request, user=user)
    viewer_forget(request)


def _age_merge(user: User, adult: object, at: datetime | None) -> None:
    if adult is True and user.age_confirmed_at is None:
        user.age_confirmed_at = at or timezone.now()
    elif adult is False and at and user.age_confirmed_at and at > user.age_confirmed_at:
        user.age_confirmed_at = None


def _reveals_merge(user: User, remembered: dict[str, str]) -> None:
    titles = dict(Title.objects.filter(slug__in=list(remembered)[-SESSION_REVEALS_MAX:]).values_list("slug", "pk"))
    stored = {r.title_id: r for r in TitleReveal.objects.filter(user=user, title_id__in=titles.values())}
    now = timezone.now()
    for slug, pk in titles.items():
        reveal = reveal_stored(remembered[slug])
        if pk in stored:
            reveal = reveal.union(reveal_stored(stored[pk].tokens))
        if reveal.tokens:
            TitleReveal.objects.update_or_create(
                user=user, title_id=pk, defaults={"tokens": reveal.as_param(), "at": now}
            )


def _when(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@transaction.atomic
def account_delete(*, request: HttpRequest, user: User) -> None:
    """Delete the account and what hangs on it (remembered reveals, email addresses), then sign out.

    Catalog history and import runs keep their rows with the editor set to nobody (SET_NULL); the pairs the
    reader wrote or voted on are counted again without them."""
    logout(request)
    pairs_forget(user=user)
    user.delete()


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
