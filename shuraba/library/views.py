"""The reader's library pages: `/library/` (filtered, sorted, counted), one entry's edit page, the quick
add/change/remove form on cards and title pages (htmx, and a plain POST without JavaScript), and
`/library/import/` (upload, reports, entries waiting to be matched)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from shuraba.accounts.models import User
from shuraba.accounts.policies import rules_waived, titles_visible
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.models import Title
from shuraba.core.errors import BadQuery
from shuraba.library import selectors, services
from shuraba.library.fetch import FetchError, unmatched_fetch
from shuraba.library.listfile import size_check
from shuraba.library.models import LibraryEntry, Privacy, Status, UnmatchedEntry
from shuraba.library.records import ListFileError
from shuraba.library.selectors import SORTS
from shuraba.search.lookup import titles_rules_hide
from shuraba.search.query import SearchQuery
from shuraba.search.selectors import title_search

INVALID = 422  # an htmx form answer with an error to show in place (base.html's htmx-config swaps 422)


def _reader(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _title_visible(request: HttpRequest, slug: str) -> Title:
    """A title the viewer's age gate shows (404 otherwise, like a missing one); avoid rules do not stop a
    reader from keeping a title in their own library."""
    title = selectors.library_title(visibility=visibility_from_request(request), slug=slug)
    if title is None:
        raise Http404("No such title")
    return title


# --- the library page -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def library(request: HttpRequest) -> HttpResponse:
    user, visibility = _reader(request), visibility_from_request(request)
    try:
        filters = selectors.library_filters_read(request.GET, request.GET.getlist("status"))
        error, status = "", 200
    except BadQuery as exc:
        filters, error, status = selectors.LibraryFilters(), f"{exc.param}: {exc.message}", 400
    page = selectors.library_page(user=user, visibility=visibility, filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "error": error,
        "statuses": [(value, label, page.counts[value], value in filters.statuses) for value, label in Status.choices],
        "privacies": Privacy.choices,
        "sorts": list(SORTS),
        "scores": range(1, 11),
        "query": query.urlencode(),
        "default_privacy": services.default_privacy(user),
    }
    return render(request, "library/library.html", context, status=status)


@login_required
@require_POST
def library_settings(request: HttpRequest) -> HttpResponse:
    services.library_settings_save(user=_reader(request), default_privacy=request.POST.get("default_privacy", ""))
    messages.success(request, "Saved: new entries get this privacy.")
    return HttpResponseRedirect("/library/")


# --- one entry -------------------------------------------------------------------------------------


def _posted_changes(request: HttpRequest, *, every: bool) -> dict[str, object]:
    """The entry fields the form sent (`every`: the edit page sends all of them; an empty score clears it)."""
    fields = services.EDITABLE if every else [f for f in services.EDITABLE if f in request.POST]
    return services.entry_changes_read({field: request.POST.get(field, "") for field in fields})


def _quick(request: HttpRequest, title: Title, *, error: str = "", saved: str = "", status: int = 200) -> HttpResponse:
    full = request.POST.get("full") == "1"
    entry = selectors.entry_of(user=_reader(request), title_id=title.pk)
    context: dict[str, Any] = {
        "shown": True,
        "request": request,
        "title_id": title.pk,
        "slug": title.slug,
        "name": title.title,
        "status": entry.status if entry else "",
        "statuses": Status.choices,
        "scores": range(1, 11),
        "entry": entry,
        "full": full,
        "error": error,
        "saved": saved,
        "next": _next(request, f"/titles/{title.slug}/"),  # the page the form is on, not this endpoint
    }
    html = render_to_string("library/_quick.html", context, request=request)
    return HttpResponse(html, status=status)


@require_POST
def library_entry(request: HttpRequest) -> HttpResponse:
    """The quick form: `title` (slug), `status` and maybe `chapters_read`, `score`; `action=remove`."""
    if not request.user.is_authenticated:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse('<p class="error" role="alert">Sign in to keep a library.</p>', status=INVALID)
        return HttpResponseRedirect(f"/accounts/login/?{urlencode({'next': _next(request, '/library/')}, safe='/')}")
    title = _title_visible(request, request.POST.get("title", ""))
    user, htmx = _reader(request), bool(request.htmx)  # type: ignore[attr-defined]
    if request.POST.get("action") == "remove":
        services.entry_remove(user=user, title=title)
        said = f"Removed “{title.title}” from your library."
    else:
        try:
            _, created = services.entry_save(user=user, title=title, changes=_posted_changes(request, every=False))
        except BadQuery as exc:
            if htmx:
                return _quick(request, title, error=f"Not saved: {exc.message}", status=INVALID)
            return _edit_page(request, title, error=f"Not saved: {exc.param}: {exc.message}", status=400)
        said = f"Added “{title.title}” to your library." if created else f"Saved “{title.title}”."
    if htmx:
        return _quick(request, title, saved=said)
    messages.success(request, said)
    return HttpResponseRedirect(_next(request, f"/titles/{title.slug}/"))


def _values(request: HttpRequest, entry: LibraryEntry | None, privacy: str) -> dict[str, str]:
    """The form as the reader left it: what they sent over what the entry holds (the quick form sends only
    a few fields; the others must not come back empty, or saving would erase notes and make a private
    entry public)."""
    held: dict[str, object] = {"status": "plan-to-read", "privacy": privacy}
    if entry is not None:
        held = {field: getattr(entry, field) for field in services.EDITABLE}
    shown = {field: "" if held.get(field) is None else str(held.get(field, "")) for field in services.EDITABLE}
    return {**shown, **{field: request.POST[field] for field in services.EDITABLE if field in request.POST}}


def _edit_page(request: HttpRequest, title: Title, *, error: str = "", status: int = 200) -> HttpResponse:
    user = _reader(request)
    entry = selectors.entry_of(user=user, title_id=title.pk)
    hidden_by = titles_rules_hide(visibility=visibility_from_request(request), title_ids=[title.pk]).get(title.pk, ())
    values = _values(request, entry, services.default_privacy(user)) if error else None
    context = {
        "title": title,
        "entry": entry,
        "values": values,
        "error": error,
        "hidden_by": hidden_by,
        "statuses": Status.choices,
        "privacies": Privacy.choices,
        "scores": range(1, 11),
        "default_privacy": services.default_privacy(user),
    }
    return render(request, "library/edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def library_edit(request: HttpRequest, slug: str) -> HttpResponse:
    title = _title_visible(request, slug)
    if request.method != "POST":
        return _edit_page(request, title)
    user = _reader(request)
    if request.POST.get("action") == "remove":
        services.entry_remove(user=user, title=title)
        messages.success(request, f"Removed “{title.title}” from your library.")
        return HttpResponseRedirect("/library/")
    try:
        services.entry_save(user=user, title=title, changes=_posted_changes(request, every=True))
    except BadQuery as exc:
        return _edit_page(request, title, error=f"Not saved: {exc.param}: {exc.message}", status=400)
    messages.success(request, f"Saved “{title.title}”.")
    return HttpResponseRedirect(f"/library/titles/{title.slug}/")


# --- import ----------------------------------------------------------------------------------------


UNMATCHED_SHOWN = 50  # the rest wait their turn: each one matched or left makes room


def _offered(request: HttpRequest, ids: list[int]) -> dict[int, tuple[Title, tuple[str, ...]]]:
    """Titles to offer an unmatched entry, with the avoid rules hiding each: the age gate applies, but the
    rules do not hide a title from the reader's own list (they are named instead). One query for all."""
    visibility = visibility_from_request(request)
    titles = {t.pk: t for t in titles_visible(rules_waived(visibility), Title.objects.filter(pk__in=ids))}
    hiding = titles_rules_hide(visibility=visibility, title_ids=list(titles))
    return {pk: (title, hiding.get(pk, ())) for pk, title in titles.items()}


