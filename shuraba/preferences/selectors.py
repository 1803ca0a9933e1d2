"""Reads of a reader's preference profile, and the starter list its answers choose through the search engine."""

from __future__ import annotations

from django.http import HttpRequest

from shuraba.accounts.models import User
from shuraba.accounts.viewers import rules_written
from shuraba.preferences.models import PreferenceProfile
from shuraba.preferences.questions import QUESTIONS, Answers, answers_stored, proposed_presets

SESSION_PREFERENCES = "shuraba.preferences"  # a visitor's answers, as the account's row keeps them


def _signed_in(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def preferences_of_user(*, user: User) -> Answers | None:
    row = PreferenceProfile.objects.filter(user=user).values(*(q.key for q in QUESTIONS)).first()
    return answers_stored(row) if row is not None else None


def preferences_read(*, request: HttpRequest) -> Answers | None:
    """The viewer's saved answers (the account's when signed in, the session's otherwise), None before any."""
    if user := _signed_in(request):
        return preferences_of_user(user=user)
    data = request.session.get(SESSION_PREFERENCES)
    return answers_stored(data) if isinstance(data, dict) else None


def preferences_export(*, user: User) -> Answers | None:
    """The data export's `preferences`: the answers as stored, or null when the reader never took the quiz."""
    return preferences_of_user(user=user)


def rules_proposed(*, request: HttpRequest, answers: Answers) -> tuple[str, ...]:
    """The presets the answers propose that the viewer does not have yet."""
    _, presets = rules_written(request)
    return tuple(p for p in proposed_presets(answers) if p not in presets)
