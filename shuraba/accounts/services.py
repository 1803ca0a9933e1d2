"""Writes of a reader's visibility choices: to the account when signed in, to the session otherwise."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from shuraba.accounts.policies import SESSION_ADULT, SESSION_REVEAL


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
