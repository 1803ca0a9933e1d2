"""Reading-list reads. A list's items pass the one visibility policy: titles behind the viewer's age gate are
not shown and not counted; titles their avoid rules hide are not shown, and the page says how many of the
list's titles that left out ("2 of 12 hidden by your rules") and by which rule, never which titles. Notes of
hidden items are not sent either. Private lists are their owner's (the site's: the editors'); anyone else
is answered as if they did not exist."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.html import strip_tags
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from shuraba.accounts import policies
from shuraba.accounts.models import User
from shuraba.accounts.policies import AGE_GATE_NOTE, NOTHING_REVEALED, Hidden, Visibility
from shuraba.catalog.cards import TitleCard
from shuraba.catalog.models import TitleAxisValue
from shuraba.core.markup import markdown_render
from shuraba.core.versioned import VersionedCache
from shuraba.library.charts import Bar, bars_svg
from shuraba.lists.models import Kind, ListItem, ListSuggestion, Privacy, ReadingList, SuggestionState
from shuraba.lists.services import list_editable
from shuraba.search.lookup import titles_rules_hide
from shuraba.search.shown import TitlesSplit, cards_of, titles_split
from shuraba.taxonomy.models import Axis, AxisValue

PAGE_SIZE = 20
PROFILE_AXES = ("subgenre", "ending", "intensity")  # the list's profile chart, spoiler axes only when shown


class ListNotFound(LookupError):
    """No such list, or a private one the viewer may not read: both a 404."""


@dataclass(frozen=True)
class ItemShown:
    id: int
    position: int  # as the owner ordered the list (gaps where hidden titles are)
    card: TitleCard
    note: str


@dataclass(frozen=True)
class ListSummary:
    slug: str
    name: str
    kind: str
    privacy: str
    starter: bool
    focus: str
    focus_label: str
    owner: str  # the reader's name, or "" for the site's lists
    created_at: datetime
    updated_at: datetime
    intro_text: str  # the introduction's first words, as plain text (feeds, cards)
    total: int  # titles the viewer's age gate shows
    hidden: int  # of those, titles their avoid rules hide


@dataclass(frozen=True)
class ListShown:
    summary: ListSummary
    intro_html: SafeString
    items: tuple[ItemShown, ...]
    notes: tuple[Hidden, ...]  # what the list left out: the rules (how many, which rule), the age gate
    profile: tuple[tuple[str, SafeString], ...]  # (axis label, SVG chart) over the shown titles
    ending_shown: bool  # whether the profile may chart endings (the viewer's spoiler setting)
    editable: bool


# --- which list, for whom ------------------------------------------------------------------------


SLUG = re.compile(r"[-a-z0-9_]{1,150}")


def list_get(*, slug: str, user: User | None) -> ReadingList:
    if not SLUG.fullmatch(slug):  # not a list's address (and no NUL for PostgreSQL to refuse)
        raise ListNotFound(slug[:80])
    reading_list = ReadingList.objects.select_related("owner").filter(slug=slug).first()
    if reading_list is None:
        raise ListNotFound(slug)
    if reading_list.privacy == Privacy.PRIVATE and not list_editable(user=user, reading_list=reading_list):
        raise ListNotFound(slug)
    return reading_list


# --- the items a viewer is shown -----------------------------------------------------------------


def _rules_note(split: TitlesSplit, total: int) -> Hidden:
    per_rule = Counter(name for names in split.rules.values() for name in names)
    hidden = len(split.rules)
    why = f"{hidden} of {total} {'title' if total == 1 else 'titles'} hidden by your avoid rules."
    counts = tuple(policies.RuleCount(name, n, 0) for name, n in per_rule.items())
    return Hidden("rules", why, hidden, counts)


def _focus_labels() -> dict[str, str]:
    return dict(AxisValue.objects.filter(axis__key="subgenre").values_list("key", "label"))


def _summary(reading_list: ReadingList, split: TitlesSplit, labels: dict[str, str]) -> ListSummary:
    return ListSummary(
        slug=reading_list.slug,
        name=reading_list.name,
        kind=reading_list.kind,
        privacy=reading_list.privacy,
        starter=reading_list.starter,
        focus=reading_list.focus,
        focus_label=labels.get(reading_list.focus, ""),
        owner=reading_list.owner.username if reading_list.owner else "",
        created_at=reading_list.created_at,
        updated_at=reading_list.updated_at,
        intro_text=Truncator(strip_tags(markdown_render(reading_list.intro))).words(40),
        total=len(split.shown) + len(split.rules),
        hidden=len(split.rules),
    )


def list_detail(*, reading_list: ReadingList, visibility: Visibility, user: User | None) -> ListShown:
    columns = ("pk", "title_id", "position", "note", "title__content_rating")
    rows = list(ListItem.objects.filter(reading_list=reading_list).values_list(*columns))
    ratings = {r[1]: r[4] for r in rows}
    split = titles_split(visibility, [r[1] for r in rows], ratings)
    cards, shown = cards_of(split.shown, split.cards), set(split.shown)
    items = tuple(
        ItemShown(pk, position, cards[title], note) for pk, title, position, note, _ in rows if title in shown
    )
    summary = _summary(reading_list, split, _focus_labels())
    notes = (
        *([_rules_note(split, summary.total)] if visibility.rules else []),
        *([AGE_GATE_NOTE] if visibility.age_gated else []),
    )
    return ListShown(
        summary=summary,
        intro_html=markdown_render(reading_list.intro),
        items=items,
        notes=notes,
        profile=list_profile(visibility=visibility, title_ids=split.shown, chart_id=f"list-{reading_list.pk}"),
        ending_shown=policies.axis_shown(visibility, NOTHING_REVEALED, axis_key="ending", spoiler=True),
        editable=list_editable(user=user, reading_list=reading_list),
    )


_AXES: VersionedCache[tuple[Axis, ...]] = VersionedCache(size=1)  # the charted axes, until the catalog changes


def _profile_axes() -> tuple[Axis, ...]:
    return tuple(Axis.objects.filter(key__in=PROFILE_AXES).prefetch_related("values").order_by("order"))


def list_profile(
    *, visibility: Visibility, title_ids: Sequence[int], chart_id: str
) -> tuple[tuple[str, SafeString], ...]:
    """The mix of the shown titles' primary subgenre, ending and intensity, one bar chart each; an axis the
    viewer's spoiler setting hides (the ending, by default) is left out, since its mix would tell it."""
    axes = [
        axis
        for axis in _AXES.get("profile", _profile_axes)
        if policies.axis_shown(visibility, NOTHING_REVEALED, axis_key=axis.key, spoiler=axis.spoiler)
    ]
    if not title_ids or not axes:
        return ()
    strongest: dict[tuple[str, int], tuple[float, str]] = {}
    keys = {axis.pk: axis.key for axis in axes}
    values = {value.pk: value.key for axis in axes for value in axis.values.all()}
    rows = TitleAxisValue.objects.filter(title_id__in=title_ids, axis_id__in=list(keys)).order_by()
    for axis_id, title_id, value_id, weight in rows.values_list("axis_id", "title_id", "value_id", "weight"):
        held = strongest.get((keys[axis_id], title_id))
        if held is None or weight > held[0]:
            strongest[(keys[axis_id], title_id)] = (weight, values[value_id])
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for (axis_key, _), (_, value) in strongest.items():
        counts[axis_key][value] += 1
    charts = []
    for axis in axes:
        bars = [Bar(v.label, counts[axis.key][v.key]) for v in axis.values.all() if counts[axis.key][v.key]]
        if bars:
            title = f"{axis.label} of the {len(title_ids)} titles shown"
            svg = bars_svg(chart_id=f"{chart_id}-{axis.key}", title=title, bars=bars, unit=("title", "titles"))
            charts.append((axis.label, svg))
    return tuple(charts)


