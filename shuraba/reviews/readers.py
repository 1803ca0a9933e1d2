"""Who reads a title's reviews, from the request: what `selectors.Reading` needs."""

from __future__ import annotations

from django.http import HttpRequest

from shuraba.accounts.models import User
from shuraba.accounts.policies import NOTHING_REVEALED, Reveal, reveal_remembered
from shuraba.accounts.viewers import visibility_from_request
from shuraba.reviews.selectors import Reading, progress_of


def signed_in(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def reading_of(
    request: HttpRequest,
    *,
    title_id: int,
    slug: str,
    opened: frozenset[str] = frozenset(),
    reveal: Reveal | None = None,
) -> Reading:
    """The viewer's visibility, their library progress on this title and the reveals they keep for it (or,
    on the title page, what that page reveals: `reveal`, the request's and the remembered ones)."""
    user = signed_in(request)
    return Reading(
        visibility=visibility_from_request(request),
        progress=progress_of(user=user, title_id=title_id),
        reveal=reveal if reveal is not None else reveal_remembered(request, slug=slug) if user else NOTHING_REVEALED,
        opened=opened,
        user_id=user.pk if user else None,
        editor=bool(user and user.is_staff),
    )
