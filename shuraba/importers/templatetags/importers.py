"""`{% load importers %}{% title_sources d %}`: the title page's sources, their links and disagreements;
`{% score_about d %}`: what its score is."""

from __future__ import annotations

from typing import Any

from django import template

from shuraba.accounts.policies import PUBLIC
from shuraba.importers.selectors import score_about as score_select
from shuraba.importers.selectors import title_sources as sources_select

register = template.Library()


@register.inclusion_tag("importers/_title_sources.html", takes_context=True)
def title_sources(context: template.Context, d: Any) -> dict[str, Any]:
    """`d` is the page's TitleDetail; the visibility comes from the context processor."""
    visibility = context.get("visibility") or PUBLIC
    return {"s": sources_select(visibility=visibility, reveal=d.reveal, title_id=d.card.id), "d": d}


@register.simple_tag(takes_context=True)
def score_about(context: template.Context, d: Any) -> str:
    """`{% score_about d %}`: whose score the title's is, on which scale, from how many votes."""
    return score_select(visibility=context.get("visibility") or PUBLIC, title_id=d.card.id)
