"""Reading lists over the API: the public lists, one list as the viewer may see it (titles their rules hide
left out and counted, titles behind their age gate neither), and the writes of a list's owner (the list,
its items, their order, readers' suggestions) or of a reader suggesting a title. Writes take the session
with an `X-CSRFToken` header or a personal token; every refusal is a 4xx naming the field; nothing is
half-saved."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status
from ninja.errors import HttpError

from shuraba.accounts.apikit import api_writer, json_object
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.schemas import ErrorOut
from shuraba.core.errors import BadQuery
from shuraba.lists import selectors, services
from shuraba.lists.finding import title_find
from shuraba.lists.models import Kind, ListItem, ListSuggestion, ReadingList
from shuraba.lists.schemas import ListOut, ListsOut, SuggestionOut
from shuraba.lists.selectors import ListNotFound, ListShown, ListSummary
from shuraba.lists.services import ListRefused
from shuraba.reviews.readers import signed_in

router = Router(tags=["lists"])
SIGN_IN = "sign in to make, change or suggest to reading lists: /accounts/login/"
NO_SUCH_LIST = "no such list: name it by its slug, as /api/v1/lists lists it"
READ_ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    429: ErrorOut,
}


def _list(request: HttpRequest, slug: str) -> ReadingList:
    try:
        return selectors.list_get(slug=slug, user=signed_in(request))
    except ListNotFound as exc:
        raise HttpError(404, NO_SUCH_LIST) from exc


def _refusal(exc: ListRefused) -> HttpError:
    return HttpError(exc.status, exc.message)


def _summary(s: ListSummary) -> dict[str, Any]:
    return {
        "slug": s.slug, "name": s.name, "kind": s.kind, "privacy": s.privacy, "starter": s.starter, "focus": s.focus,
        "owner": s.owner, "updated_at": s.updated_at.isoformat(), "total": s.total, "hidden_by_rules": s.hidden,
        "url": reverse("list-detail", args=[s.slug]),
    }  # fmt: skip


def _shown(request: HttpRequest, reading_list: ReadingList) -> dict[str, Any]:
    shown: ListShown = selectors.list_detail(
        reading_list=reading_list, visibility=visibility_from_request(request), user=signed_in(request)
    )
    rules = next((h for h in shown.notes if h.reason == "rules"), None)
    return {
        **_summary(shown.summary),
        "intro": reading_list.intro,
        "intro_html": str(shown.intro_html),
        "items": [
            {
                "title": i.card.slug,
                "name": i.card.title,
                "position": n,
                "note": i.note,
                "url": reverse("title-detail", args=[i.card.slug]),
            }
            for n, i in enumerate(shown.items, 1)
        ],
        "hidden_note": rules.why if rules else "",
        "hidden_per_rule": [{"rule": r.name, "count": r.count} for r in (rules.rules if rules else ())],
        "editable": shown.editable,
    }


def _flag(request: HttpRequest, name: str) -> bool:
    raw = request.GET.get(name, "false")
    if raw not in ("true", "false", "1", "0"):
        raise BadQuery(name, f"{name} is true or false")
    return raw in ("true", "1")


@router.get("/lists", response={200: ListsOut, **READ_ERRORS}, summary="Public reading lists")
def lists_index(request: HttpRequest, q: str = "", kind: str = "", page: int = 1) -> dict[str, Any]:
    """The public lists, the site's starter lists first, 20 a page; `q` searches names and introductions,
    `kind` is editorial or reader, `starter=true` keeps the starter lists. Each says how many of its titles
    the viewer's age gate shows (`total`) and how many of those their avoid rules hide."""
    unknown = sorted(set(request.GET) - {"q", "kind", "starter", "page"})
    if unknown:
        raise BadQuery(unknown[0][:40], "unknown parameter; this operation takes kind, page, q and starter")
    if kind not in ("", *Kind.values):
        raise BadQuery("kind", "kind is editorial or reader")
    if not 0 < page < 100_000:
        raise BadQuery("page", "page takes a whole number from 1")
    found = selectors.lists_index(
        visibility=visibility_from_request(request),
        text=q.strip()[:200],
        kind=kind,
        starter=_flag(request, "starter"),
        page=page,
    )
    return {"lists": [_summary(s) for s in found.lists], "total": found.total, "page": found.page, "pages": found.pages}


