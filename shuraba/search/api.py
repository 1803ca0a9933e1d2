from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from shuraba.accounts.policies import viewer_from_request
from shuraba.catalog.schemas import ErrorOut
from shuraba.catalog.selectors import TitleCard
from shuraba.core.errors import BadQuery
from shuraba.search.params import query_from_params
from shuraba.search.schemas import SearchOut
from shuraba.search.selectors import title_search
from shuraba.search.vocab import vocabulary

router = Router(tags=["search"])


def request_params(request: HttpRequest) -> dict[str, list[str]]:
    return {key: request.GET.getlist(key) for key in request.GET}


ITEM_FIELDS = tuple(f.name for f in fields(TitleCard) if f.name != "description")


def items_json(cards: tuple[TitleCard, ...]) -> list[dict[str, Any]]:
    """Plain dicts without dataclasses.asdict's deep copies (this is the hot path)."""
    items = []
    for card in cards:
        item = {name: getattr(card, name) for name in ITEM_FIELDS}
        item["subgenres"], item["tags"] = list(card.subgenres), list(card.tags)
        item["url"] = f"/titles/{card.slug}/"
        items.append(item)
    return items


@router.get("/search", response={200: SearchOut, 400: ErrorOut}, summary="Faceted search")
def search(request: HttpRequest) -> HttpResponse:
    """Include tags (`include`, `include_mode` all|any, `min_relevance`), exclude tags (`exclude`,
    `exclude_mode` any|all), one parameter per axis or field as a comma list with `!` to negate
    (`subgenre=netorare,!netori`, `ending=!tragedy`, `content_rating`, `status`, `format`, `country`,
    `length`), ranges `centrality`, `intensity`, `year`, `score`, `popularity` (`2..4`, `..3`, `>=2015`),
    `q` (any alternative title, any script), `query` (the one-line text syntax; combines with the other
    parameters), `sort` (relevance, score, popularity, year, title), `page`, `per_page` (at most 100).
    Tags are named by slug. Facets count every value of every facet over the result; nothing hidden by
    the viewer's settings is counted, and ending/revelation counts appear only to viewers who show spoilers."""
    query = query_from_params(request_params(request), vocabulary())
    page = title_search(viewer=viewer_from_request(request), query=query, descriptions=False)
    if query.page > page.pages:
        raise BadQuery("page", f"page {query.page} is past the last page ({page.pages}); {page.total} results")
    body = {
        "total": page.total,
        "page": query.page,
        "per_page": query.per_page,
        "items": items_json(page.items),
        "query": page.text,
        "hidden": [asdict(h) for h in page.hidden],
    }
    # The hot path: the body is built from our own typed data, so it skips pydantic's re-validation (the
    # schema above documents it; tests/search/test_api.py validates responses against it), and the facet
    # counts arrive serialized once per cached result.
    text = json.dumps(body, ensure_ascii=False)
    return HttpResponse(f'{text[:-1]}, "facets": {page.facets_json}}}', content_type="application/json")
