"""Reads of a reader's own data: remembered reveals for the settings page, and the data export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.http import HttpRequest
from django.utils import timezone

from shuraba.accounts.models import ReaderRules, TitleReveal, User
from shuraba.accounts.policies import SESSION_TITLE_REVEALS, Reveal, Visibility, reveal_stored, titles_visible
from shuraba.accounts.rules import RULES_FILE_FORMAT
from shuraba.accounts.services import SESSION_REVEALS_MAX
from shuraba.catalog.models import Title
from shuraba.library.selectors import library_export
from shuraba.lists.selectors import list_export
from shuraba.pairs.selectors import pairs_export
from shuraba.preferences.selectors import preferences_export
from shuraba.recommend.selectors import exclusions_export
from shuraba.reviews.selectors import reviews_export

EXPORT_FORMAT = "shuraba-account-export/1"


@dataclass(frozen=True)
class RememberedReveal:
    """One title whose spoilers the reader keeps revealed."""

    slug: str
    title: str
    reveal: Reveal
    at: datetime | None

    @property
    def what(self) -> str:
        return self.reveal.describe()


def title_reveals_list(*, request: HttpRequest, visibility: Visibility) -> tuple[RememberedReveal, ...]:
    """The viewer's remembered reveals on titles they may see now (a title gone behind the age gate is left out)."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        rows = TitleReveal.objects.filter(user=user, title__in=titles_visible(visibility, Title.objects.all()))
        return tuple(
            RememberedReveal(r.title.slug, r.title.title, reveal_stored(r.tokens), r.at)
            for r in rows.select_related("title").order_by("title__title")
        )
    remembered = request.session.get(SESSION_TITLE_REVEALS) or {}
    titles = titles_visible(
        visibility, Title.objects.filter(slug__in=list(remembered)[-SESSION_REVEALS_MAX:])
    ).order_by("title")
    return tuple(RememberedReveal(t.slug, t.title, reveal_stored(remembered[t.slug]), None) for t in titles)


def account_export(*, user: User, visibility: Visibility) -> dict[str, Any]:
    """Everything shuraba keeps about one reader, as JSON-ready data (`/settings/export.json`)."""
    sections = export_sections(user=user, visibility=visibility)
    return {"format": EXPORT_FORMAT, "exported_at": timezone.now().isoformat(), **sections}


def export_sections(*, user: User, visibility: Visibility) -> dict[str, Any]:
    """The export's top-level sections, one key per kind of reader data. A new kind adds its key here
     `avoid_rules` is the same shape as the rules file of /settings/avoid/export.json, so
    it can be imported there as it is; `library` is /api/v1/me/library/export.json (entries for titles
    behind the reader's age gate are counted in `left_out`, not named)."""
    stored = ReaderRules.objects.filter(user=user).first()
    return {
        "account": _account_section(user),
        "age_confirmation": {
            "confirmed": user.age_confirmed_at is not None,
            "confirmed_at": _iso(user.age_confirmed_at),
        },
        "spoilers": {"level": user.spoilers, "set_at": _iso(user.spoilers_set_at)},
        "title_reveals": [
            {
                "title": r.title.slug,
                "name": r.title.title,
                "reveal": reveal_stored(r.tokens).as_param(),
                "at": _iso(r.at),
            }
            for r in TitleReveal.objects.filter(user=user).select_related("title").order_by("title__slug")
        ],
        "avoid_rules": {
            "format": RULES_FILE_FORMAT,
            "rules": list(stored.rules) if stored else [],
            "presets": list(stored.presets) if stored else [],
            "updated_at": _iso(stored.updated_at) if stored else None,
        },
        "library": library_export(user=user, visibility=visibility).as_json(),
        "reviews": reviews_export(user=user, visibility=visibility),
        "reading_lists": list_export(user=user, visibility=visibility),
        "pairs": pairs_export(user=user, visibility=visibility),
        "preferences": preferences_export(user=user),
        **exclusions_export(user=user, visibility=visibility),
        "api_tokens": [
            {
                "name": t.name,
                "starts_with": t.prefix,
                "created_at": _iso(t.created_at),
                "last_used_at": _iso(t.last_used_at),
            }
            for t in user.api_tokens.all()
        ],
    }


def _account_section(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "email": user.email,
        "emails": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def title_id_visible(*, visibility: Visibility, slug: str) -> int | None:
    """The id of the title with this slug if this visibility shows it (a gated title does not exist). A slug
    holding a NUL names no title (PostgreSQL refuses one in a query): None, as for an unknown slug."""
    if "\x00" in slug:
        return None
    return titles_visible(visibility, Title.objects.filter(slug=slug)).values_list("pk", flat=True).first()