@router.get("/lists/{slug}", response={200: ListOut, **READ_ERRORS}, summary="One reading list")
def list_get(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A list as this viewer may see it: the titles their rules hide are not in `items` (nor their notes),
    `hidden_by_rules` and `hidden_per_rule` count them; titles behind the age gate are neither listed nor
    counted. A private list is a 404 to anyone but its owner (the site's lists: the editors)."""
    return _shown(request, _list(request, slug))


LIST_EXAMPLE = '{"name": "Revenge with a cathartic ending", "intro": "…", "privacy": "public"}'


@router.post("/lists", response={201: ListOut, **WRITE_ERRORS}, summary="Make a reading list")
def list_create(request: HttpRequest) -> Status[dict[str, Any]]:
    """`name` (required), `intro` (Markdown), `privacy` (public, unlisted, private); editors may send
    `kind: "editorial"` with `starter` and `focus` (a subgenre)."""
    user = api_writer(request, sign_in=SIGN_IN)
    body = json_object(request, example=LIST_EXAMPLE)
    kind = body.pop("kind", Kind.READER)
    try:
        created = services.list_create(user=user, kind=str(kind), changes=body)
    except ListRefused as exc:
        raise _refusal(exc) from exc
    return Status(201, _shown(request, created))


@router.patch("/lists/{slug}", response={200: ListOut, **WRITE_ERRORS}, summary="Change a list")
def list_update(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Any of `name`, `intro`, `privacy` (and for the site's lists `starter`, `focus`)."""
    user = api_writer(request, sign_in=SIGN_IN)
    reading_list = _list(request, slug)
    try:
        services.list_update(user=user, reading_list=reading_list, changes=json_object(request, example=LIST_EXAMPLE))
    except ListRefused as exc:
        raise _refusal(exc) from exc
    return _shown(request, reading_list)


@router.delete("/lists/{slug}", response={204: None, **WRITE_ERRORS}, summary="Delete a list")
def list_delete(request: HttpRequest, slug: str) -> Status[None]:
    user = api_writer(request, sign_in=SIGN_IN)
    try:
        services.list_delete(user=user, reading_list=_list(request, slug))
    except ListRefused as exc:
        raise _refusal(exc) from exc
    return Status(204, None)


ITEM_EXAMPLE = '{"title": "a-ferry-song-for-two", "note": "Start here.", "position": 1}'


def _note(body: dict[str, Any]) -> str | None:
    note = body.get("note")
    if note is not None and not isinstance(note, str):
        raise BadQuery("note", "note is text")
    return note


def _position(body: dict[str, Any]) -> int | None:
    position = body.get("position")
    if position is not None and (
        isinstance(position, bool) or not isinstance(position, int) or not 0 < position < 100_000
    ):
        raise BadQuery("position", "position is a whole number from 1")
    return position


@router.post("/lists/{slug}/items", response={201: ListOut, **WRITE_ERRORS}, summary="Add a title to a list")
def item_add(request: HttpRequest, slug: str) -> Status[dict[str, Any]]:
    """`title` (its slug or its name), `note` (at most 500 characters), `position` (1-based; the end by default)."""
    user = api_writer(request, sign_in=SIGN_IN)
    reading_list = _list(request, slug)
    body = json_object(request, example=ITEM_EXAMPLE)
    unknown = sorted(set(body) - {"title", "note", "position"})
    if unknown:
        raise BadQuery(unknown[0][:40], "an item has title, note and position")
    if not isinstance(body.get("title"), str):
        raise BadQuery("title", f"title is a title's slug or name, such as {ITEM_EXAMPLE}")
    try:
        title = title_find(visibility=visibility_from_request(request), text=body["title"])
        services.item_add(
            user=user, reading_list=reading_list, title=title, note=_note(body) or "", position=_position(body)
        )
    except ListRefused as exc:
        raise _refusal(exc) from exc
    return Status(201, _shown(request, reading_list))


def _item(reading_list: ReadingList, title_slug: str) -> ListItem:
    if "\x00" in title_slug:  # PostgreSQL compares no NUL
        raise HttpError(404, "that title is not in the list")
    item = (
        ListItem.objects.filter(reading_list=reading_list, title__slug=title_slug)
        .select_related("reading_list")
        .first()
    )
    if item is None:
        raise HttpError(404, "that title is not in the list")
    return item


@router.patch("/lists/{slug}/items/{title}", response={200: ListOut, **WRITE_ERRORS}, summary="Change an item")
def item_update(request: HttpRequest, slug: str, title: str) -> dict[str, Any]:
    """`note` and/or `position`."""
    user = api_writer(request, sign_in=SIGN_IN)
    reading_list = _list(request, slug)
    body = json_object(request, example='{"note": "…", "position": 2}')
    unknown = sorted(set(body) - {"note", "position"})
    if unknown:
        raise BadQuery(unknown[0][:40], "an item changes its note and position")
    try:
        services.item_update(user=user, item=_item(reading_list, title), note=_note(body), position=_position(body))
    except ListRefused as exc:
        raise _refusal(exc) from exc
    return _shown(request, reading_list)


@router.delete("/lists/{slug}/items/{title}", response={200: ListOut, **WRITE_ERRORS}, summary="Remove an item")
def item_remove(request: HttpRequest, slug: str, title: str) -> dict[str, Any]:
    user = api_writer(request, sign_in=SIGN_IN)
    reading_list = _list(request, slug)
    try:
        services.item_remove(user=user, item=_item(reading_list, title))
    except ListRefused as exc:
        raise _refusal(exc) from exc
    return _shown(request, reading_list)


@router.put("/lists/{slug}/order", response={200: ListOut, **WRITE_ERRORS}, summary="Put a list in order")
def items_order(request: HttpRequest, slug: str) -> dict[str, Any]:
    """`titles`: every title of the list by its slug, once, in the new order."""
    user = api_writer(request, sign_in=SIGN_IN)
    reading_list = _list(request, slug)
    body = json_object(request, example='{"titles": ["first-title", "second-title"]}')
    titles = body.get("titles")
    if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
        raise BadQuery("titles", "titles is a list of the list's title slugs")
    ids = dict(ListItem.objects.filter(reading_list=reading_list).values_list("title__slug", "pk"))
    missing = [t for t in titles if t not in ids]
    try:
        if missing:
            raise ListRefused(400, f"titles: {missing[0][:80]!r} is not in the list")
        services.items_reorder(user=user, reading_list=reading_list, item_ids=[ids[t] for t in titles])
    except ListRefused as exc:
        raise _refusal(exc) from exc
    return _shown(request, reading_list)


def _suggestion_json(row: selectors.EditRow, state: str = "pending") -> dict[str, Any]:
    return {
        "id": row.id, "title": row.slug or None, "name": row.name or None, "by": row.by, "note": row.note,
        "state": state, "hidden_by": list(row.hidden_by),
    }  # fmt: skip


@router.get(
    "/lists/{slug}/suggestions", response={200: list[SuggestionOut], **WRITE_ERRORS}, summary="Suggestions waiting"
)
def suggestions(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """For the list's owner: the readers' suggestions waiting for a decision."""
    user = api_writer(request, sign_in=SIGN_IN)
    reading_list = _list(request, slug)
    if not services.list_editable(user=user, reading_list=reading_list):
        raise HttpError(403, "only the list's owner reads its suggestions")
    rows = selectors.suggestions_pending(reading_list=reading_list, visibility=visibility_from_request(request))
    return [_suggestion_json(row) for row in rows]


@router.post("/lists/{slug}/suggestions", response={201: SuggestionOut, **WRITE_ERRORS}, summary="Suggest a title")
def suggestion_make(request: HttpRequest, slug: str) -> Status[dict[str, Any]]:
    """`title` (slug or name) and `note`: the list's owner approves or declines it."""
    user = api_writer(request, sign_in=SIGN_IN)
    reading_list = _list(request, slug)
    body = json_object(request, example='{"title": "a-ferry-song-for-two", "note": "…"}')
    if not isinstance(body.get("title"), str):
        raise BadQuery("title", "title is a title's slug or name")
    try:
        title = title_find(visibility=visibility_from_request(request), text=body["title"])
        made = services.suggestion_make(user=user, reading_list=reading_list, title=title, note=_note(body) or "")
    except ListRefused as exc:
        raise _refusal(exc) from exc
    row = selectors.EditRow(made.pk, title.slug, title.title, made.note, gated=False, hidden_by=(), by=user.username)
    return Status(201, _suggestion_json(row))


@router.put(
    "/lists/{slug}/suggestions/{suggestion_id}",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="Decide a suggestion",
)
def suggestion_decide(request: HttpRequest, slug: str, suggestion_id: int) -> dict[str, Any]:
    """`decision`: approve (the title joins the list's end with the suggester's note) or decline."""
    user = api_writer(request, sign_in=SIGN_IN)
    reading_list = _list(request, slug)
    suggestion = (
        ListSuggestion.objects.filter(reading_list=reading_list, pk=suggestion_id)
        .select_related("reading_list", "title", "user")
        .first()
    )
    if suggestion is None:
        raise HttpError(404, "no such suggestion")
    decision = json_object(request, example='{"decision": "approve"}').get("decision")
    if decision not in ("approve", "decline"):
        raise BadQuery("decision", "decision is approve or decline")
    try:
        decided = services.suggestion_decide(user=user, suggestion=suggestion, approve=decision == "approve")
    except ListRefused as exc:
        raise _refusal(exc) from exc
    shown = visibility_from_request(request).rating_shown(decided.title.content_rating)
    row = selectors.EditRow(decided.pk, decided.title.slug if shown else "", decided.title.title if shown else "",
                            decided.note, gated=not shown, hidden_by=(), by=decided.user.username)  # fmt: skip
    return _suggestion_json(row, decided.state)
