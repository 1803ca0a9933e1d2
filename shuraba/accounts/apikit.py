"""What every signed-in API operation does first: who asks (the session's reader, or a bearer token's:
`accounts/tokens.py`; 401 before anything they sent is read), the CSRF check of a session write (403), and
reading a JSON object body (400 saying why)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.utils import check_csrf

from shuraba.accounts.models import User
from shuraba.accounts.tokens import bearer_of
from shuraba.core.errors import BadQuery

# Every session write over the API refuses a request without the token in these words.
CSRF_FAILED = "CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header"


def api_reader(request: HttpRequest, *, sign_in: str) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise HttpError(401, sign_in)
    return user


def api_csrf_check(request: HttpRequest) -> None:
    """A session write needs the CSRF token; a request signed with a bearer token carries no cookie to forge."""
    if bearer_of(request):
        return
    if check_csrf(request) is not None:
        raise HttpError(403, CSRF_FAILED)


def api_writer(request: HttpRequest, *, sign_in: str) -> User:
    user = api_reader(request, sign_in=sign_in)
    api_csrf_check(request)
    return user


def json_object(request: HttpRequest, *, example: str) -> dict[str, Any]:
    """The body as a JSON object; `example` shows one in the 400's words."""
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, a 5,000-digit number, nested too deep
        raise BadQuery("body", f"the body is not JSON this API reads ({exc.__class__.__name__})") from exc
    if not isinstance(body, dict):
        raise BadQuery("body", f"a JSON object, such as {example}")
    return body
