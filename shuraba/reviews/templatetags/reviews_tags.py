"""`{% title_reviews_section title_id slug name reveal %}`: a title page's reviews: the scores, the viewer's own review
(in any state), the most helpful few and the way to the rest."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from shuraba.accounts.policies import Reveal
from shuraba.catalog.models import Title
from shuraba.reviews import charts, selectors
from shuraba.reviews.readers import reading_of, signed_in

register = template.Library()
ON_TITLE_PAGE = 3
WEIGHTS = ("1.00", "0.75", "0.50", "0.25")


@register.inclusion_tag("reviews/_title_section.html", takes_context=True)
def title_reviews_section(
    context: template.Context, title_id: int, slug: str, name: str, reveal: Reveal
) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    if request is None:
        return {"shown": False}
    title = Title(pk=title_id, slug=slug, title=name)  # the title page has shown it: its key and names do
    reading = reading_of(request, title_id=title_id, slug=slug, reveal=reveal)
    listing = selectors.title_reviews(title=title, reading=reading, per_page=ON_TITLE_PAGE)
    user = signed_in(request)
    return {
        "shown": True,
        "user": context.get("user"),
        "csrf_token": context.get("csrf_token"),
        "slug": slug,
        "listing": listing,
        "top": listing.reviews,
        "histogram": charts.score_histogram_svg(listing.summary) if listing.summary.count else "",
        "min_voters": settings.VOTE_MIN_VOTERS,
        "account_days": settings.VOTE_ACCOUNT_DAYS,
        "votes": [
            (axis, charts.votes_svg(axis) if axis.voters and not axis.hidden else "")
            for axis in selectors.title_votes(title_id=title_id, reading=reading, user=user)
        ],
    }


@register.simple_tag
def ballot(axis: selectors.AxisVotes) -> SafeString:
    """The controls of one axis's vote form, the reader's ballot chosen: a box per value (and its weight on a
    weighted axis) or one list. Written here rather than in the template: its nested loops over values and
    weights were a tenth of a title page's time."""
    mine = axis.mine
    if axis.kind not in ("multi", "weighted"):
        options = "".join(
            f'<option value="{escape(key)}"{" selected" if key in mine else ""}>{escape(label)}</option>'
            for key, label in axis.choices
        )
        name = escape(axis.key)
        return format_html(
            '<label for="vote-{}-value" class="visually-hidden">{}</label><select id="vote-{}-value" name="value">'
            '<option value="">no vote</option>{}</select>',
            name,
            axis.label,
            name,
            mark_safe(options),  # noqa: S308 (each key and label escaped above)
        )
    parts = []
    for key, label in axis.choices:
        checked = " checked" if key in mine else ""
        box = f'<input type="checkbox" name="value" value="{escape(key)}"{checked}>'
        parts.append(f"<label>{box} {escape(label)}</label>")
        if axis.kind == "weighted":
            chosen = f"{mine[key]:.2f}" if key in mine else WEIGHTS[0]
            options = "".join(f'<option value="{w}"{" selected" if w == chosen else ""}>{w}</option>' for w in WEIGHTS)
            weight = f'<select name="weight-{escape(key)}">{options}</select>'
            parts.append(f' <label class="weight">weight {weight}</label>')
    return mark_safe("".join(parts))  # noqa: S308 (each key and label escaped above)
