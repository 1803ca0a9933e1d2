"""Writes of a reader's preference profile: to the account when signed in, to the session otherwise. The quiz
never writes an avoid rule itself: `rules_confirm` does, when the reader confirms a proposed one."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.http import HttpRequest

from shuraba.accounts.models import User
from shuraba.accounts.rules import PRESETS, RuleSet
from shuraba.accounts.services import avoid_rules_read, avoid_rules_save
from shuraba.core.errors import BadQuery
from shuraba.preferences.models import PreferenceProfile
from shuraba.preferences.questions import Answers
from shuraba.preferences.selectors import SESSION_PREFERENCES, rules_proposed


def _signed_in(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


@transaction.atomic
def preferences_save(*, request: HttpRequest, answers: Answers) -> None:
    """`answers` as `questions.answers_read` checked them."""
    if user := _signed_in(request):
        PreferenceProfile.objects.update_or_create(user=user, defaults=dict(answers))
    else:
        request.session[SESSION_PREFERENCES] = dict(answers)


@transaction.atomic
def preferences_delete(*, request: HttpRequest) -> bool:
    """Forget the profile; True if there was one."""
    had = request.session.pop(SESSION_PREFERENCES, None) is not None
    if user := _signed_in(request):
        had = PreferenceProfile.objects.filter(user=user).delete()[0] > 0 or had
    return had


@transaction.atomic
def preferences_merge_at_sign_in(*, request: HttpRequest, user: User) -> None:
    """At sign-in a visitor's quiz answers move to the account when it has none; an account's own answers
    are kept (they were saved on purpose) and the session's are dropped either way."""
    data = request.session.pop(SESSION_PREFERENCES, None)
    if isinstance(data, dict) and not PreferenceProfile.objects.filter(user=user).exists():
        from shuraba.preferences.questions import answers_stored  # noqa: PLC0415 (kept beside its one use)

        PreferenceProfile.objects.create(user=user, **answers_stored(data))


def rules_confirm(*, request: HttpRequest, answers: Answers, presets: Sequence[str]) -> RuleSet:
    """Add the presets the reader confirmed, each one the answers propose (anything else is a BadQuery), to
    the avoid rules in force, through the avoid rules' own service."""
    proposed = rules_proposed(request=request, answers=answers)
    if not presets:
        raise BadQuery("presets", "tick at least one of the proposed rules to add")
    for preset in presets:
        if preset not in proposed:
            allowed = ", ".join(proposed) or "none left to add"
            raise BadQuery("presets", f"{preset[:40]!r} is not a rule your answers propose ({allowed})")
    current = avoid_rules_read(request=request)
    merged = list(dict.fromkeys([*current.presets, *(p for p in presets if p in PRESETS)]))
    return avoid_rules_save(request=request, lines=current.lines, presets=merged)
