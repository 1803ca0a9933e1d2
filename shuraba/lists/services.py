"""Reading-list writes: each one transaction. Who may change a list is decided in one place
(`list_editable`): a reader's list by its owner, an editorial list by any editor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.core.errors import Refused
from shuraba.core.markup import text_clean
from shuraba.lists.models import (
    INTRO_MAX,
    ITEMS_MAX,
    NAME_MAX,
    NOTE_MAX,
    Kind,
    ListItem,
    ListSuggestion,
    Privacy,
    ReadingList,
    SuggestionState,
    list_token,
)
from shuraba.reviews.services import rate_check

DAY = timedelta(days=1)
LIST_FIELDS = ("name", "intro", "privacy", "starter", "focus")


ListRefused = Refused  # the site's one refusal (core.errors), so the shared rate limit is caught as this


def list_editable(*, user: User | None, reading_list: ReadingList) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if reading_list.kind == Kind.EDITORIAL:
        return bool(user.is_staff)
    return reading_list.owner_id == user.pk


def _edit_check(user: User, reading_list: ReadingList) -> None:
    if not list_editable(user=user, reading_list=reading_list):
        raise ListRefused(403, "only the list's owner (an editor, for the site's lists) may change it")


def _text(value: object, *, field: str, limit: int, required: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        raise ListRefused(400, f"{field}: text, not {type(value).__name__}")
    if value and "\x00" in value:  # PostgreSQL keeps no NUL in text, and no list needs one
        raise ListRefused(400, f"{field}: holds a NUL character (\\x00); remove it")
    text = text_clean(value or "").strip()
    if required and not text:
        raise ListRefused(400, f"{field}: write something")
    if len(text) > limit:
        raise ListRefused(400, f"{field}: at most {limit} characters (this has {len(text)})")
    return text


def _fields_read(changes: dict[str, Any], *, kind: str, focus_keys: Sequence[str]) -> dict[str, Any]:
    unknown = set(changes) - set(LIST_FIELDS)
    if unknown:
        raise ListRefused(400, f"unknown field {sorted(unknown)[0]!r}; a list has {', '.join(LIST_FIELDS)}")
    read: dict[str, Any] = {}
    if "name" in changes:
        read["name"] = _text(changes["name"], field="name", limit=NAME_MAX, required=True)
    if "intro" in changes:
        read["intro"] = _text(changes["intro"], field="intro", limit=INTRO_MAX)
    if "privacy" in changes:
        if changes["privacy"] not in Privacy.values:
            raise ListRefused(400, f"privacy: one of {', '.join(Privacy.values)}")
        read["privacy"] = changes["privacy"]
    for key in ("starter", "focus"):
        if key in changes and kind != Kind.EDITORIAL and changes[key]:
            raise ListRefused(400, f"{key}: only the site's editorial lists have one")
    if "starter" in changes:
        if not isinstance(changes["starter"], bool):
            raise ListRefused(400, "starter: true or false")
        read["starter"] = changes["starter"]
    if "focus" in changes:
        focus = str(changes["focus"] or "")
        if focus and focus not in focus_keys:
            raise ListRefused(400, f"focus: a subgenre ({', '.join(focus_keys)}) or nothing")
        read["focus"] = focus
    return read


def _subgenres() -> tuple[str, ...]:
    from shuraba.taxonomy.models import AxisValue  # noqa: PLC0415 (kept beside its only use)

    return tuple(AxisValue.objects.filter(axis__key="subgenre").order_by("order").values_list("key", flat=True))


def _slug_for(name: str) -> str:
    return f"{slugify(name)[:100] or 'list'}-{list_token()}"


@transaction.atomic
def list_create(*, user: User, kind: str = Kind.READER, changes: dict[str, Any]) -> ReadingList:
    if kind not in Kind.values:
        raise ListRefused(400, f"kind: one of {', '.join(Kind.values)}")
    if kind == Kind.EDITORIAL and not user.is_staff:
        raise ListRefused(403, "only editors write the site's editorial lists")
    if "name" not in changes:
        raise ListRefused(400, "name: a list needs one")
    _creates_check(user)
    fields = _fields_read(changes, kind=kind, focus_keys=_subgenres())
    owner = None if kind == Kind.EDITORIAL else user
    return ReadingList.objects.create(slug=_slug_for(fields["name"]), kind=kind, owner=owner, created_by=user, **fields)


def _creates_check(user: User) -> None:
    recent = ReadingList.objects.filter(created_by=user, created_at__gte=timezone.now() - DAY)
    if recent.count() >= settings.LISTS_PER_DAY:
        raise ListRefused(429, f"you have made {settings.LISTS_PER_DAY} lists today; try again tomorrow")


@transaction.atomic
def list_update(*, user: User, reading_list: ReadingList, changes: dict[str, Any]) -> ReadingList:
    _edit_check(user, reading_list)
    fields = _fields_read(changes, kind=reading_list.kind, focus_keys=_subgenres())
    for key, value in fields.items():
        setattr(reading_list, key, value)
    reading_list.updated_at = timezone.now()
    reading_list.save()
    return reading_list


@transaction.atomic
def list_delete(*, user: User, reading_list: ReadingList) -> None:
    _edit_check(user, reading_list)
    reading_list.delete()


# --- items ---------------------------------------------------------------------------------------


def _touch(reading_list: ReadingList) -> None:
    ReadingList.objects.filter(pk=reading_list.pk).update(updated_at=timezone.now())


def _item_add(reading_list: ReadingList, title: Title, note: str, position: int | None) -> ListItem:
    items = ListItem.objects.filter(reading_list=reading_list)
    if items.filter(title=title).exists():
        raise ListRefused(409, f"“{title.title}” is in the list already")
    count = items.count()
    if count >= ITEMS_MAX:
        raise ListRefused(400, f"a list holds at most {ITEMS_MAX} titles")
    last = items.aggregate(last=Max("position"))["last"] or 0
    item = ListItem.objects.create(reading_list=reading_list, title=title, note=note, position=last + 1)
    if position is not None:
        _move(reading_list, item, position)
    _touch(reading_list)
    return item


@transaction.atomic
def item_add(
    *, user: User, reading_list: ReadingList, title: Title, note: str = "", position: int | None = None
) -> ListItem:
    _edit_check(user, reading_list)
    return _item_add(reading_list, title, _text(note, field="note", limit=NOTE_MAX), position)


@transaction.atomic
def item_update(*, user: User, item: ListItem, note: str | None = None, position: int | None = None) -> ListItem:
    _edit_check(user, item.reading_list)
    if note is not None:
        item.note = _text(note, field="note", limit=NOTE_MAX)
        item.save(update_fields=["note"])
    if position is not None:
        _move(item.reading_list, item, position)
    _touch(item.reading_list)
    return item


def _move(reading_list: ReadingList, item: ListItem, position: int) -> None:
    """Put the item at 1-based `position` (clamped to the list), the others keeping their order."""
    order = [
        pk for pk in ListItem.objects.filter(reading_list=reading_list).values_list("pk", flat=True) if pk != item.pk
    ]
    order.insert(min(max(position, 1), len(order) + 1) - 1, item.pk)
    _positions_write(order)


def _positions_write(order: Sequence[int]) -> None:
    items = list(ListItem.objects.filter(pk__in=order))
    place = {pk: i + 1 for i, pk in enumerate(order)}
    for item in items:
        item.position = place[item.pk]
    ListItem.objects.bulk_update(items, ["position"], batch_size=500)


@transaction.atomic
def items_reorder(*, user: User, reading_list: ReadingList, item_ids: Sequence[int]) -> None:
    """The whole order at once (a drag and drop): every item of the list once, nothing else."""
    _edit_check(user, reading_list)
    held = set(ListItem.objects.filter(reading_list=reading_list).values_list("pk", flat=True))
    if len(set(item_ids)) != len(item_ids):
        raise ListRefused(400, "order: an item appears twice")
    if set(item_ids) != held:
        raise ListRefused(400, f"order: name each of the list's {len(held)} items once, and nothing else")
    _positions_write(list(item_ids))
    _touch(reading_list)


@transaction.atomic
def item_remove(*, user: User, item: ListItem) -> None:
    _edit_check(user, item.reading_list)
    item.delete()
    _touch(item.reading_list)


# --- suggestions ---------------------------------------------------------------------------------


@transaction.atomic
def suggestion_make(*, user: User, reading_list: ReadingList, title: Title, note: str = "") -> ListSuggestion:
    """A reader suggests a title for someone else's list (one they can read: public or unlisted)."""
    if list_editable(user=user, reading_list=reading_list):
        raise ListRefused(400, "this is a list you can change: add the title instead of suggesting it")
    if reading_list.privacy == Privacy.PRIVATE:
        raise ListRefused(404, "no such list")
    if ListItem.objects.filter(reading_list=reading_list, title=title).exists():
        raise ListRefused(409, f"“{title.title}” is in the list already")
    if ListSuggestion.objects.filter(reading_list=reading_list, title=title, user=user).exists():
        raise ListRefused(409, f"you suggested “{title.title}” for this list already")
    rows = ListSuggestion.objects.filter(user=user)
    rate_check(rows, limit=settings.LIST_SUGGESTIONS_PER_DAY, what="suggestions", window=DAY, per="day")
    note = _text(note, field="note", limit=NOTE_MAX)
    return ListSuggestion.objects.create(reading_list=reading_list, title=title, user=user, note=note)


@transaction.atomic
def suggestion_decide(*, user: User, suggestion: ListSuggestion, approve: bool) -> ListSuggestion:
    """The owner approves (the title joins the list at its end with the suggester's note) or declines."""
    _edit_check(user, suggestion.reading_list)
    if suggestion.state != SuggestionState.PENDING:
        raise ListRefused(409, f"this suggestion was {suggestion.state} already")
    listed = ListItem.objects.filter(reading_list=suggestion.reading_list, title=suggestion.title).exists()
    if approve and not listed:
        _item_add(suggestion.reading_list, suggestion.title, suggestion.note, None)
    suggestion.state = SuggestionState.APPROVED if approve else SuggestionState.DECLINED
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["state", "decided_at"])
    return suggestion