# --- the owner's editing page ---------------------------------------------------------------------


@dataclass(frozen=True)
class EditRow:
    """One item or suggestion as its list's owner edits it: their own titles, with the rules that hide each
    elsewhere; a title behind their age gate keeps its place but not its name."""

    id: int
    slug: str
    name: str
    note: str
    gated: bool
    hidden_by: tuple[str, ...]
    by: str = ""  # a suggestion's reader


def _edit_rows(visibility: Visibility, rows: Sequence[tuple[Any, ...]]) -> tuple[EditRow, ...]:
    past_gate = [r[1] for r in rows if visibility.rating_shown(r[4])]
    hiding = titles_rules_hide(visibility=visibility, title_ids=past_gate) if visibility.rules else {}
    shown = set(past_gate)
    return tuple(
        EditRow(pk, slug if title in shown else "", name if title in shown else "", note if title in shown else "",
                title not in shown, hiding.get(title, ()), by)
        for pk, title, slug, name, _rating, note, by in rows
    )  # fmt: skip


def list_edit_rows(*, reading_list: ReadingList, visibility: Visibility) -> tuple[EditRow, ...]:
    items = ListItem.objects.filter(reading_list=reading_list).order_by("position", "pk")
    columns = ("pk", "title_id", "title__slug", "title__title", "title__content_rating", "note")
    return _edit_rows(visibility, [(*row, "") for row in items.values_list(*columns)])


def suggestions_pending(*, reading_list: ReadingList, visibility: Visibility) -> tuple[EditRow, ...]:
    pending = ListSuggestion.objects.filter(reading_list=reading_list, state=SuggestionState.PENDING)
    columns = ("pk", "title_id", "title__slug", "title__title", "title__content_rating", "note", "user__username")
    return _edit_rows(visibility, list(pending.values_list(*columns)))


# --- listings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListsPage:
    lists: tuple[ListSummary, ...]
    total: int
    page: int
    pages: int


def _summaries(lists: Sequence[ReadingList], visibility: Visibility) -> tuple[ListSummary, ...]:
    items = ListItem.objects.filter(reading_list__in=lists).values_list(
        "reading_list_id", "title_id", "title__content_rating"
    )
    by_list: defaultdict[int, list[int]] = defaultdict(list)
    ratings: dict[int, str] = {}
    for list_id, title_id, rating in items:
        by_list[list_id].append(title_id)
        ratings[title_id] = rating
    labels = _focus_labels()
    return tuple(_summary(rl, titles_split(visibility, by_list[rl.pk], ratings), labels) for rl in lists)


