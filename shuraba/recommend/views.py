"""`/for-you/`: the viewer's recommendations with their reasons, and the "not interested" and "never this
creator" forms (plain POST without JavaScript; with htmx the item is replaced in place)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from shuraba.accounts.models import User
from shuraba.accounts.policies import Visibility, visible_title_ids
from shuraba.accounts.selectors import title_id_visible
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.models import Creator, Title
from shuraba.core.errors import BadQuery
from shuraba.preferences.selectors import preferences_read
from shuraba.recommend import selectors, services
from shuraba.recommend.models import NeverCreator
from shuraba.reviews.readers import signed_in


@require_safe
def for_you(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    answers = preferences_read(request=request)
    found = selectors.for_you(request=request) if (user or answers) else None
    creators = selectors.creators_of(title_ids=[i.card.id for i in found.items]) if found and user else {}
    context = {"found": found, "creators": creators, "signed_in": user is not None}
    return render(request, "recommend/for_you.html", context)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or "/for-you/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/for-you/"


def _action(request: HttpRequest) -> str:
    action = request.POST.get("action", "add")
    if action not in {"add", "undo"}:
        raise BadQuery("action", "use add, or undo to take it back")
    return action


@require_POST
def not_interested(request: HttpRequest) -> HttpResponse:
    """`title` (a slug the viewer may see: else 404) and `action` add | undo."""
    user = signed_in(request)
    if user is None:
        return HttpResponseRedirect(f"/accounts/login/?next={_next(request)}")
    action = _action(request)
    slug = request.POST.get("title", "")[:200]
    title_id = title_id_visible(visibility=visibility_from_request(request), slug=slug)
    if title_id is None:  # unknown, hidden, or no slug at all (a NUL): one answer
        raise Http404("No such title")
    title = Title.objects.get(pk=title_id)
    if action == "add":
        services.not_interested_add(user=user, title=title)
        said = f"“{title.title}” will not be proposed again."
    else:
        services.not_interested_remove(user=user, title=title)
        said = f"“{title.title}” may be proposed again."
    return _answered(request, said, kind="title", slug=slug, name=title.title, action=action)


@require_POST
def never_creator(request: HttpRequest) -> HttpResponse:
    """`creator` (a slug credited on a title the viewer may see, or for undo one already in the reader's
    list: else 400, the same answer for a creator behind the age gate as for one that does not exist) and
    `action` add | undo."""
    user = signed_in(request)
    if user is None:
        return HttpResponseRedirect(f"/accounts/login/?next={_next(request)}")
    action = _action(request)
    slug = request.POST.get("creator", "")[:200]
    creator = _creator(user, visibility_from_request(request), slug, undo=action == "undo")
    if creator is None:
        raise BadQuery("creator", "no creator with this slug; use the button on a title's recommendation")
    if action == "add":
        services.never_creator_add(user=user, creator=creator)
        said = f"Nothing by {creator.name} will be proposed again."
    else:
        services.never_creator_remove(user=user, creator=creator)
        said = f"Titles by {creator.name} may be proposed again."
    return _answered(request, said, kind="creator", slug=slug, name=creator.name, action=action)


def _creator(user: User, visibility: Visibility, slug: str, *, undo: bool) -> Creator | None:
    """The creator of this slug if they are credited on a title the viewer may see (a creator known only
    behind the age gate or an avoid rule does not exist here); for undo, also one already in the reader's
    list. A NUL is no slug (PostgreSQL refuses it in a query): None before any query."""
    if not slug or "\x00" in slug:
        return None
    shown = Creator.objects.filter(slug=slug, credits__title__in=visible_title_ids(visibility)).first()
    if shown is not None or not undo:
        return shown
    kept = NeverCreator.objects.filter(user=user, creator__slug=slug).select_related("creator").first()
    return kept.creator if kept else None


def _answered(request: HttpRequest, said: str, *, kind: str, slug: str, name: str, action: str) -> HttpResponse:
    """htmx: the item's replacement (what was done, and its undo); otherwise back where the form was."""
    if request.headers.get("HX-Request") == "true" and action == "add":
        context = {"said": said, "kind": kind, "slug": slug, "name": name, "next": _next(request)}
        return render(request, "recommend/_done.html", context)
    messages.success(request, said)
    return HttpResponseRedirect(_next(request))
