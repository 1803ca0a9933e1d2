"""`{% library_quick title_id slug name %}`: the add-to-library form on cards and title pages; and
`{% library_rows page.rows %}`: the library page's table rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shuraba.accounts.models import User
from shuraba.library.models import Status
from shuraba.library.selectors import EntryRow, entry_of, statuses_of

register = template.Library()
_STATUSES = "_library_statuses"
NONE = "\u2013"  # an en dash: a field with no value


def _statuses(request: HttpRequest, user: User) -> dict[int, str]:
    """The reader's statuses, read once per request however many cards the page has."""
    held: dict[int, str] | None = getattr(request, _STATUSES, None)
    if held is None:
        held = statuses_of(user=user)
        setattr(request, _STATUSES, held)
    return held


@register.inclusion_tag("library/_quick.html", takes_context=True)
def library_quick(
    context: template.Context, title_id: int, slug: str, name: str, *, full: bool = False
) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not isinstance(user, User) or not user.is_authenticated:
        return {"shown": False}
    entry = entry_of(user=user, title_id=title_id) if full else None
    status = entry.status if entry else _statuses(request, user).get(title_id, "")
    return {
        "shown": True,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "title_id": title_id,
        "slug": slug,
        "name": name,
        "status": status,
        "statuses": Status.choices,
        "scores": range(1, 11),
        "entry": entry,
        "full": full,
        "error": "",
    }


def _row_html(r: EntryRow) -> str:
    """One row; the fields a reader wrote or a catalog holds (names, dates, rules' names) escaped."""
    hidden = (
        f' <span class="badge spoiler" title="Hidden elsewhere by your avoid rules">hidden by '
        f"{escape(', '.join(r.hidden_by))}</span>"
        if r.hidden_by
        else ""
    )
    notes = ' <span class="meta">· notes</span>' if r.notes else ""
    volumes = f" · {r.volumes_read}{f'/{r.volumes}' if r.volumes else ''} vol" if r.volumes_read else ""
    return (
        f'<tr>\n<td><a href="/library/titles/{escape(r.slug)}/">{escape(r.name)}</a>{hidden}{notes}</td>\n'
        f"<td>{escape(r.status_label)}</td>\n"
        f"<td>{r.chapters_read}{f'/{r.chapters}' if r.chapters else ''} ch{volumes}</td>\n"
        f"<td>{r.score or NONE}</td>\n"
        f"<td>{escape(r.started_on) or NONE}</td>\n"
        f"<td>{escape(r.finished_on) or NONE}</td>\n"
        f"<td>{r.reread_count}</td>\n"
        f"<td>{escape(r.privacy)}</td>\n"
        "</tr>"
    )


@register.simple_tag
def library_rows(rows: Sequence[EntryRow]) -> SafeString:
    """The library page's rows, written in Python: 50 rows of a dozen fields were ~10 ms of Django template
    work per page (the issue's bar is 50 ms for the whole page at 200k titles). Each row links
    /library/titles/<slug>/ (config/urls.py: library-edit) as a string, not a {% url %} per row."""
    return mark_safe("".join(_row_html(r) for r in rows))  # noqa: S308 (every value above is escaped or a number)
