"""`{% tag_badges tags %}`: a title page's tags as links to their pages, written in Python (a title of the real
catalog has a few dozen tags, and the template's loop with a `{% url %}` per tag was a tenth of the page)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shuraba.catalog.selectors import TagShown

register = template.Library()


@lru_cache(maxsize=4096)
def tag_url(slug: str) -> str:
    return reverse("tag-detail", args=[slug])


@register.simple_tag
def tag_badges(tags: Sequence[TagShown]) -> SafeString:
    if not tags:
        return mark_safe('<ul class="tags"><li class="meta">No tags.</li></ul>')
    items = "".join(
        f'<li><a class="badge" href="{escape(tag_url(t.slug))}" title="relevance {t.relevance}">'
        f"{escape(t.name)} {t.relevance}%</a></li>"
        for t in tags
    )
    return mark_safe(f'<ul class="tags">{items}</ul>')  # noqa: S308 (each name and link escaped above)
