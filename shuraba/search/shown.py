"""Which of some titles a viewer sees, and their cards: the age gate, then the avoid rules (the index's rule
bitmaps; a title the index has not read yet is judged by the policy's own check). For pages that show a
given set of titles (a reading list, a title's pairs) rather than a search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shuraba.accounts import policies
from shuraba.accounts.policies import Visibility
from shuraba.catalog.cards import CARD_FIELDS, TitleCard
from shuraba.catalog.models import Title
from shuraba.search.lookup import titles_cards, titles_rules_hide


@dataclass(frozen=True)
class TitlesSplit:
    shown: list[int]  # title ids, in the list's order
    rules: dict[int, tuple[str, ...]]  # hidden title -> the rules that hide it
    gated: int
    cards: dict[int, tuple[Any, ...]]  # the index's cards of the titles past the gate that it has read


def titles_split(visibility: Visibility, title_ids: Sequence[int], ratings: dict[int, str]) -> TitlesSplit:
    """Which titles the viewer sees: the age gate, then the rules (the search index's bitmaps; a title the
    index has not read yet is judged by the policy's own check)."""
    past_gate = [pk for pk in title_ids if visibility.rating_shown(ratings[pk])]
    hiding = titles_rules_hide(visibility=visibility, title_ids=past_gate) if visibility.rules else {}
    cards = titles_cards(title_ids=past_gate)
    for pk in past_gate:
        if pk not in cards and pk not in hiding:
            hidden = policies.title_hidden(visibility, title_id=pk, content_rating=ratings[pk])
            if hidden is not None:
                hiding[pk] = tuple(r.name for r in hidden.rules)
    shown = [pk for pk in past_gate if pk not in hiding]
    return TitlesSplit(shown, hiding, len(title_ids) - len(past_gate), cards)


def cards_of(title_ids: Sequence[int], held: dict[int, tuple[Any, ...]]) -> dict[int, TitleCard]:
    """Cards of the given titles from the index's (`held`, read by `titles_split`); one it has not read from its row."""
    cards = {
        pk: TitleCard(id=pk, description="", **dict(zip(CARD_FIELDS, held[pk], strict=True)))
        for pk in title_ids
        if pk in held
    }
    missing = [pk for pk in title_ids if pk not in cards]
    for title in Title.objects.filter(pk__in=missing):
        cards[title.pk] = TitleCard(
            id=title.pk, slug=title.slug, title=title.title, format=title.format, status=title.status,
            country=title.country, year=title.start_year, content_rating=title.content_rating, score=title.score,
            popularity=title.popularity, is_fictional=title.is_fictional, description="", centrality=None,
            subgenres=(), tags=(),
        )  # fmt: skip
    return cards
