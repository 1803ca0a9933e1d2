"""`{% title_lists_section title_id slug %}`: on a title page, the public lists it is in ("in 3 lists") and,
for a signed-in reader, a form that adds it to one of their own lists. `{% list_items items %}`: a list's
items, written in Python (a 200-title list was two thirds of its page's time in template loops)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.http import HttpRequest
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shuraba.lists import selectors
from shuraba.lists.selectors import ItemShown
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


def _item_html(number: int, item: ItemShown, title_url: str) -> str:
    card = item.card
    meta: list[str] = [escape(card.format)]
    if card.year:
        meta.append(str(card.year))
    rating = f'<span class="badge rating-{escape(card.content_rating)}">{escape(card.content_rating)}</span>'
    if card.is_fictional:
        rating += ' <span class="badge fictional">fictional</span>'
    meta.append(rating)
    if card.centrality:
        meta.append(f"NTR: {escape(card.centrality)}")
    meta += [f"subgenre: {escape(s)}" for s in card.subgenres]
    note = f'\n<p class="list-note">{linebreaksbr(item.note, autoescape=True)}</p>' if item.note else ""
    link = title_url.replace("__slug__", escape(card.slug))
    return (
        f'<li id="item-{item.id}" value="{number}"><h3><a href="{link}">{escape(card.title)}</a></h3>\n'
        f'<div class="meta">{" · ".join(meta)}</div>{note}</li>'
    )


@register.simple_tag
def list_items(items: Sequence[ItemShown]) -> SafeString:
    """Each shown item: its title, card facts and note, every value escaped."""
    title_url = reverse("title-detail", args=["__slug__"])
    return mark_safe("\n".join(_item_html(n, item, title_url) for n, item in enumerate(items, 1)))  # noqa: S308 (escaped above)
