"""`{% title_reviews_section title_id slug reveal %}`: a title page's reviews: the scores, the viewer's own review
(in any state), the most helpful few and the way to the rest."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest

from shuraba.accounts.policies import Reveal
from shuraba.catalog.models import Title
from shuraba.reviews import charts, selectors
from shuraba.reviews.readers import reading_of, signed_in

register = template.Library()
ON_TITLE_PAGE = 3
WEIGHTS = ("1.00", "0.75", "0.50", "0.25")


@register.inclusion_tag("reviews/_title_section.html", takes_context=True)
def title_reviews_section(context: template.Context, title_id: int, slug: str, reveal: Reveal) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    if request is None:
        return {"shown": False}
    title = Title(pk=title_id, slug=slug)  # the title page has shown it: only its key is needed
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
        "weights": WEIGHTS,
        "votes": [
            (axis, charts.votes_svg(axis) if axis.voters and not axis.hidden else "")
            for axis in selectors.title_votes(title_id=title_id, reading=reading, user=user)
        ],
    }
