"""Search as the rest of the site sees it: a viewer, a query, a page of cards with facets."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from shuraba.accounts import policies
from shuraba.accounts.policies import Viewer
from shuraba.catalog.models import Title
from shuraba.catalog.selectors import TitleCard
from shuraba.search.engine import EngineResult, engine_search
from shuraba.search.index import CARD_FIELDS, SearchIndex, search_index
from shuraba.search.params import Params, query_from_params
from shuraba.search.query import SPOILER_DIMENSIONS, SearchQuery
from shuraba.search.syntax import query_text
from shuraba.search.vocab import vocabulary_at


@dataclass(frozen=True)
class Hidden:
    """Why some titles are not in a result. `count` is None where saying how many would itself leak."""

    reason: str
    why: str
    count: int | None = None


@dataclass(frozen=True)
class SearchPage:
    query: SearchQuery
    text: str
    items: tuple[TitleCard, ...]
    total: int
    facets: dict[str, dict[str, int]]
    hidden: tuple[Hidden, ...]
    facets_json: str = "{}"
    items_json: str = "[]"  # the page as the search API sends it (index.card_item: no descriptions)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def _hidden(viewer: Viewer) -> tuple[Hidden, ...]:
    return _hidden_notes(bool(policies.hidden_ratings(viewer)), viewer.reveal_spoilers)


@lru_cache(maxsize=4)
def _hidden_notes(age_gated: bool, reveal_spoilers: bool) -> tuple[Hidden, ...]:
    notes = []
    if age_gated:
        notes.append(
            Hidden(
                "age-gate",
                "Explicit titles and titles without a known rating are hidden until you confirm you are 18 or "
                "older; they are left out of every count too.",
            )
        )
    if not reveal_spoilers:
        notes.append(
            Hidden(
                "spoilers",
                "Filters on endings and revelations work, but their counts are not shown, so no count gives an "
                f"ending away ({', '.join(SPOILER_DIMENSIONS)}).",
            )
        )
    return tuple(notes)


def _cards(result: EngineResult) -> tuple[TitleCard, ...]:
    """Cards straight from the index; descriptions (long prose the index does not keep) in one query."""
    texts = dict(Title.objects.filter(pk__in=result.pks).values_list("pk", "description"))
    return tuple(
        TitleCard(id=pk, description=texts.get(pk, ""), **dict(zip(CARD_FIELDS, card, strict=True)))
        for pk, card in zip(result.pks, result.cards, strict=True)
    )


def title_search(*, viewer: Viewer, query: SearchQuery, facets: bool = True, cards: bool = True) -> SearchPage:
    """`cards=False`: no TitleCard items, only `items_json` (the search API's hot path)."""
    return _search(search_index(), viewer, query, facets=facets, cards=cards)


def title_search_params(*, viewer: Viewer, params: Params, facets: bool = True, cards: bool = True) -> SearchPage:
    """A search from URL parameters (raises BadQuery), parsed with the vocabulary of the index that answers
    it: one database read per search."""
    index = search_index()
    query = query_from_params(params, vocabulary_at(index.vocabulary_version))
    return _search(index, viewer, query, facets=facets, cards=cards)


def _search(index: SearchIndex, viewer: Viewer, query: SearchQuery, *, facets: bool, cards: bool) -> SearchPage:
    result = engine_search(index, query, viewer, facets=facets, as_json=not cards)
    return SearchPage(
        query=query,
        text=_text(query),
        items=_cards(result) if cards else (),
        total=result.total,
        facets=result.facets,
        hidden=_hidden(viewer),
        facets_json=result.facets_json,
        items_json=result.items_json,
    )


@lru_cache(maxsize=2048)
def _text(query: SearchQuery) -> str:
    return query_text(query)
