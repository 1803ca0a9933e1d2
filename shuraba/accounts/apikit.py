"""What every signed-in API operation does first: who asks (the session's reader, or a bearer token's:
`accounts/tokens.py`; 401 before anything they sent is read), the CSRF check of a session write (403), and
reading a JSON object body (400 saying why)."""

from __future__ import annotations

import json
import re
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
    broken = _broken_text(body)
    if broken is not None:
        raise BadQuery(broken, "holds a broken character (an unpaired UTF-16 surrogate such as \\ud800); send it again")
    return body


_SURROGATE = re.compile("[\ud800-\udfff]")


def _broken_text(body: object) -> str | None:
    """The field whose text holds a lone surrogate (JSON can spell one, no database can keep it), or None.
    A walk with a stack: a body nested as deep as the JSON reader allows recurses nowhere."""
    stack: list[tuple[str, object]] = [("body", body)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return where[:40]
        elif isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):
                    return where[:40]
                stack.append((key, item))
        elif isinstance(value, list):
            stack.extend((where, item) for item in value)
    return None
