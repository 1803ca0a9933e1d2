"""What happens to a reader's avoid rules when they sign out (sign-in merges in adapter.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from shuraba.accounts import services
from shuraba.accounts.models import User
from shuraba.accounts.policies import SESSION_RULES

KEEP_RULES = "_shuraba_rules_kept"


@receiver(user_logged_out)
def rules_keep(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    """Signing out flushes the session; the rules in force stay with the browser (RulesKeptMiddleware puts
    them back): a reader who signs out on a shared screen is not suddenly shown what they avoid."""
    if request is None or user is None:
        return
    stored = services.avoid_rules_read(request=request)
    if stored.lines or stored.presets:
        setattr(request, KEEP_RULES, stored.as_json())
    request.session.pop(SESSION_RULES, None)
