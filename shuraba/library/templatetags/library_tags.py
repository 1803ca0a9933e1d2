"""`{% library_quick title_id slug name %}`: the add-to-library form on cards and title pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from shuraba.accounts.models import User
from shuraba.library.models import Status
from shuraba.library.selectors import entry_of, statuses_of

register = template.Library()
_STATUSES = "_library_statuses"


def _statuses(request: HttpRequest, user: User) -> dict[int, str]:
    """The reader's statuses, read once per request however many cards the page has."""
    held: dict[int, str] | None = getattr(request, _STATUSES, None)
    if held is None:
        held = statuses_of(user=user)
        setattr(request, _STATUSES, held)
    return held


@register.inclusion_tag("library/_quick.html", takes_context=True)
def library_quick(
    context: template.Context, title_id: int, slug: str, name: str, *, full: bool = False
) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not isinstance(user, User) or not user.is_authenticated:
        return {"shown": False}
    entry = entry_of(user=user, title_id=title_id) if full else None
    status = entry.status if entry else _statuses(request, user).get(title_id, "")
    return {
        "shown": True,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "title_id": title_id,
        "slug": slug,
        "name": name,
        "status": status,
        "statuses": Status.choices,
        "scores": range(1, 11),
        "entry": entry,
        "full": full,
        "error": "",
    }
