"""Search as the rest of the site sees it: a viewer, a query, a page of cards with facets."""

from __future__ import annotations

from dataclasses import dataclass

from shuraba.accounts import policies
from shuraba.accounts.policies import Viewer
from shuraba.catalog.models import Title
from shuraba.catalog.selectors import TitleCard
from shuraba.search.engine import EngineResult, engine_search
from shuraba.search.index import CARD_FIELDS, search_index
from shuraba.search.query import SPOILER_DIMENSIONS, SearchQuery
from shuraba.search.syntax import query_text


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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def _hidden(viewer: Viewer) -> tuple[Hidden, ...]:
    notes = []
    if policies.hidden_ratings(viewer):
        notes.append(
            Hidden(
                "age-gate",
                "Explicit titles and titles without a known rating are hidden until you confirm you are 18 or "
                "older; they are left out of every count too.",
            )
        )
    if not viewer.reveal_spoilers:
        notes.append(
            Hidden(
                "spoilers",
                "Filters on endings and revelations work, but their counts are not shown, so no count gives an "
                f"ending away ({', '.join(SPOILER_DIMENSIONS)}).",
            )
        )
    return tuple(notes)


def _cards(result: EngineResult, *, descriptions: bool) -> tuple[TitleCard, ...]:
    """Cards straight from the index; descriptions (long prose the index does not keep) in one query."""
    texts = dict(Title.objects.filter(pk__in=result.pks).values_list("pk", "description")) if descriptions else {}
    return tuple(
        TitleCard(id=pk, description=texts.get(pk, ""), **dict(zip(CARD_FIELDS, card, strict=True)))
        for pk, card in zip(result.pks, result.cards, strict=True)
    )


def title_search(*, viewer: Viewer, query: SearchQuery, facets: bool = True, descriptions: bool = True) -> SearchPage:
    result = engine_search(search_index(), query, viewer, facets=facets)
    return SearchPage(
        query=query,
        text=query_text(query),
        items=_cards(result, descriptions=descriptions),
        total=result.total,
        facets=result.facets,
        hidden=_hidden(viewer),
        facets_json=result.facets_json,
    )
