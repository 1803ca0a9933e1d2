"""Personal API tokens: made and revoked by their reader on /settings/tokens/, read from an
`Authorization: Bearer` header on /api/v1/ by `TokenMiddleware`."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from shuraba.accounts.models import ApiToken, User

PREFIX = "shb_"
TOKENS_MAX = 20
NAME_MAX = 80
BEARER_ATTRIBUTE = "_shuraba_bearer"
UNKNOWN_TOKEN = "the bearer token is unknown or revoked: make one at /settings/tokens/"  # noqa: S105 (a message)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenRefused(ValueError):
    pass


@transaction.atomic
def api_token_create(*, user: User, name: str) -> str:
    """A new token for the reader; the returned text is the only time it is seen."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise TokenRefused(f"name the token (1 to {NAME_MAX} characters), for example the script that uses it")
    if ApiToken.objects.filter(user=user).count() >= TOKENS_MAX:
        raise TokenRefused(f"you have {TOKENS_MAX} tokens; revoke one first")
    token = PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=token[:10], digest=_digest(token), created_at=timezone.now())
    return token


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> bool:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def token_user(token: str) -> User | None:
    found = ApiToken.objects.select_related("user").filter(digest=_digest(token)).first()
    if found is None or not found.user.is_active:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.user


def bearer_of(request: HttpRequest) -> bool:
    """Did this request sign in with a bearer token (so no session CSRF token applies)?"""
    return bool(getattr(request, BEARER_ATTRIBUTE, False))


class TokenMiddleware:
    """On /api/ only: a request with `Authorization: Bearer <token>` acts as the token's reader; an unknown
    or revoked token is a 401, whatever the session says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header[:7].lower() == "bearer ":
            user = token_user(header[7:].strip())
            if user is None:
                return JsonResponse({"detail": UNKNOWN_TOKEN}, status=401)
            request.user = user
            setattr(request, BEARER_ATTRIBUTE, True)
        return self.get_response(request)
