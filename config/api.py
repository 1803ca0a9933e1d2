"""The one NinjaAPI: /api/v1/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.openapi.schema import OpenAPISchema

from shuraba.accounts.api import router as accounts_router
from shuraba.catalog.api import router as catalog_router
from shuraba.core.errors import BadQuery
from shuraba.library.api import router as library_router
from shuraba.lists.api import router as lists_router
from shuraba.pairs.api import router as pairs_router
from shuraba.preferences.api import router as preferences_router
from shuraba.recommend.api import router as recommend_router
from shuraba.reviews.api import router as reviews_router
from shuraba.search.api import router as search_router
from shuraba.search.openapi import search_parameters
from shuraba.search.vocab import vocabulary
from shuraba.taxonomy.api import router as taxonomy_router

# gunicorn answers a request line over 4094 bytes itself, in HTML, before the site sees it.
URI_TOO_LONG = {
    "description": "URI Too Long: the request line is over 4094 bytes (gunicorn's limit); send fewer or shorter "
    "parameters",
    "content": {"text/html": {"schema": {"type": "string"}}},
}
# Operations that read the search parameters from the raw query string (search/params.py), so django-ninja
# cannot see them: their parameters come from the parser's own tables and the current vocabulary.
SEARCH_OPERATIONS = {"shuraba_search_api_search", "shuraba_catalog_api_titles_list"}


class ShurabaAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        parameters = search_parameters(vocabulary())
        for operations in schema["paths"].values():
            for operation in operations.values():
                if operation["operationId"] in SEARCH_OPERATIONS:
                    operation["parameters"] = [*operation.get("parameters", []), *parameters]
                operation["responses"].setdefault(414, URI_TOO_LONG)
        return schema


api = ShurabaAPI(
    title="shuraba API",
    version="1",
    description="The catalog, the NTR taxonomy and the faceted search of shuraba. Explicit and unknown-rated "
    "titles are absent until the session confirms 18+ at /age-gate/; spoilers are absent unless the reader "
    "shows them at /settings/ or asks for them on one title with ?reveal=. Signed-in operations take the session "
    "(writes with the csrftoken cookie's value in an X-CSRFToken header) or a personal token made at "
    "/settings/tokens/ as `Authorization: Bearer <token>`.",
    urls_namespace="api-1",
)
api.add_router("/", catalog_router)
api.add_router("/", taxonomy_router)
api.add_router("/", search_router)
api.add_router("/", accounts_router)
api.add_router("/", library_router)
api.add_router("/", reviews_router)
api.add_router("/", lists_router)
api.add_router("/", pairs_router)
api.add_router("/", preferences_router)
api.add_router("/", recommend_router)


@api.exception_handler(BadQuery)
def bad_query(request: HttpRequest, exc: BadQuery) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "param": exc.param}, status=400)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", []))
    return api.create_response(
        request, {"detail": f"{where}: {first.get('msg', 'invalid value')}", "param": where}, status=400
    )
