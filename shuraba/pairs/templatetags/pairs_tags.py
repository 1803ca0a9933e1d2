"""`{% title_pairs_section title_id slug %}`: on a title page, "If you liked this, try…": the best pairs the
viewer may see, their reasons and votes, and for a signed-in reader the form that proposes one."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from shuraba.accounts.viewers import visibility_from_request
from shuraba.pairs import selectors
from shuraba.pairs.forms import PairForm
from shuraba.pairs.models import REASON_MAX
from shuraba.reviews.readers import signed_in

register = template.Library()
BLANK = {
    "other": PairForm.base_fields["other"],
    "reason": PairForm.base_fields["reason"],
    "reason_max": REASON_MAX,
}


@register.inclusion_tag("pairs/_title_pairs.html", takes_context=True)
def title_pairs_section(context: template.Context, title_id: int, slug: str) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    if request is None:
        return {"shown": None}
    user = signed_in(request)
    shown = selectors.title_pairs(visibility=visibility_from_request(request), title_id=title_id, user=user)
    return {
        "shown": shown,
        "slug": slug,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        # An empty form written out in the template (Django's field rendering was most of the section's time);
        # its words are the form's own. A form with errors comes back on the pairs page.
        "form": None,
        "blank": BLANK if user else None,
        "reasons_max": selectors.TITLE_PAGE_REASONS,
        "page": False,
    }
