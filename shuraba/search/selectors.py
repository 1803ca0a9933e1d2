"""Search as the rest of the site sees it: a visibility, a query, a page of cards with facets."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from shuraba.accounts import policies
from shuraba.accounts.policies import Hidden, Visibility
from shuraba.catalog.cards import CARD_FIELDS, TitleCard
from shuraba.catalog.models import Title
from shuraba.search.engine import EngineResult, engine_search
from shuraba.search.live import search_index
from shuraba.search.params import Params, query_from_params
from shuraba.search.query import SPOILER_DIMENSIONS, SearchQuery
from shuraba.search.storage import SearchIndex
from shuraba.search.suggest import suggest_slots
from shuraba.search.syntax import Reading, query_read, query_text
from shuraba.search.vocab import Name, vocabulary_at

SUGGESTED = 6  # titles and terms the autocomplete offers by default
_SUGGEST_FIELDS = tuple(CARD_FIELDS.index(name) for name in ("slug", "title", "year", "format"))


@dataclass(frozen=True)
class Suggestions:
    titles: tuple[tuple[str, str, int | None, str], ...]  # slug, title, year, format: best match first
    terms: tuple[Name, ...]


@dataclass(frozen=True)
class SearchPage:
    query: SearchQuery
    text: str
    items: tuple[TitleCard, ...]
    total: int
    facets: dict[str, dict[str, int]]
    hidden: tuple[Hidden, ...]
    removes: dict[str, dict[str, int]] = field(default_factory=dict)  # what excluding a value takes away
    facets_json: str = "{}"
    removes_json: str = "{}"
    items_json: str = "[]"  # the page as the search API sends it (catalog.cards.card_item: no descriptions)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))

    @property
    def settings_notes(self) -> tuple[Hidden, ...]:
        """What the age gate and the spoiler setting left out (the rules' note is said on its own)."""
        return tuple(h for h in self.hidden if h.reason != "rules")

    @property
    def rules_hid_all(self) -> int:
        """When nothing is left but the avoid rules hid matches: how many (else 0)."""
        if self.total:
            return 0
        return sum(h.count or 0 for h in self.hidden if h.reason == "rules")


def _cards(result: EngineResult) -> tuple[TitleCard, ...]:
    """Cards straight from the index; descriptions (long prose the index does not keep) in one query."""
    texts = dict(Title.objects.filter(pk__in=result.pks).values_list("pk", "description"))
    return tuple(
        TitleCard(id=pk, description=texts.get(pk, ""), **dict(zip(CARD_FIELDS, card or (), strict=True)))
        for pk, card in zip(result.pks, result.cards, strict=True)
    )


def title_search(*, visibility: Visibility, query: SearchQuery, facets: bool = True, cards: bool = True) -> SearchPage:
    """`cards=False`: no TitleCard items, only `items_json` (the search API's hot path)."""
    return _search(search_index(), visibility, query, facets=facets, cards=cards)


def title_search_params(
    *, visibility: Visibility, params: Params, facets: bool = True, cards: bool = True
) -> SearchPage:
    """A search from URL parameters (raises BadQuery), parsed with the vocabulary of the index that answers
    it: one database read per search."""
    index = search_index()
    query = query_from_params(params, vocabulary_at(index.vocabulary_version))
    return _search(index, visibility, query, facets=facets, cards=cards)


def _search(index: SearchIndex, visibility: Visibility, query: SearchQuery, *, facets: bool, cards: bool) -> SearchPage:
    result = engine_search(index, query, visibility, facets=facets, as_json=not cards)
    return SearchPage(
        query=query,
        text=_text(query),
        items=_cards(result) if cards else (),
        total=result.total,
        facets=result.facets,
        removes=result.removes,
        hidden=_notes(visibility, result),
        facets_json=result.facets_json,
        removes_json=result.removes_json,
        items_json=result.items_json,
    )


def _notes(visibility: Visibility, result: EngineResult) -> tuple[Hidden, ...]:
    notes = policies.hidden_notes(visibility, spoiler_dimensions=SPOILER_DIMENSIONS)
    if result.rules_hidden is None:
        return notes
    total, counts = result.rules_hidden
    named = tuple(
        policies.RuleCount(rule.name, count, unclassified)
        for rule, (_, count, unclassified) in zip(visibility.rules, counts, strict=True)
    )
    return (*notes, policies.rules_note(total, named))


@lru_cache(maxsize=2048)
def _text(query: SearchQuery) -> str:
    return query_text(query)


def title_suggest(*, visibility: Visibility, text: str, limit: int = SUGGESTED) -> Suggestions:
    """What the search box offers as one types: the titles the engine finds for the text through the viewer's
    visibility (age gate and avoid rules, as every search), and the tags and values whose names start with it."""
    index = search_index()
    slots = suggest_slots(index, text, visibility, limit=limit)  # one word: its prefix range, as the engine ranks
    if slots is not None:
        cards = [index.cards.cards[slot] for slot in slots]
    else:
        cards = engine_search(
            index, SearchQuery.build(q=" ".join(text.split()), per_page=limit), visibility, facets=False
        ).cards
    titles = tuple(tuple(card[i] for i in _SUGGEST_FIELDS) for card in cards if card is not None)
    terms = vocabulary_at(index.vocabulary_version).names_starting(text, limit=limit)
    return Suggestions(titles=titles, terms=tuple(terms))


def query_readings(text: str) -> tuple[Reading, ...]:
    """How the bare words of the `query` text read (raises QuerySyntaxError as the search does), with the
    vocabulary of the index that answers the search."""
    vocab = vocabulary_at(search_index().vocabulary_version)
    key = ("readings", text)
    readings = vocab.parsed.get(key)
    if not isinstance(readings, tuple):
        readings = query_read(text, vocab)[1]
        vocab.remember(key, readings)
    return readings
