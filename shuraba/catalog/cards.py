"""The one card of a title: what a result, a list item or a tag page shows of it, the same for every viewer.

`TitleCard` is the definition; the search index keeps cards as tuples in `CARD_FIELDS` order (no
description: long prose stays in the database) and builds them with the same pickers, so the API, the
pages and the index cannot disagree. The card-tag rule itself is the policy's (`card_tag_shown`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from django.urls import reverse

from shuraba.accounts.policies import card_tag_shown

CARD_TAGS = 6  # tags a card shows, most relevant first


@dataclass(frozen=True)
class TitleCard:
    id: int
    slug: str
    title: str
    format: str
    status: str
    country: str
    year: int | None
    content_rating: str
    score: int | None
    popularity: int
    is_fictional: bool
    description: str
    centrality: str | None
    subgenres: tuple[str, ...]
    tags: tuple[str, ...]


# The card as the search index keeps it: every field but the id (the slot's) and the description.
CARD_FIELDS = tuple(f.name for f in fields(TitleCard) if f.name not in ("id", "description"))


def card_tags_pick(tags: Iterable[tuple[int, str, str, str, bool]]) -> tuple[str, ...]:
    """The slugs a card shows, from (relevance, name, slug, spoiler level, is a warning) per assignment."""
    shown = [
        (-relevance, name, slug)
        for relevance, name, slug, level, warning in tags
        if card_tag_shown(level=level, warning=warning)
    ]
    return tuple(slug for _, _, slug in sorted(shown)[:CARD_TAGS])


def card_subgenres_pick(values: Iterable[tuple[float, int, str]]) -> tuple[str, ...]:
    """Subgenre keys from (weight, the value's order in the vocabulary, key): strongest first."""
    return tuple(key for _, _, key in sorted(values, key=lambda v: (-v[0], v[1])))


def card_item(card: TitleCard | tuple[int, tuple[Any, ...]], *, description: bool = False) -> dict[str, Any]:
    """A card as the API sends it: its fields (a TitleCard, or an id and the index's tuple), plus its URL.
    Never the database id: ids are sequential, so their gaps would count the titles this viewer may not see;
    the slug is the public identifier."""
    if isinstance(card, TitleCard):
        item = {f.name: getattr(card, f.name) for f in fields(TitleCard) if f.name != "id"}
        if not description:
            item.pop("description")
    else:
        item = dict(zip(CARD_FIELDS, card[1], strict=True))
    item["subgenres"], item["tags"] = list(item["subgenres"]), list(item["tags"])
    item["url"] = reverse("title-detail", kwargs={"slug": item["slug"]})
    return item
