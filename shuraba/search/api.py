from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.params.functions import Query as QueryParam

from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.cards import card_item
from shuraba.catalog.schemas import ErrorOut, TitleListOut
from shuraba.core.errors import BadQuery
from shuraba.search.params import request_params
from shuraba.search.schemas import SearchOut, SuggestOut
from shuraba.search.selectors import SUGGESTED, title_search_params, title_suggest

router = Router(tags=["search"])


@router.get("/search", response={200: SearchOut, 400: ErrorOut}, summary="Faceted search")
def search(request: HttpRequest) -> HttpResponse:
    """Include tags (`include`, `include_mode` all|any, `min_relevance`), exclude tags (`exclude`,
    `exclude_mode` any|all), one parameter per axis or field as a comma list with `!` to negate
    (`subgenre=netorare,!netori`, `ending=!tragedy`, `content_rating`, `status`, `format`, `country`,
    `length`), ranges `centrality`, `intensity`, `year`, `score`, `popularity` (`2..4`, `..3`, `>=2015`),
    `q` (any alternative title, any script), `query` (the one-line text syntax; combines with the other
    parameters), `sort` (relevance, score, popularity, year, title), `page`, `per_page` (at most 100).
    Tags are named by slug; `include=slug>=60` gives an included tag its own relevance threshold,
    `subgenre=revenge>=0.5` an included subgenre a weight threshold (`min_weight`: the default). `facets`:
    each value's count is the total the search gives once that value is ticked (within an "or" group, its
    own filter removed: disjunctive facets; a tag at the threshold its inclusion would use); a value not
    listed adds nothing (the total beside values ticked in its group, else 0). `removes`: how many of the
    results excluding a value takes away. Nothing hidden by the viewer's settings is counted, and
    ending/revelation counts appear only to viewers who show spoilers."""
    visibility = visibility_from_request(request)
    page = title_search_params(visibility=visibility, params=request_params(request), cards=False)
    query = page.query
    if query.page > page.pages:
        raise BadQuery("page", f"page {query.page} is past the last page ({page.pages}); {page.total} results")
    head = {
        "total": page.total,
        "page": query.page,
        "per_page": query.per_page,
        "query": page.text,
        "hidden": [asdict(h) for h in page.hidden],
    }
    # The hot path: the body is built from our own typed data, so it skips pydantic's re-validation (the
    # schema above documents it; tests/search/test_api.py validates responses against it); each card is
    # serialized once until its title changes and the facet counts once per cached result.
    text = json.dumps(head, ensure_ascii=False)
    return HttpResponse(
        f'{text[:-1]}, "items": {page.items_json}, "facets": {page.facets_json}, "removes": {page.removes_json}}}',
        content_type="application/json",
    )


MAX_SUGGEST_TEXT = 100


@router.get("/search/suggest", response={200: SuggestOut, 400: ErrorOut}, summary="Autocomplete")
def suggest(
    request: HttpRequest,
    q: Annotated[str, QueryParam(..., max_length=MAX_SUGGEST_TEXT, description="the text typed so far")],
    limit: Annotated[
        int, QueryParam(SUGGESTED, ge=1, le=20, description="at most this many titles and terms")
    ] = SUGGESTED,
) -> dict[str, Any]:
    """What the search box offers as one types: titles whose alternative titles hold the text (best match
    first: exact, then prefix, then the rest, by popularity), through the viewer's age gate and avoid rules
    like every search, and the tags and vocabulary values whose key, name or alias starts with it (`syntax`:
    what to put in a `query`)."""
    text = " ".join(q.split())
    if not text:
        raise BadQuery("q", "type at least one letter to get suggestions")
    found = title_suggest(visibility=visibility_from_request(request), text=text, limit=limit)
    return {
        "q": text,
        "titles": [dict(zip(("slug", "title", "year", "format"), t, strict=True)) for t in found.titles],
        "terms": [{"kind": n.kind, "key": n.key, "label": n.label, "syntax": n.syntax} for n in found.terms],
    }


@router.get(
    "/titles",
    response={200: TitleListOut, 400: ErrorOut},
    summary="List and filter titles",
    tags=["titles"],
    operation_id="shuraba_catalog_api_titles_list",  # the published id, from before the route moved here
)
def titles_list(request: HttpRequest) -> dict[str, Any]:
    """The same parameters as `/api/v1/search` (see there), without facets. Explicit and unknown-rated
    titles are absent until the session has confirmed 18+."""
    visibility = visibility_from_request(request)
    page = title_search_params(visibility=visibility, params=request_params(request), facets=False)
    query = page.query
    if query.page > page.pages:
        raise BadQuery("page", f"page {query.page} is past the last page ({page.pages})")
    return {
        "total": page.total,
        "page": query.page,
        "per_page": query.per_page,
        "items": [card_item(c) for c in page.items],
    }