def lists_index(
    *, visibility: Visibility, text: str = "", kind: str = "", starter: bool = False, page: int = 1
) -> ListsPage:
    """Public lists, the site's starter lists first, then the most recently changed; `text` searches names and
    introductions."""
    lists = ReadingList.objects.filter(privacy=Privacy.PUBLIC).select_related("owner")
    text = text.replace("\x00", "")  # PostgreSQL compares no NUL
    if text:
        lists = lists.filter(Q(name__icontains=text) | Q(intro__icontains=text))
    if kind:
        lists = lists.filter(kind=kind)
    if starter:
        lists = lists.filter(starter=True)
    total = lists.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = list(lists.order_by("-starter", "kind", "-updated_at", "-pk")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return ListsPage(_summaries(rows, visibility), total, page, pages)


def lists_recent(*, visibility: Visibility, limit: int) -> tuple[ListSummary, ...]:
    """The newest public lists (the lists feed)."""
    rows = ReadingList.objects.filter(privacy=Privacy.PUBLIC).select_related("owner")
    return _summaries(list(rows.order_by("-created_at", "-pk")[:limit]), visibility)


def starter_lists(*, visibility: Visibility, limit: int = 6) -> tuple[ListSummary, ...]:
    rows = ReadingList.objects.filter(privacy=Privacy.PUBLIC, kind=Kind.EDITORIAL, starter=True).select_related("owner")
    return _summaries(list(rows.order_by("-updated_at", "-pk")[:limit]), visibility)


# The title page's two list reads in plain SQL: the ORM took 4 ms to write them for every title page.
_LIST, _ITEM = ReadingList._meta.db_table, ListItem._meta.db_table
TITLE_LISTS_SQL = f"""
SELECT l.slug, l.name FROM {_LIST} l
WHERE l.privacy = %s AND EXISTS (SELECT 1 FROM {_ITEM} i WHERE i.reading_list_id = l.id AND i.title_id = %s)
ORDER BY l.kind, l.updated_at DESC, l.id DESC
"""  # noqa: S608 (table names from the models, values as parameters)
LISTS_TO_ADD_TO_SQL = f"""
SELECT l.slug, l.name FROM {_LIST} l
WHERE (l.owner_id = %s OR (%s AND l.kind = %s))
  AND NOT EXISTS (SELECT 1 FROM {_ITEM} i WHERE i.reading_list_id = l.id AND i.title_id = %s)
ORDER BY l.updated_at DESC, l.id DESC
"""  # noqa: S608 (table names from the models, values as parameters)


@dataclass(frozen=True)
class ListLink:
    slug: str
    name: str


def _links(sql: str, params: list[int | str | bool]) -> list[ListLink]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [ListLink(slug, name) for slug, name in cursor.fetchall()]


def title_lists(*, title_id: int, limit: int = 5) -> tuple[int, tuple[tuple[str, str], ...]]:
    """The public lists a title is in (the caller has shown the title): how many, and the first few (slug,
    name), the site's lists first."""
    found = _links(TITLE_LISTS_SQL, [Privacy.PUBLIC.value, title_id])
    return len(found), tuple((link.slug, link.name) for link in found[:limit])


def lists_to_add_to(*, user: User, title_id: int) -> tuple[ListLink, ...]:
    """The lists this reader may change that do not hold the title yet (the title page's "add it to"), as
    `_lists_of` chooses them."""
    return tuple(_links(LISTS_TO_ADD_TO_SQL, [user.pk, bool(user.is_staff), Kind.EDITORIAL.value, title_id]))


def lists_of(*, user: User) -> tuple[ReadingList, ...]:
    """A reader's own lists (every privacy), and the editorial lists for an editor, for their pages."""
    return tuple(_lists_of(user))


def _lists_of(user: User) -> QuerySet[ReadingList]:
    mine = Q(owner=user) | (Q(kind=Kind.EDITORIAL) if user.is_staff else Q(pk__in=[]))
    return ReadingList.objects.filter(mine).order_by("-updated_at", "-pk")


def list_export(*, user: User, visibility: Visibility) -> list[dict[str, Any]]:
    """A reader's lists for their data export: every privacy, every item as they wrote it; titles behind their
    age gate counted, not named (as their reviews' export does)."""
    lists = []
    for rl in ReadingList.objects.filter(owner=user).order_by("created_at", "pk"):
        items = list(rl.items.select_related("title").order_by("position", "pk"))
        shown = [i for i in items if visibility.rating_shown(i.title.content_rating)]
        lists.append(
            {
                "name": rl.name,
                "slug": rl.slug,
                "privacy": rl.privacy,
                "intro": rl.intro,
                "items": [{"title": i.title.slug, "position": i.position, "note": i.note} for i in shown],
                "left_out": {"age_gate": len(items) - len(shown)},
            }
        )
    return lists
