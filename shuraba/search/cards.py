"""Result cards kept by the index: one tuple per slot in catalog.cards.CARD_FIELDS order, built with the
catalog's own pickers, and each card's JSON (the search API's item) serialized once until its title changes."""

from __future__ import annotations

import json
import sys
from typing import Any

from shuraba.catalog.cards import card_item, card_subgenres_pick
from shuraba.search.loader import TitleRow

MAX_CARD_TEXTS = 50_000  # serialized cards kept (about 20 MB); a changed title drops its own


def card_of(row: TitleRow, year: int | None) -> tuple[Any, ...]:
    """A title's card in CARD_FIELDS order (catalog.cards.TitleCard minus id and description). `row.card_tags`
    holds the tags the card-tag rule lets through, already in card order (loader.py, build.py)."""
    centrality = next((key for axis, key in row.values if axis == "centrality"), None)
    return (
        sys.intern(row.slug),
        row.title,
        row.format,
        row.status,
        row.country,
        year,
        row.content_rating,
        row.score,
        row.popularity,
        row.is_fictional,
        centrality,
        card_subgenres_pick(row.subgenres),
        tuple(row.card_tags),
    )


class CardStore:
    """The cards of every slot, and their JSON texts."""

    def __init__(self) -> None:
        self.cards: list[tuple[Any, ...] | None] = []
        self._texts: dict[int, str] = {}

    def __getitem__(self, slot: int) -> tuple[Any, ...] | None:
        return self.cards[slot]

    def grow(self) -> None:
        self.cards.append(None)

    def put(self, slot: int, card: tuple[Any, ...] | None) -> None:
        self.cards[slot] = card
        self._texts.pop(slot, None)

    def json(self, slot: int, pk: int) -> str:
        """A live slot's card as one JSON object (catalog.cards.card_item), serialized once."""
        text = self._texts.get(slot)
        if text is None:
            card = self.cards[slot]
            if card is None:
                raise KeyError(f"slot {slot} holds no title")
            text = json.dumps(card_item((pk, card)), ensure_ascii=False)
            if len(self._texts) >= MAX_CARD_TEXTS:
                self._texts.clear()
            self._texts[slot] = text
        return text
