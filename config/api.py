"""The one NinjaAPI: /api/v1/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from shuraba.accounts.api import router as accounts_router
from shuraba.catalog.api import router as catalog_router
from shuraba.core.errors import BadQuery
from shuraba.search.api import router as search_router
from shuraba.taxonomy.api import router as taxonomy_router

api = NinjaAPI(
    title="shuraba API",
    version="1",
    description="The catalog, the NTR taxonomy and the faceted search of shuraba. Explicit and unknown-rated "
    "titles are absent until the session confirms 18+ at /age-gate/; spoilers are absent unless the reader "
    "shows them at /settings/ or asks for them on one title with ?reveal=.",
    urls_namespace="api-1",
)
api.add_router("/", catalog_router)
api.add_router("/", taxonomy_router)
api.add_router("/", search_router)
api.add_router("/", accounts_router)


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
