"""Recommendations on other pages: the "not interested" / "never this creator" buttons, the title page's
"Will I like this?" panel and "More like this" row, and the settings page's list of what was set aside."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.http import HttpRequest

from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.cards import TitleCard
from shuraba.recommend import selectors
from shuraba.reviews.readers import signed_in

register = template.Library()


@register.inclusion_tag("recommend/_item_actions.html", takes_context=True)
def recommendation_actions(
    context: template.Context, card: TitleCard, creators: Mapping[int, list[tuple[str, str]]] | None = None
) -> dict[str, Any]:
    named = (creators or {}).get(card.id, [])
    return {
        "card": card,
        "creators": [{"slug": s, "name": n} for s, n in named],
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("recommend/_panel.html", takes_context=True)
def will_i_like(context: template.Context, title_id: int) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    if request is None:
        return {"panel": None}
    return {"panel": selectors.fit_panel(request=request, title_id=title_id)}


@register.inclusion_tag("recommend/_more_like_this.html", takes_context=True)
def more_like_this(context: template.Context, title_id: int) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    if request is None:
        return {"cards": ()}
    return {"cards": selectors.more_like_this(request=request, title_id=title_id)}


@register.inclusion_tag("recommend/_settings.html", takes_context=True)
def recommend_settings(context: template.Context) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    user = signed_in(request) if request is not None else None
    if request is None or user is None:
        return {"listed": None}
    listed = selectors.exclusions_listed(user=user, visibility=visibility_from_request(request))
    return {"listed": listed, "csrf_token": context.get("csrf_token")}