def _unmatched_shown(request: HttpRequest, user: User, finding: str, found: str) -> list[tuple[Any, Any]]:
    rows = selectors.unmatched_open(user=user, limit=UNMATCHED_SHOWN)
    wanted = {row.pk: [int(pk) for pk in row.fields.get("candidates", [])][:8] for row in rows}
    if found and finding.isascii() and finding.isdigit() and int(finding) in wanted:
        query = SearchQuery(q=found[:200], per_page=8)
        page = title_search(visibility=rules_waived(visibility_from_request(request)), query=query, facets=False)
        wanted[int(finding)] = [card.id for card in page.items]
    offered = _offered(request, sorted({pk for ids in wanted.values() for pk in ids}))
    return [(row, [offered[pk] for pk in wanted[row.pk] if pk in offered]) for row in rows]


def _import_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    user = _reader(request)
    finding = request.GET.get("find", "")
    found = request.GET.get("q", "").strip()
    context = {
        "error": error,
        "imports": selectors.imports_recent(user=user),
        "unmatched": _unmatched_shown(request, user, finding, found),
        "waiting": selectors.unmatched_waiting(user=user),
        "left": selectors.unmatched_left(user=user),
        "finding": finding,
        "found": found,
        "limit_mb": settings.LIBRARY_IMPORT_MAX_BYTES // 1_000_000,
        "fetch": settings.LIBRARY_FETCH_MISSING,
        "default_privacy": Privacy(services.default_privacy(user)).label,
    }
    return render(request, "library/import.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def library_import(request: HttpRequest) -> HttpResponse:
    """`file`: a MAL XML export (plain or gzipped) or an AniList MediaListCollection JSON."""
    if request.method != "POST":
        return _import_page(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _import_page(request, error="Choose a file to import (the field is “file”).", status=400)
    try:
        size_check(upload.size or 0)
        data = upload.read(settings.LIBRARY_IMPORT_MAX_BYTES + 1)
        run = services.library_import(user=_reader(request), data=data, filename=upload.name or "")
    except ListFileError as exc:
        return _import_page(request, error=f"Nothing was imported: {exc}.", status=400)
    messages.success(
        request,
        f"Imported: {run.created} added, {run.updated} updated, {run.unchanged} unchanged, "
        f"{run.unmatched} waiting to be matched, {run.rejected} rejected.",
    )
    return HttpResponseRedirect("/library/import/")


@login_required
@require_POST
def library_resolve(request: HttpRequest) -> HttpResponse:
    """An unmatched entry: `unmatched` (its id) with `title` (a slug) to match it, `action=leave`, or
    `action=fetch` (when the operator allows it: the title is fetched from AniList or MyAnimeList by id)."""
    user = _reader(request)
    raw = request.POST.get("unmatched", "")
    if not (raw.isascii() and raw.isdigit()):
        return _import_page(request, error="Choose an entry to match (unmatched).", status=400)
    try:
        if request.POST.get("action") == "leave":
            services.unmatched_leave(user=user, unmatched_id=int(raw))
            messages.success(request, "Left out: that entry will not be offered again.")
        elif request.POST.get("action") == "fetch":
            outcome = unmatched_fetch(user=user, unmatched_id=int(raw))
            messages.success(request, outcome.message(visibility_from_request(request)))
        else:
            title = _title_visible(request, request.POST.get("title", ""))
            services.unmatched_resolve(user=user, unmatched_id=int(raw), title=title)
            messages.success(request, f"Matched: “{title.title}” is in your library.")
    except UnmatchedEntry.DoesNotExist:
        return _import_page(request, error="That entry is not waiting to be matched any more.", status=400)
    except BadQuery as exc:
        return _import_page(request, error=f"Not matched: {exc.message}", status=400)
    except FetchError as exc:
        return _import_page(request, error=f"Not fetched: {exc}", status=exc.http_status)
    return HttpResponseRedirect("/library/import/")
