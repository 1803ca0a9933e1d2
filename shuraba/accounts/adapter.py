"""shuraba's hooks into allauth: where a sign-in meets what the browser chose before it."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from shuraba.accounts import services
from shuraba.accounts.models import User
from shuraba.preferences.services import preferences_merge_at_sign_in


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth ships no type hints
    def login(self, request: HttpRequest, user: Any) -> None:
        """Sign in (sign-up signs in too), then merge the session's 18+ and spoiler choices and
        quiz answers into the account."""
        super().login(request, user)
        if isinstance(user, User):
            services.session_choices_merge(request=request, user=user)
            preferences_merge_at_sign_in(request=request, user=user)
