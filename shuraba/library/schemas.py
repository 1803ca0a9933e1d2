"""The library's API shapes: what `/api/v1/me/library` answers and takes. Entries are named by their title's
slug, never a database id (sequential ids would count the entries and titles a viewer may not see)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from ninja import Field, Schema

from shuraba.library.models import NOTES_MAX, PARTIAL_DATE, SCORE_MAX, Privacy, Status
from shuraba.library.records import COUNT_MAX
from shuraba.library.selectors import HIDDEN_CHOICES, ORDERS, PER_PAGE, SORTS

DATE = "YYYY, YYYY-MM or YYYY-MM-DD (a year or month alone when that is all you know); empty for none"


def _fields() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0, "maximum": COUNT_MAX}
    date = {"type": ["string", "null"], "pattern": f"{PARTIAL_DATE}|^$", "description": DATE}
    return {
        "status": {"type": "string", "enum": list(Status.values)},
        "chapters_read": count,
        "volumes_read": count,
        "score": {
            "type": ["integer", "null"],
            "minimum": 0,
            "maximum": SCORE_MAX,
            "description": f"1-{SCORE_MAX}; 0 or null: not scored",
        },
        "started_on": date,
        "finished_on": {**date, "description": f"{DATE}; not before the start"},
        "reread_count": count,
        "notes": {"type": ["string", "null"], "maxLength": NOTES_MAX, "description": "private: only you see them"},
        "privacy": {
            "type": "string",
            "enum": list(Privacy.values),
            "description": "public: on your profile; unlisted: only by its link; private: only you. A new entry "
            "takes your default",
        },
    }


def entry_body(*, adding: bool) -> dict[str, Any]:
    """The JSON request body of an add (the title's slug and any fields) or a change (any fields) for the
    OpenAPI schema. The operations read the body themselves, so that a visitor who is not signed in is
    answered 401 whatever they send, and an unknown field is a 400 naming it."""
    title = {"type": "string", "description": "the title's slug, as /api/v1/titles lists it"}
    properties = {"title": title, **_fields()} if adding else _fields()
    shape: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if adding:
        shape["required"] = ["title"]
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": shape}}}}


# The library page's filters (selectors.library_filters_read), as the API takes them.
FILTERS = ("status", "privacy", "score_min", "score_max", "q", "hidden", "notes", "sort", "order", "page")
YES, NO = frozenset({"true", "1", "yes", "on"}), frozenset({"", "false", "0", "no", "off"})


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def filter_parameters() -> list[dict[str, Any]]:
    score = {"type": "integer", "minimum": 1, "maximum": SCORE_MAX}
    return [
        {
            **_query("status", {"type": "array", "items": {"type": "string", "enum": list(Status.values)}}, ""),
            "description": "entries with any of these statuses (repeat the parameter: `status=reading&status=dropped`)",
            "style": "form",
            "explode": True,
        },
        _query("privacy", {"type": "string", "enum": list(Privacy.values)}, "entries with this privacy"),
        _query("score_min", score, "entries scored this or more (unscored entries are left out)"),
        _query("score_max", score, "entries scored this or less (unscored entries are left out)"),
        _query("q", {"type": "string"}, "entries whose title's name or an alternative name contains this"),
        _query(
            "hidden",
            {"type": "string", "enum": [choice for choice in HIDDEN_CHOICES if choice]},
            "yes: only the entries your avoid rules hide elsewhere; no: only the others",
        ),
        _query("notes", {"type": "boolean"}, "true: only the entries with notes"),
        _query("sort", {"type": "string", "enum": list(SORTS), "default": "updated"}, "the order of the entries"),
        _query(
            "order",
            {"type": "string", "enum": [choice for choice in ORDERS if choice]},
            "reverse: the sort the other way round (by default scores, progress and dates go high to low, "
            "titles and statuses A to Z)",
        ),
        _query(
            "page",
            {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1},
            f"{PER_PAGE} entries a page, from 1; past the last page is a 400",
        ),
    ]


_LIMIT_MB = f"{settings.LIBRARY_IMPORT_MAX_BYTES / 1_000_000:g} MB"
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "a MyAnimeList manga list export (.xml or .xml.gz) or an AniList "
                            f"MediaListCollection JSON; up to {_LIMIT_MB}, and up to {_LIMIT_MB} once ungzipped",
                        }
                    },
                }
            }
        },
    }
}


def download(content_type: str, schema: dict[str, Any] | None, filename: str) -> dict[str, Any]:
    """A 200 that is a file to keep: its content type (when ninja's JSON is not it) and Content-Disposition."""
    header = {
        "Content-Disposition": {
            "description": f'attachment; filename="{filename}" (your user name in it)',
            "schema": {"type": "string"},
        }
    }
    ok: dict[str, Any] = {"description": "OK", "headers": header}
    if schema is not None:
        ok["content"] = {content_type: {"schema": schema}}
    return {"responses": {200: ok}}


class EntryOut(Schema):
    title: str = Field(description="the title's slug")
    name: str = Field(description="the title's name")
    format: str
    chapters: int | None = Field(description="the title's chapter count, when known")
    volumes: int | None = Field(description="the title's volume count, when known")
    status: str = Field(json_schema_extra={"enum": list(Status.values)})
    chapters_read: int
    volumes_read: int
    score: int | None
    started_on: str
    finished_on: str
    reread_count: int
    notes: str = Field(description="private: only you see them, whatever the entry's privacy")
    privacy: str = Field(json_schema_extra={"enum": list(Privacy.values)})
    share_token: str = Field(description="the token of the entry's link, for an unlisted entry")
    updated_at: str = Field(description="ISO 8601")
    hidden_by: list[str] = Field(description="the names of your avoid rules that hide this title elsewhere")


class LeftOutOut(Schema):
    age_gate: int = Field(description="entries left out: their titles are behind the age gate until you confirm 18+")


class LibraryOut(Schema):
    entries: list[EntryOut]
    total: int = Field(description="entries the filters kept, over every page")
    page: int
    pages: int
    per_page: int
    counts: dict[str, int] = Field(
        description=f"entries per status ({', '.join(Status.values)}: each a key), over the whole library you may see"
    )
    everything: int = Field(description="entries in the library you may see")
    rules_hidden: int = Field(description="of those, entries whose titles your avoid rules hide elsewhere")
    unmatched_open: int = Field(description="imported entries no title matched yet: resolve them at /library/import/")
    left_out: LeftOutOut


class RejectionOut(Schema):
    where: str
    name: str
    reason: str


class ImportOut(Schema):
    format: str = Field(description="mal-xml or anilist-json, as read from the file's content")
    filename: str
    at: str = Field(description="ISO 8601")
    created: int
    updated: int
    unchanged: int
    unmatched: int = Field(description="entries no title matched: resolve or leave them at /library/import/")
    rejected: int
    rejections: list[RejectionOut]


class ExportEntryOut(Schema):
    title: str
    name: str
    mal_id: str | None
    status: str
    chapters_read: int
    volumes_read: int
    score: int | None
    started_on: str
    finished_on: str
    reread_count: int
    notes: str
    privacy: str
    updated_at: str


class ExportOut(Schema):
    format: str
    entries: list[ExportEntryOut]
    left_out: LeftOutOut
