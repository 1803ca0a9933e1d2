"""The visibility policy: the one place that decides what a viewer may see.

Every page, list, count and API endpoint asks this module; nothing else filters on content rating or
spoilers. Two questions are answered here and only here:

* Which titles exist for this viewer? (`hidden_ratings`, used by `titles_visible` for querysets and
  `title_is_visible` for one loaded title; both derive from the same set, so they cannot disagree.)
* Which spoiler-bearing facts may be printed? (`spoiler_shown`, `axis_shown`, `stage_shown`, `tag_shown`.)

Explicit and unknown-rated titles are invisible, not merely blurred, until the viewer confirms 18+:
they 404, and they are absent from lists, counts and the API (DESIGN §3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.db import models

from shuraba.core.errors import BadQuery

if TYPE_CHECKING:
    from django.http import HttpRequest

# Ratings hidden until 18+ is confirmed. "unknown" is treated as explicit: default deny. The rule is an
# allowlist (SAFE_RATINGS), so a rating nobody thought of is hidden too.
AGE_GATED_RATINGS: frozenset[str] = frozenset({"explicit", "unknown"})
SAFE_RATINGS: frozenset[str] = frozenset({"all-ages", "teen", "mature"})

SESSION_ADULT = "shuraba.adult"
SESSION_REVEAL = "shuraba.reveal_spoilers"

# Which formula stage reveals which spoiler axis: revealing the stage reveals the axis.
SPOILER_AXIS_STAGE = {"revelation": "revelation", "ending": "resolution"}
STAGE_KEYS = ("relationship", "third-party", "drift", "revelation", "resolution")
REVEAL_ALL = "all"
REVEAL_TAGS = "tags"
REVEAL_TOKENS = (REVEAL_ALL, REVEAL_TAGS, *STAGE_KEYS)

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Viewer:
    """Everything the policy needs to know about who is looking."""

    is_adult: bool = False
    reveal_spoilers: bool = False
    user_id: int | None = None


ANONYMOUS = Viewer()


@dataclass(frozen=True)
class Reveal:
    """What the viewer asked to reveal on this one request (`?reveal=revelation,resolution`)."""

    tokens: frozenset[str] = field(default_factory=frozenset)

    @property
    def everything(self) -> bool:
        return REVEAL_ALL in self.tokens

    def as_param(self) -> str:
        return ",".join(t for t in REVEAL_TOKENS if t in self.tokens)

    def plus(self, token: str) -> Reveal:
        return Reveal(self.tokens | {token})


NOTHING_REVEALED = Reveal()


def reveal_parse(raw: str | None) -> Reveal:
    """Parse `?reveal=`: a comma list of `all`, `tags` and formula stage keys."""
    if not raw:
        return NOTHING_REVEALED
    tokens = frozenset(t.strip() for t in raw.split(",") if t.strip())
    unknown = sorted(tokens - set(REVEAL_TOKENS))
    if unknown:
        raise BadQuery("reveal", f"unknown value {unknown[0]!r}; use {', '.join(REVEAL_TOKENS)}")
    return Reveal(tokens)


def viewer_from_request(request: HttpRequest) -> Viewer:
    user, session = getattr(request, "user", None), getattr(request, "session", None)
    if user is None or session is None:  # an error page for a request refused before the session ran
        return ANONYMOUS
    if user.is_authenticated:
        return Viewer(
            is_adult=user.age_confirmed_at is not None or bool(request.session.get(SESSION_ADULT)),
            reveal_spoilers=user.reveal_spoilers,
            user_id=user.pk,
        )
    return Viewer(
        is_adult=bool(request.session.get(SESSION_ADULT)),
        reveal_spoilers=bool(request.session.get(SESSION_REVEAL)),
    )


# --- titles -------------------------------------------------------------------------------------


def hidden_ratings(viewer: Viewer) -> frozenset[str]:
    """The one decision about which titles a viewer cannot see at all."""
    return frozenset() if viewer.is_adult else AGE_GATED_RATINGS


def shown_ratings(viewer: Viewer) -> frozenset[str] | None:
    """The ratings a viewer may see; None: every rating (18+ confirmed)."""
    return None if viewer.is_adult else SAFE_RATINGS


def visible_q(viewer: Viewer, *, prefix: str = "") -> models.Q:
    """The condition a title row must meet to be visible; `prefix` reaches titles through a relation."""
    shown = shown_ratings(viewer)
    if shown is None:
        return models.Q()
    return models.Q(**{f"{prefix}content_rating__in": sorted(shown)})


def titles_visible(viewer: Viewer, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Restrict a queryset of titles to the ones this viewer may see."""
    return queryset.filter(visible_q(viewer))


def title_is_visible(viewer: Viewer, *, content_rating: str) -> bool:
    shown = shown_ratings(viewer)
    return shown is None or content_rating in shown


# --- spoilers -----------------------------------------------------------------------------------


def spoiler_shown(viewer: Viewer, reveal: Reveal, *, level: str, token: str) -> bool:
    """May a fact with this spoiler level be printed, given what was revealed (`token` names it)?"""
    if level == "none":
        return True
    return viewer.reveal_spoilers or reveal.everything or token in reveal.tokens


def axis_shown(viewer: Viewer, reveal: Reveal, *, axis_key: str, spoiler: bool) -> bool:
    if not spoiler:
        return True
    token = SPOILER_AXIS_STAGE.get(axis_key, REVEAL_ALL)
    return spoiler_shown(viewer, reveal, level="major", token=token)


def stage_shown(viewer: Viewer, reveal: Reveal, *, stage: str, level: str) -> bool:
    return spoiler_shown(viewer, reveal, level=level, token=stage)


def tag_shown(viewer: Viewer, reveal: Reveal, *, level: str) -> bool:
    return spoiler_shown(viewer, reveal, level=level, token=REVEAL_TAGS)


def tag_spoilers_q(viewer: Viewer, *, prefix: str = "") -> models.Q:
    """For listings by tag: only assignments the viewer may see (no reveal on a listing)."""
    if viewer.reveal_spoilers:
        return models.Q()
    return models.Q(**{f"{prefix}spoiler": "none"})
