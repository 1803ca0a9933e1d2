"""Reading-list pages: the index (/lists/), one list, the owner's editing page, and the writes behind their
forms (each a POST that returns to the page it came from, or answers the fragment or JSON a script asked for)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shuraba.accounts.models import User
from shuraba.accounts.viewers import visibility_from_request
from shuraba.core.errors import BadQuery
from shuraba.lists import selectors, services
from shuraba.lists.finding import title_find
from shuraba.lists.forms import ItemForm, ListForm, form_errors
from shuraba.lists.models import Kind, ListItem, ListSuggestion, ReadingList
from shuraba.lists.selectors import ListNotFound
from shuraba.lists.services import ListRefused
from shuraba.reviews.readers import signed_in
from shuraba.taxonomy.models import AxisValue


def _list(request: HttpRequest, slug: str) -> ReadingList:
    try:
        return selectors.list_get(slug=slug, user=signed_in(request))
    except ListNotFound as exc:
        raise Http404("No such list") from exc


def _reader(request: HttpRequest) -> User:
    user = signed_in(request)
    if user is None:
        raise Http404("No such page")
    return user


def _page_param(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 0 < int(raw) < 100_000:
        raise BadQuery("page", f"page takes a whole number from 1, not {raw[:20]!r}")
    return int(raw)


def _focus_choices() -> list[tuple[str, str]]:
    return list(AxisValue.objects.filter(axis__key="subgenre").order_by("order").values_list("key", "label"))


def _refused(request: HttpRequest, exc: ListRefused, *, back: str) -> HttpResponse:
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"detail": exc.message}, status=exc.status)
    return render(request, "lists/refused.html", {"message": exc.message, "back": back}, status=exc.status)


# --- reading -------------------------------------------------------------------------------------


@require_safe
def lists_index(request: HttpRequest) -> HttpResponse:
    unknown = sorted(set(request.GET) - {"q", "kind", "starter", "page"})
    if unknown:
        raise BadQuery(unknown[0][:40], "unknown parameter; the lists index takes q, kind, starter and page")
    kind = request.GET.get("kind", "")
    if kind not in ("", *Kind.values):
        raise BadQuery("kind", "kind is editorial or reader")
    starter = request.GET.get("starter", "")
    if starter not in ("", "1"):
        raise BadQuery("starter", "starter=1 lists only the starter lists")
    text = request.GET.get("q", "").strip()[:200]
    visibility = visibility_from_request(request)
    page = selectors.lists_index(
        visibility=visibility, text=text, kind=kind, starter=starter == "1", page=_page_param(request)
    )
    user = signed_in(request)
    context = {
        "page": page,
        "q": text,
        "kind": kind,
        "starter": starter,
        "mine": selectors.lists_of(user=user) if user else (),
    }
    return render(request, "lists/index.html", context)


@require_safe
def list_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if set(request.GET):
        raise BadQuery(sorted(request.GET)[0][:40], "unknown parameter; a list's page takes none")
    reading_list = _list(request, slug)
    user = signed_in(request)
    shown = selectors.list_detail(reading_list=reading_list, visibility=visibility_from_request(request), user=user)
    context = {"l": shown, "list": reading_list, "suggest_form": ItemForm() if user and not shown.editable else None}
    response = render(request, "lists/detail.html", context)
    if reading_list.privacy != "public":
        response["X-Robots-Tag"] = "noindex"
    return response


# --- writing -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def list_new(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = ListForm(request.POST or None, editor=user.is_staff, new=True, focus_choices=_focus_choices())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            kind = form.cleaned_data.get("kind") or Kind.READER
            try:
                created = services.list_create(user=user, kind=kind, changes=form.changes())
            except ListRefused as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                return redirect("list-edit", slug=created.slug)
        else:
            status = 400
    return render(request, "lists/new.html", {"form": form}, status=status)


def _edit_page(request: HttpRequest, reading_list: ReadingList, **context: Any) -> HttpResponse:
    user = _reader(request)
    if not services.list_editable(user=user, reading_list=reading_list):
        raise Http404("No such page")
    initial = {"name": reading_list.name, "intro": reading_list.intro, "privacy": reading_list.privacy,
               "starter": reading_list.starter, "focus": reading_list.focus}  # fmt: skip
    status = context.pop("status", 200)
    context.setdefault(
        "form", ListForm(initial=initial, editor=reading_list.kind == Kind.EDITORIAL, focus_choices=_focus_choices())
    )
    context.setdefault("item_form", ItemForm())
    visibility = visibility_from_request(request)
    context["items"] = selectors.list_edit_rows(reading_list=reading_list, visibility=visibility)
    context["suggestions"] = selectors.suggestions_pending(reading_list=reading_list, visibility=visibility)
    return render(request, "lists/edit.html", {"list": reading_list, **context}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def list_edit(request: HttpRequest, slug: str) -> HttpResponse:
    reading_list = _list(request, slug)
    if request.method != "POST":
        return _edit_page(request, reading_list)
    form = ListForm(request.POST, editor=reading_list.kind == Kind.EDITORIAL, focus_choices=_focus_choices())
    if not form.is_valid():
        return _edit_page(request, reading_list, form=form, status=400)
    try:
        services.list_update(user=_reader(request), reading_list=reading_list, changes=form.changes())
    except ListRefused as exc:
        form.add_error(None, exc.message)
        return _edit_page(request, reading_list, form=form, status=exc.status)
    return redirect(reverse("list-edit", args=[slug]) + "#saved")


def _edit_url(reading_list: ReadingList, anchor: str = "items") -> str:
    return reverse("list-edit", args=[reading_list.slug]) + f"#{anchor}"


@login_required
@require_POST
def item_add(request: HttpRequest, slug: str) -> HttpResponse:
    reading_list = _list(request, slug)
    form = ItemForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, reading_list, item_form=form, status=400)
    try:
        title = title_find(visibility=visibility_from_request(request), text=form.cleaned_data["title"])
        services.item_add(user=_reader(request), reading_list=reading_list, title=title, note=form.cleaned_data["note"])
    except ListRefused as exc:
        form.add_error(None, exc.message)
        return _edit_page(request, reading_list, item_form=form, status=exc.status)
    return redirect(_edit_url(reading_list))


@login_required
@require_POST
def item_add_from_title(request: HttpRequest) -> HttpResponse:
    """A title page's "add it to my list": the list by its slug, the title by its own; back to the title."""
    user = _reader(request)
    title_slug = request.POST.get("title", "")[:200]
    back = reverse("title-detail", args=[title_slug]) + "#lists" if title_slug else reverse("lists")
    try:
        reading_list = selectors.list_get(slug=request.POST.get("list", "")[:200], user=user)
    except ListNotFound:
        return _refused(request, ListRefused(404, "no such list of yours"), back=back)
    try:
        title = title_find(visibility=visibility_from_request(request), text=title_slug)
        services.item_add(user=user, reading_list=reading_list, title=title, note=request.POST.get("note", ""))
    except ListRefused as exc:
        return _refused(request, exc, back=back)
    messages.success(request, f"Added to “{reading_list.name}”.")
    return redirect(back)


