"""Reads of recommendations: what the viewer has (quiz, library, exclusions), and the lists made of it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from shuraba.accounts.models import User
from shuraba.accounts.policies import Visibility, visible_title_ids
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.cards import TitleCard
from shuraba.catalog.models import Credit
from shuraba.library.models import LibraryEntry
from shuraba.preferences.selectors import preferences_read
from shuraba.recommend.engine import Exclusions, Library, Recommendations, recommendations_for
from shuraba.recommend.models import NeverCreator, NotInterested
from shuraba.recommend.panel import Panel, title_panel
from shuraba.recommend.similar import title_similar
from shuraba.recommend.training import model_current, training_maybe_start
from shuraba.reviews.readers import signed_in


def library_of(*, user: User | None) -> Library:
    if user is None:
        return {}
    rows = LibraryEntry.objects.filter(user=user).values_list("title_id", "status", "score")
    return {pk: (status, score) for pk, status, score in rows}


def exclusions_of(*, user: User | None) -> Exclusions:
    if user is None:
        return Exclusions()
    titles = NotInterested.objects.filter(user=user).values_list("title_id", flat=True)
    creators = NeverCreator.objects.filter(user=user).values_list("creator__slug", flat=True)
    return Exclusions(frozenset(titles), frozenset(creators))


def excluded_title_ids(*, user: User | None) -> frozenset[int]:
    """Titles a list of proposals leaves out for this reader: their library, the titles they are not
    interested in, and every title of a creator they never want (the starter list's exclusions)."""
    if user is None:
        return frozenset()
    never = NeverCreator.objects.filter(user=user).values_list("creator_id", flat=True)
    credited = Credit.objects.filter(creator_id__in=never).values_list("title_id", flat=True)
    return frozenset(library_of(user=user)) | exclusions_of(user=user).titles | frozenset(credited)


def for_you(*, request: HttpRequest, limit: int | None = None) -> Recommendations:
    """The viewer's recommendations; a training is started (never waited for) when enough scores came in."""
    user = signed_in(request)
    model = model_current()
    found = recommendations_for(
        visibility=visibility_from_request(request),
        answers=preferences_read(request=request),
        library=library_of(user=user),
        exclusions=exclusions_of(user=user),
        model=model,
        **({"limit": limit} if limit else {}),
    )
    training_maybe_start(model)
    return found


def fit_panel(*, request: HttpRequest, title_id: int) -> Panel | None:
    return title_panel(
        visibility=visibility_from_request(request),
        answers=preferences_read(request=request),
        library=library_of(user=signed_in(request)),
        title_id=title_id,
    )


def more_like_this(*, request: HttpRequest, title_id: int) -> tuple[TitleCard, ...]:
    return title_similar(
        visibility=visibility_from_request(request),
        title_id=title_id,
        exclusions=exclusions_of(user=signed_in(request)),
    )


def creators_of(*, title_ids: Collection[int]) -> dict[int, list[tuple[str, str]]]:
    """Per title, its creators (slug, name) for the "never this creator" buttons, in one query."""
    found: dict[int, list[tuple[str, str]]] = {pk: [] for pk in title_ids}
    rows = Credit.objects.filter(title_id__in=list(title_ids)).order_by("creator__name")
    for pk, slug, name in rows.values_list("title_id", "creator__slug", "creator__name").distinct():
        if (slug, name) not in found[pk]:
            found[pk].append((slug, name))
    return found


@dataclass(frozen=True)
class Listed:
    titles: tuple[tuple[str, str], ...]  # slug, name: the titles the viewer may see
    titles_hidden: int  # not interested in, but hidden now by the viewer's settings: counted, not named
    creators: tuple[tuple[str, str], ...]  # slug, name


def exclusions_listed(*, user: User, visibility: Visibility) -> Listed:
    rows = NotInterested.objects.filter(user=user)
    shown = rows.filter(title__in=visible_title_ids(visibility)).order_by("title__title")
    titles = tuple(shown.values_list("title__slug", "title__title"))
    creators = tuple(
        NeverCreator.objects.filter(user=user).order_by("creator__name").values_list("creator__slug", "creator__name")
    )
    return Listed(titles, rows.count() - len(titles), creators)


def exclusions_export(*, user: User, visibility: Visibility) -> dict[str, Any]:
    """The data export's `not_interested` (titles behind the reader's settings counted in `left_out`) and
    `never_creators`."""
    rows = NotInterested.objects.filter(user=user)
    shown = rows.filter(title__in=visible_title_ids(visibility)).order_by("title__slug")
    titles = [
        {"title": s, "name": n, "at": at.isoformat()}
        for s, n, at in shown.values_list("title__slug", "title__title", "at")
    ]
    creators = [
        {"creator": s, "name": n, "at": at.isoformat()}
        for s, n, at in NeverCreator.objects.filter(user=user)
        .order_by("creator__slug")
        .values_list("creator__slug", "creator__name", "at")
    ]
    return {"not_interested": {"titles": titles, "left_out": rows.count() - len(titles)}, "never_creators": creators}
