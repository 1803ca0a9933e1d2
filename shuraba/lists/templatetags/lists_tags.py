"""`{% title_lists_section title_id slug %}`: on a title page, the public lists it is in ("in 3 lists") and,
for a signed-in reader, a form that adds it to one of their own lists."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from shuraba.lists import selectors
from shuraba.reviews.readers import signed_in

register = template.Library()


@register.inclusion_tag("lists/_title_lists.html", takes_context=True)
def title_lists_section(context: template.Context, title_id: int, slug: str) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    if request is None:
        return {"shown": False}
    count, first = selectors.title_lists(title_id=title_id)
    user = signed_in(request)
    return {
        "shown": True,
        "count": count,
        "first": first,
        "more": count - len(first),
        "slug": slug,
        "csrf_token": context.get("csrf_token"),
        "user": user,
        "mine": selectors.lists_to_add_to(user=user, title_id=title_id) if user else (),
    }