ITEM_ACTIONS = ("note", "up", "down", "move", "remove")


@login_required
@require_POST
def item_change(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    reading_list = _list(request, slug)
    item = ListItem.objects.filter(reading_list=reading_list, pk=pk).select_related("reading_list").first()
    if item is None:
        raise Http404("No such item")
    action = request.POST.get("action", "")
    user = _reader(request)
    try:
        if action not in ITEM_ACTIONS:
            raise ListRefused(400, f"action: one of {', '.join(ITEM_ACTIONS)}")
        if action == "remove":
            services.item_remove(user=user, item=item)
        elif action == "note":
            services.item_update(user=user, item=item, note=request.POST.get("note", ""))
        else:
            services.item_update(user=user, item=item, position=_position(request, item, action))
    except ListRefused as exc:
        return _refused(request, exc, back=_edit_url(reading_list))
    return redirect(_edit_url(reading_list, f"item-{pk}" if action != "remove" else "items"))


def _position(request: HttpRequest, item: ListItem, action: str) -> int:
    place = (
        list(ListItem.objects.filter(reading_list=item.reading_list).values_list("pk", flat=True)).index(item.pk) + 1
    )
    if action == "up":
        return max(place - 1, 1)
    if action == "down":
        return place + 1
    raw = request.POST.get("position", "")
    if not raw.isdigit() or not 0 < int(raw) < 100_000:
        raise ListRefused(400, f"position: a whole number from 1, not {raw[:20]!r}")
    return int(raw)


@login_required
@require_POST
def items_order(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole order from a drag and drop: `order` holds every item's number once, in order."""
    reading_list = _list(request, slug)
    raw = [part.strip() for part in request.POST.get("order", "").split(",") if part.strip()]
    try:
        if not all(part.isdigit() and len(part) < 12 for part in raw):
            raise ListRefused(400, "order: the items' numbers, separated by commas")
        services.items_reorder(user=_reader(request), reading_list=reading_list, item_ids=[int(p) for p in raw])
    except ListRefused as exc:
        return _refused(request, exc, back=_edit_url(reading_list))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"order": [int(p) for p in raw]})
    return redirect(_edit_url(reading_list))


@login_required
@require_POST
def list_suggest(request: HttpRequest, slug: str) -> HttpResponse:
    reading_list = _list(request, slug)
    form = ItemForm(request.POST)
    back = reverse("list-detail", args=[slug])
    try:
        if not form.is_valid():
            raise ListRefused(400, form_errors(form))
        title = title_find(visibility=visibility_from_request(request), text=form.cleaned_data["title"])
        services.suggestion_make(
            user=_reader(request), reading_list=reading_list, title=title, note=form.cleaned_data["note"]
        )
    except ListRefused as exc:
        return _refused(request, exc, back=back)
    return redirect(back + "#suggested")


@login_required
@require_POST
def suggestion_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    reading_list = _list(request, slug)
    suggestion = (
        ListSuggestion.objects.filter(reading_list=reading_list, pk=pk).select_related("reading_list", "title").first()
    )
    if suggestion is None:
        raise Http404("No such suggestion")
    decision = request.POST.get("decision", "")
    try:
        if decision not in ("approve", "decline"):
            raise ListRefused(400, "decision: approve or decline")
        services.suggestion_decide(user=_reader(request), suggestion=suggestion, approve=decision == "approve")
    except ListRefused as exc:
        return _refused(request, exc, back=_edit_url(reading_list, "suggestions"))
    return redirect(_edit_url(reading_list, "suggestions"))


@login_required
@require_POST
def list_delete(request: HttpRequest, slug: str) -> HttpResponse:
    reading_list = _list(request, slug)
    try:
        services.list_delete(user=_reader(request), reading_list=reading_list)
    except ListRefused as exc:
        return _refused(request, exc, back=reverse("lists"))
    return redirect(reverse("lists"))
