"""The signed-in reader's library over the API: `/api/v1/me/library` (entries, add, change, remove), the
import of a MAL or AniList list file, and the MAL XML and JSON exports.

Every operation answers 401 to a visitor who is not signed in, before it reads anything they sent; every
write is a session write that needs the CSRF token in an `X-CSRFToken` header. A title behind the reader's
age gate does not exist here (404, as a missing one); a title their avoid rules hide is still theirs to shelve.
The operations read their query strings and bodies themselves (the library page's own parser, the services'
own checks), so the OpenAPI documentation of those is written out in `schemas.py`.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.http import content_disposition_header
from ninja import Router, Status
from ninja.errors import HttpError

from shuraba.accounts.apikit import api_csrf_check, api_reader, api_writer, json_object
from shuraba.accounts.models import User
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.models import Title
from shuraba.catalog.schemas import ErrorOut
from shuraba.core.errors import BadQuery
from shuraba.library import malxml, schemas, selectors, services
from shuraba.library.listfile import size_check
from shuraba.library.models import LibraryImport
from shuraba.library.records import ListFileError
from shuraba.library.schemas import EntryOut, ExportOut, ImportOut, LibraryOut

router = Router(tags=["library"])
SIGN_IN = "sign in to use your library: /accounts/login/"
NO_SUCH_TITLE = "no such title: name it by its slug, as /api/v1/titles lists it"
NOT_SHELVED = "this title is not in your library"
UPLOAD_FIELD = "file"
NO_FILE = (
    f"no file: send the list as a multipart/form-data file field named `{UPLOAD_FIELD}` (a MyAnimeList .xml or "
    ".xml.gz export, or an AniList MediaListCollection JSON)"
)
ERRORS: dict[int, Any] = {401: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}


# --- who asks ---------------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> User:
    return api_reader(request, sign_in=SIGN_IN)


def _writer(request: HttpRequest) -> User:
    return api_writer(request, sign_in=SIGN_IN)


def _title(request: HttpRequest, slug: object) -> Title:
    if not isinstance(slug, str) or not slug:
        raise BadQuery("title", "the title's slug, as text (as /api/v1/titles lists it)")
    title = selectors.library_title(visibility=visibility_from_request(request), slug=slug)
    if title is None:  # missing or behind the age gate: the same answer, so neither is told from the other
        raise HttpError(404, NO_SUCH_TITLE)
    return title


# --- entries ----------------------------------------------------------------------------------------


def _entry_json(row: selectors.EntryRow) -> dict[str, Any]:
    return {
        "title": row.slug,
        "name": row.name,
        "format": row.format,
        "chapters": row.chapters,
        "volumes": row.volumes,
        **{field: getattr(row, field) for field in services.EDITABLE},
        "share_token": row.share_token,
        "updated_at": row.updated_at.isoformat(),
        "hidden_by": list(row.hidden_by),
    }


def _shelved(request: HttpRequest, user: User, title: Title) -> dict[str, Any]:
    row = selectors.entry_row(user=user, visibility=visibility_from_request(request), title_id=title.pk)
    if row is None:  # unreachable: the title passed the age gate and the entry was just written
        raise HttpError(404, NOT_SHELVED)
    return _entry_json(row)


def _filters(request: HttpRequest) -> selectors.LibraryFilters:
    unknown = sorted(set(request.GET) - set(schemas.FILTERS))
    if unknown:
        raise BadQuery(unknown[0][:40], f"unknown parameter; the library takes {', '.join(schemas.FILTERS)}")
    params = {name: request.GET.get(name, "") for name in schemas.FILTERS if name != "status"}
    notes = params["notes"].strip().lower()
    if notes not in schemas.YES | schemas.NO:
        raise BadQuery("notes", "true (only entries with notes) or false")
    params["notes"] = "yes" if notes in schemas.YES else ""
    return selectors.library_filters_read(params, request.GET.getlist("status"))


def _library_json(page: selectors.LibraryPage) -> dict[str, Any]:
    return {
        "entries": [_entry_json(row) for row in page.rows],
        "total": page.total,
        "page": page.filters.page,
        "pages": page.pages,
        "per_page": selectors.PER_PAGE,
        "counts": page.counts,
        "everything": page.everything,
        "rules_hidden": page.rules_hidden,
        "unmatched_open": page.unmatched_open,
        "left_out": {"age_gate": page.age_gated},
    }


def _attachment(filename: str) -> str:
    """A download's Content-Disposition; a user name beyond ASCII is spelled as RFC 6266 says."""
    return content_disposition_header(as_attachment=True, filename=filename) or "attachment"


