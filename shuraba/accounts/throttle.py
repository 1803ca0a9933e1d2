"""What django-axes counts a failed login against: the name typed, whichever form it came from."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

# allauth passes `username` or `email` to authenticate(); the admin passes `username`; the forms post
# `login` (allauth) or `username` (admin).
_CREDENTIAL_KEYS = ("username", "email")
_FORM_KEYS = ("login", "username")


def login_name(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The login name of an attempt, lower-cased so `Ed` and `ed` share one count."""
    for key in _CREDENTIAL_KEYS:
        if credentials and credentials.get(key):
            return str(credentials[key]).strip().lower()[:255]
    data = getattr(request, "POST", {})
    for key in _FORM_KEYS:
        if data.get(key):
            return str(data[key]).strip().lower()[:255]
    return ""
