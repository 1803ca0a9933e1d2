"""Guide writes: loading the shipped guide (content/guides.toml) into an empty site, and an editor's save of a
page, each one transaction that writes the page and its next numbered revision."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.core.datafiles import require, toml_read
from shuraba.core.errors import DataFileError, Refused
from shuraba.core.markup import text_clean
from shuraba.editorial.embeds import embeds_check
from shuraba.editorial.models import (
    BODY_MAX,
    NOTE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    GuidePage,
    GuideRevision,
    PageKind,
)

GUIDES_PATH = Path(__file__).resolve().parent / "content" / "guides.toml"
PAGE_FIELDS = ("title", "summary", "body", "order", "published")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RESERVED = {"new"}  # /guide/new/ is the editor's form


def _revise(page: GuidePage, *, editor: User | None, note: str) -> GuideRevision:
    last = page.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return GuideRevision.objects.create(
        page=page, number=last + 1, editor=editor, note=note, at=timezone.now(),
        **{field: getattr(page, field) for field in PAGE_FIELDS},
    )  # fmt: skip


@transaction.atomic
def guides_load(*, path: Path = GUIDES_PATH, overwrite: bool = False) -> tuple[int, int]:
    """Create the pages the site does not have (and overwrite edited ones when asked, as a new revision).
    Returns (created, updated). Pages the site has are its own: a plain load never changes them."""
    data = toml_read(path)
    created = updated = 0
    for index, entry in enumerate(require(data, "pages", list, path.name)):
        where = f"{path.name} page #{index + 1}"
        kind = entry.get("kind", PageKind.GUIDE)
        if kind not in PageKind.values:
            raise DataFileError(f"{where}: kind is guide or glossary, not {kind!r}")
        fields = {
            "title": require(entry, "title", str, where),
            "summary": entry.get("summary", "") if kind == PageKind.GLOSSARY else require(entry, "summary", str, where),
            "body": require(entry, "body", str, where),
            "order": require(entry, "order", int, where),
        }
        try:  # the shipped text passes the editor's checks, its embedded lists included
            values = {**page_values(fields, kind=kind), "kind": kind}
        except Refused as exc:
            raise DataFileError(f"{where}: {exc.message}") from exc
        page = GuidePage.objects.filter(slug=require(entry, "slug", str, where)).first()
        if page is None:
            page = GuidePage.objects.create(slug=entry["slug"], **values)
            _revise(page, editor=None, note="loaded from the shipped guide")
            created += 1
        elif overwrite and any(getattr(page, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(page, key, value)
            page.save()
            _revise(page, editor=None, note="replaced by the shipped guide (guides_load --overwrite)")
            updated += 1
    return created, updated


def _text(value: object, *, field: str, limit: int, required: bool = True) -> str:
    if not isinstance(value, str):
        raise Refused(400, f"{field}: text, not {type(value).__name__}")
    if "\x00" in value:  # PostgreSQL keeps no NUL in text
        raise Refused(400, f"{field}: holds a NUL character (\\x00); remove it")
    text = text_clean(value).strip()
    if required and not text:
        raise Refused(400, f"{field}: write something")
    if len(text) > limit:
        raise Refused(400, f"{field}: at most {limit} characters (this has {len(text)})")
    return text


def page_values(fields: dict[str, Any], *, kind: str) -> dict[str, Any]:
    """The page's fields as kept, each checked; the body's embedded lists must be ones the search reads."""
    order = fields.get("order", 0)
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 1000:
        raise Refused(400, "order: a whole number from 0 to 1000 (pages are listed by it)")
    body = _text(fields.get("body"), field="body", limit=BODY_MAX)
    embeds_check(body)
    summary_needed = kind == PageKind.GUIDE
    return {
        "title": _text(fields.get("title"), field="title", limit=TITLE_MAX),
        "summary": _text(fields.get("summary", ""), field="summary", limit=SUMMARY_MAX, required=summary_needed),
        "body": body,
        "order": order,
        "published": bool(fields.get("published", True)),
    }


def _editor_check(user: User) -> None:
    if not user.is_staff:
        raise Refused(403, "only editors write the guide")


def slug_check(slug: str) -> Refused:
    """Refuse a new page's address that is malformed (400) or taken (409); else the refusal a race would get."""
    if not SLUG.fullmatch(slug) or len(slug) > 80 or slug in RESERVED:
        raise Refused(400, "slug: lower-case letters, digits and single hyphens, at most 80 (not 'new')")
    taken = Refused(409, f"slug: a page is called {slug!r} already; pick another or edit that one")
    if GuidePage.objects.filter(slug=slug).exists():
        raise taken
    return taken


@transaction.atomic
def guide_create(*, editor: User, slug: str, kind: str, fields: dict[str, Any], note: str = "") -> GuidePage:
    _editor_check(editor)
    if kind not in PageKind.values:
        raise Refused(400, "kind: guide or glossary")
    taken = slug_check(slug)
    try:
        with transaction.atomic():  # a second submit of the same form may have made it meanwhile
            page = GuidePage.objects.create(slug=slug, kind=kind, **page_values(fields, kind=kind))
    except IntegrityError as exc:
        raise taken from exc
    _revise(page, editor=editor, note=_text(note, field="note", limit=NOTE_MAX, required=False))
    return page


@transaction.atomic
def guide_update(*, editor: User, page: GuidePage, fields: dict[str, Any], base: int, note: str = "") -> GuidePage:
    """Save a new revision of `page`, written from revision `base`: if another editor saved one since, refuse
    (409) so neither loses their words; the form keeps this editor's text to merge by hand."""
    _editor_check(editor)
    page = GuidePage.objects.select_for_update().get(pk=page.pk)
    latest = page.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    values = page_values(fields, kind=page.kind)
    note_text = _text(note, field="note", limit=NOTE_MAX, required=False)
    if all(getattr(page, key) == value for key, value in values.items()):
        return page  # nothing changed (or the same save twice, a double click): no empty revision, no refusal
    if base != latest:
        raise Refused(409, f"revision {latest} was saved while you edited revision {base}; your text is below: "
                      "open the history to see what changed, then save again")  # fmt: skip
    for key, value in values.items():
        setattr(page, key, value)
    page.save()
    _revise(page, editor=editor, note=note_text)
    return page