def _body(request: HttpRequest) -> dict[str, Any]:
    return json_object(request, example='{"status": "reading"}')


@router.get(
    "/me/library",
    response={200: LibraryOut, 400: ErrorOut, **ERRORS},
    summary="My library",
    openapi_extra={"parameters": schemas.filter_parameters()},
)
def library_get(request: HttpRequest) -> dict[str, Any]:
    """Your entries, filtered and sorted as on the library page, 50 a page, private ones and notes
    included. An entry whose title your avoid rules hide is listed, with `hidden_by` naming the rules; one
    whose title is behind the age gate is left out and counted in `left_out.age_gate`."""
    user = _reader(request)
    filters = _filters(request)
    page = selectors.library_page(user=user, visibility=visibility_from_request(request), filters=filters)
    if filters.page > page.pages:
        raise BadQuery("page", f"page {filters.page} is past the last page, {page.pages}")
    return _library_json(page)


@router.post(
    "/me/library",
    response={200: EntryOut, 201: EntryOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Add a title to my library",
    openapi_extra=schemas.entry_body(adding=True),
)
def entry_add(request: HttpRequest) -> Status[dict[str, Any]]:
    """Add the title named by `title` (its slug) with any of the entry's fields; a new entry takes your
    default privacy. 201 when it is new; 200 when it was already there, and then the fields given change.
    An unknown field or a value that does not read is a 400 naming it, and nothing is saved."""
    user = _writer(request)
    body = _body(request)
    slug = body.pop("title", None)
    changes = services.entry_changes_read(body)
    title = _title(request, slug)
    _, created = services.entry_save(user=user, title=title, changes=changes)
    return Status(201 if created else 200, _shelved(request, user, title))


# Before /me/library/{slug}: Django tries the routes in order, and a slug could be spelled "import".
@router.post(
    "/me/library/import",
    response={200: ImportOut, 413: ErrorOut, **WRITE_ERRORS},
    summary="Import a MyAnimeList or AniList list",
    openapi_extra=schemas.UPLOAD_BODY,
)
def library_import(request: HttpRequest) -> dict[str, Any]:
    """Upload a MyAnimeList manga list export (XML, plain or gzipped) or an AniList MediaListCollection JSON
    as the multipart field `file`; the format is read from the content. Entries are matched to titles and
    added or updated (a re-import never duplicates); the answer is the run's report. A file that does not
    read at all is a 400 saying why and changes nothing; one over the size limit is a 413."""
    user = _reader(request)
    data, filename = _upload(request)
    try:
        run = services.library_import(user=user, data=data, filename=filename)
    except ListFileError as exc:
        raise BadQuery(UPLOAD_FIELD, str(exc)) from exc
    return _import_json(run)


@router.get(
    "/me/library/export.xml",
    response={200: None, **ERRORS},
    summary="Export my library as MyAnimeList XML",
    openapi_extra=schemas.download("application/xml", {"type": "string"}, "shuraba-{user}-manga.xml"),
)
def library_export_xml(request: HttpRequest) -> HttpResponse:
    """Your whole library as a MyAnimeList manga list export (`myanimelist`/`myinfo`/`manga`), which MAL and
    MAL-compatible tools import; private entries and notes included (`my_comments`). Entries whose titles
    are behind the age gate are left out, and a comment at the top of the file says how many."""
    user = _reader(request)
    export = selectors.library_export(user=user, visibility=visibility_from_request(request))
    name = user.get_username()
    body = malxml.mal_xml_write(export.mal_rows(), user_name=name, comments=export.comments)
    response = HttpResponse(body, content_type="application/xml")
    response["Content-Disposition"] = _attachment(f"shuraba-{name}-manga.xml")
    return response


@router.get(
    "/me/library/export.json",
    response={200: ExportOut, **ERRORS},
    summary="Export my library as JSON",
    openapi_extra=schemas.download("application/json", None, "shuraba-{user}-library.json"),
)
def library_export_json(request: HttpRequest, response: HttpResponse) -> dict[str, object]:
    """Your whole library with every field, private entries and notes included, by title name; each entry
    with the title's MAL id when the catalog knows it. `left_out.age_gate` counts the entries left out
    because their titles are behind the age gate."""
    user = _reader(request)
    export = selectors.library_export(user=user, visibility=visibility_from_request(request))
    name = user.get_username()
    response["Content-Disposition"] = _attachment(f"shuraba-{name}-library.json")
    return export.as_json()


@router.patch(
    "/me/library/{slug}",
    response={200: EntryOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Change an entry of my library",
    openapi_extra=schemas.entry_body(adding=False),
)
def entry_update(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Change the fields given on your entry for this title; the others stay as they are. 404 when the
    title is not in your library (or does not exist for you)."""
    user = _writer(request)
    changes = services.entry_changes_read(_body(request))
    title = _title(request, slug)
    if selectors.entry_of(user=user, title_id=title.pk) is None:
        raise HttpError(404, NOT_SHELVED)
    services.entry_save(user=user, title=title, changes=changes)
    return _shelved(request, user, title)


@router.delete(
    "/me/library/{slug}",
    response={204: None, 404: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Remove a title from my library",
)
def entry_delete(request: HttpRequest, slug: str) -> Status[None]:
    """Remove your entry for this title (its notes with it). 404 when it is not in your library."""
    user = _writer(request)
    if not services.entry_remove(user=user, title=_title(request, slug)):
        raise HttpError(404, NOT_SHELVED)
    return Status(204, None)


# --- import -----------------------------------------------------------------------------------------


class UploadCapped(FileUploadHandler):
    """Keeps the upload's `file` in memory up to the size limit and one byte more, and counts the rest
    without keeping it: a file too large is known to be so, and by how much, without being held (neither in
    memory nor in a temporary file). Other file fields are skipped."""

    def __init__(self, request: HttpRequest, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.size = 0
        self.kept: BytesIO | None = None

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        if field_name != UPLOAD_FIELD or self.kept is not None:
            raise SkipFile
        self.kept = BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        if self.kept is not None:
            self.kept.write(raw_data[: max(0, self.limit + 1 - self.kept.tell())])

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if self.kept is None:
            return None
        self.kept.seek(0)
        return InMemoryUploadedFile(
            self.kept, self.field_name, self.file_name, self.content_type, self.size, self.charset
        )


def _upload(request: HttpRequest) -> tuple[bytes, str]:
    """The uploaded list's bytes and name; the CSRF check reads the form, so it runs once the handler is in."""
    limit: int = settings.LIBRARY_IMPORT_MAX_BYTES
    capped = UploadCapped(request, limit=limit)
    request.upload_handlers = [capped]
    try:
        upload = request.FILES.get(UPLOAD_FIELD)
    except (MultiPartParserError, SuspiciousOperation) as exc:
        raise BadQuery(UPLOAD_FIELD, f"the body does not read as multipart/form-data ({exc}). {NO_FILE}") from exc
    api_csrf_check(request)
    if upload is None:
        raise BadQuery(UPLOAD_FIELD, NO_FILE)
    try:
        size_check(capped.size)
    except ListFileError as exc:
        raise HttpError(413, str(exc)) from exc
    return upload.read(), upload.name or ""


def _import_json(run: LibraryImport) -> dict[str, Any]:
    return {
        "format": run.format,
        "filename": run.filename,
        "at": run.at.isoformat(),
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "unmatched": run.unmatched,
        "rejected": run.rejected,
        "rejections": run.rejections,
    }
