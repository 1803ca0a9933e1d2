"""Fetch the title of an unmatched list entry that the catalog is missing, when the operator allows it.

One title per fetch, by the id the reader's list gave: an AniList id through the AniList importer, else a
MyAnimeList id through the Jikan importer (the AniList adapter has no `idMal` filter). The record goes
through the importers' own pipeline (`records_import`: identity merge, snapshots, provenance, the
catalog's bulk API); this module never writes a catalog table. When the catalog already holds the id
(another reader fetched it since the import), nothing is fetched at all.

A person waits on the answer, so the importers' rate limiter is shared (the same limiter paces every request
this process sends to the source) but the retry policy is short: one retry, no wait longer than
FETCH_RETRY.max_wait. Every failure is a FetchError with a message the reader can act on, and leaves
everything as it was: no title, no import run, the entry still open. The one exception is a record the
identity matcher cannot place (a close name, nothing confirming it): its match review stays queued for an
editor, as every import's would, and the entry stays open.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import httpx
from django.conf import settings
from django.db import transaction

from shuraba.accounts.models import User
from shuraba.accounts.policies import PUBLIC, Visibility
from shuraba.accounts.viewers import visibility_of_account
from shuraba.catalog.models import Title
from shuraba.core.errors import BadQuery, ShurabaError
from shuraba.importers.identity import external_id_normalize
from shuraba.importers.models import SourceSnapshot
from shuraba.importers.records import RowError, SourceRecord
from shuraba.importers.runs import RunOutcome, VocabularyMissing, http_client, records_import
from shuraba.importers.sources import CatalogAdapter, adapter_get
from shuraba.importers.sources.base import AdapterBase
from shuraba.importers.sources.ratelimit import Limiter, Retry, SourceError, SourceOutage, SourceRateLimited, Throttle
from shuraba.importers.suggest import Suggester
from shuraba.library.models import LibraryEntry, UnmatchedEntry, UnmatchedState
from shuraba.library.services import unmatched_resolve

FETCH_RETRY = Retry(attempts=2, backoff=1.0, max_wait=10.0)
# Which id is fetched first, and through which importer: AniList's record also carries the MAL id.
FETCH_ORDER = (("anilist", "anilist_id"), ("mal", "mal_id"))
# Which id is looked up in the catalog first: the order the list import's matcher uses (matching.py).
KNOWN_ORDER = (("mal", "mal_id"), ("anilist", "anilist_id"))
LABELS = {"anilist": "AniList", "mal": "MyAnimeList (through Jikan)"}
NOT_FOUND_REASON = "no such entry"  # Jikan's adapter turns a 404 into a row error saying this
# The limiter is not thread-safe and gunicorn serves with threads: one fetch per source at a time.
_TURNS = {source: threading.Lock() for source, _ in FETCH_ORDER}


class FetchError(ShurabaError):
    """The title could not be fetched; nothing was changed. `http_status` is a hint for views."""

    http_status = 400


class FetchDisabled(FetchError):
    http_status = 403


class FetchNotOpen(FetchError):
    http_status = 409


class FetchNoId(FetchError):
    http_status = 422


class FetchNotFound(FetchError):
    """The source knows no manga with that id."""

    http_status = 422


class FetchRejected(FetchError):
    """The source's record, or the reader's entry, does not pass the catalog's or the library's checks."""

    http_status = 422


class FetchNeedsReview(FetchError):
    """The record may be a title already in the catalog: an editor decides (the match review stays queued)."""

    http_status = 409


class FetchUnavailable(FetchError):
    """The source could not be reached, is down, or answered in a way the importer cannot read."""

    http_status = 503


class FetchRateLimited(FetchUnavailable):
    """The source asks us to slow down, or another fetch from it is in progress in this process."""


@dataclass(frozen=True)
class FetchOutcome:
    """What a fetch did. `how`: "fetched" (a new catalog title), "merged" (the source's record joined a
    title the catalog had under another id or name) or "known" (the catalog had the id; nothing was fetched)."""

    entry: LibraryEntry
    title: Title
    source: str
    source_id: str
    how: str

    @property
    def age_gated(self) -> bool:
        """Is the title behind the age gate? Then a viewer who has not confirmed 18+ must not see its name."""
        return not PUBLIC.rating_shown(self.title.content_rating)

    def name_for(self, visibility: Visibility) -> str | None:
        """The title's name if this viewer may see it, else None (the age gate: the title does not exist for them)."""
        return self.title.title if visibility.rating_shown(self.title.content_rating) else None

    def message(self, visibility: Visibility) -> str:
        """What the page says, naming the title only to a viewer the age gate lets see it."""
        name = self.name_for(visibility)
        what = f"“{name}”" if name is not None else "the title"
        where = f" from {LABELS[self.source]}" if self.how != "known" else ""
        said = f"Added {what}{where} to your library."
        if self.how == "known":
            said += " The catalog had it already, so nothing was fetched."
        if name is None:
            said += " It is behind the age gate: its name shows once you confirm you are 18 or older."
        return said


def unmatched_fetch(*, user: User, unmatched_id: int, client: httpx.Client | None = None) -> FetchOutcome:
    """Fetch the title of one of the reader's open unmatched entries by its AniList or MAL id, import it
    through the importers' pipeline and resolve the entry to it (`services.unmatched_resolve`).

    Raises UnmatchedEntry.DoesNotExist (no such entry of this reader) or a FetchError; either way the
    catalog, the import log and the library are as they were (FetchNeedsReview alone leaves its match
    review queued for an editor). `client` defaults to the importers' own (`runs.http_client`); tests
    pass one on an httpx.MockTransport.
    """
    if not settings.LIBRARY_FETCH_MISSING:
        raise FetchDisabled(
            "Fetching missing titles is turned off on this site. Search the catalog for the title and pick it, "
            "or leave the entry out."
        )
    row = _open_row(user, unmatched_id)
    ids = _ids_of(row)
    known = _known_title(ids)
    if known is not None:
        source, source_id = known[0]
        if not visibility_of_account(user).rating_shown(known[1].content_rating):
            raise _not_found(LABELS[source], source_id)
        return FetchOutcome(_resolve(user, row.pk, known[1]), known[1], source, source_id, "known")
    source, source_id = next((s, ids[s]) for s, _ in FETCH_ORDER if s in ids)
    record = _record_fetch(source, source_id, client)
    return _import_and_resolve(user, row.pk, source, record)


# --- the entry and its ids ----------------------------------------------------------------------------


def _open_row(user: User, unmatched_id: int) -> UnmatchedEntry:
    row = UnmatchedEntry.objects.filter(user=user, pk=unmatched_id).first()
    if row is None:
        raise UnmatchedEntry.DoesNotExist(f"you have no unmatched entry #{unmatched_id}")
    if row.state != UnmatchedState.OPEN:
        done = "is already matched to a title" if row.state == UnmatchedState.RESOLVED else "was left out"
        raise FetchNotOpen(f"“{row.name}” {done}; there is nothing to fetch for it.")
    return row


def _ids_of(row: UnmatchedEntry) -> dict[str, str]:
    """The entry's usable ids by source: whole positive numbers, as the list file gave them."""
    fields = row.fields if isinstance(row.fields, dict) else {}
    ids = {}
    for source, key in FETCH_ORDER:
        value = str(fields.get(key) or "").strip()
        if value.isascii() and value.isdigit() and int(value) > 0:
            ids[source] = str(int(value))
    if not ids:
        raise FetchNoId(
            f"“{row.name}” came without an AniList or MyAnimeList id, so there is nothing to fetch it by. "
            "Search the catalog for the title and pick it, or leave the entry out."
        )
    return ids


def _known_title(ids: dict[str, str]) -> tuple[tuple[str, str], Title] | None:
    for source, _ in KNOWN_ORDER:
        if source in ids:
            value = external_id_normalize(source, ids[source])
            title = Title.objects.filter(external_ids__source=source, external_ids__external_id=value).first()
            if title is not None:
                return (source, ids[source]), title
    return None


# --- the source ---------------------------------------------------------------------------------------


def _adapter(source: str) -> tuple[CatalogAdapter, Limiter]:
    """The source's adapter with this process's shared limiter (its spacing and the server's holds bind
    every request sent to the source) and the short retry policy of a request someone waits on."""
    shared = adapter_get(source)
    if not isinstance(shared, AdapterBase):
        raise TypeError(f"the {source} adapter does not pace its requests through a Throttle")
    fetcher = copy.copy(shared)
    limiter = shared.throttle.limiter
    fetcher.throttle = Throttle(shared.label, limiter, FETCH_RETRY, adapt_per_minute=shared.adapt_per_minute)
    return cast("CatalogAdapter", fetcher), limiter


@contextlib.contextmanager
def _turn(source: str, limiter: Limiter) -> Iterator[None]:
    """This process's one fetch from the source, refused at once while the source asked us to hold off."""
    label = LABELS[source]
    if not _TURNS[source].acquire(timeout=FETCH_RETRY.max_wait):
        raise FetchRateLimited(f"Another fetch from {label} is still running. Try again in a moment.")
    try:
        wait = limiter.hold_until - limiter.clock()
        if wait > FETCH_RETRY.max_wait:
            raise FetchRateLimited(
                f"{label} asked us to pause for about {_minutes(wait)}. Try again after that; nothing was changed."
            )
        yield
    finally:
        _TURNS[source].release()


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def _client(client: httpx.Client | None) -> contextlib.AbstractContextManager[httpx.Client]:
    return contextlib.nullcontext(client) if client is not None else http_client()


def _record_fetch(source: str, source_id: str, client: httpx.Client | None) -> SourceRecord:
    """The source's record for one id: one request (and at most one retry), or a FetchError."""
    (adapter, limiter), label = _adapter(source), LABELS[source]
    with _turn(source, limiter), _client(client) as http:
        try:
            pages = adapter.fetch(http, filters={"id": [int(source_id)]}, since=None, limit=1, checkpoint=None)
            rows = [row for page, _ in pages for row in page]
        except SourceRateLimited as exc:
            raise FetchRateLimited(
                f"{label} is limiting how often we may ask right now. Try again in a few minutes; nothing was changed."
            ) from exc
        except SourceOutage as exc:
            raise FetchUnavailable(
                f"{label} says its API is down for now. Try again later; nothing was changed."
            ) from exc
        except (SourceError, httpx.HTTPError) as exc:
            raise FetchUnavailable(f"{_reason(exc, label)}. Try again later; nothing was changed.") from exc
    return _record_of(rows, source, source_id)


def _reason(exc: Exception, label: str) -> str:
    """The source's own words, without the advice meant for an operator resuming a command-line run."""
    if not isinstance(exc, SourceError):
        return f"Could not fetch from {label} ({type(exc).__name__})"
    said = str(exc).split("; gave up", 1)[0].split(". Check the filters", 1)[0][:300]
    return said[:1].upper() + said[1:] if said else f"Could not fetch from {label}"


def _record_of(rows: list[SourceRecord | RowError], source: str, source_id: str) -> SourceRecord:
    label = LABELS[source]
    record = next((r for r in rows if isinstance(r, SourceRecord) and r.source_id == source_id), None)
    if record is not None:
        return record
    errors = [r for r in rows if isinstance(r, RowError)]
    if errors and NOT_FOUND_REASON not in errors[0].reason:
        raise FetchRejected(f"{label}'s answer for id {source_id} cannot be imported: {errors[0].reason}.")
    raise _not_found(label, source_id)


def _not_found(label: str, source_id: str) -> FetchNotFound:
    """Said alike of an id the source does not know and of a title behind the reader's age gate, which
    does not exist for them."""
    return FetchNotFound(
        f"{label} gives no manga with the id {source_id} that shuraba can add for you: the list may carry an id "
        "the site has since removed. Search the catalog for the title and pick it, or leave the entry out."
    )


# --- import and resolve ---------------------------------------------------------------------------------


def _import_and_resolve(user: User, unmatched_id: int, source: str, record: SourceRecord) -> FetchOutcome:
    """One transaction: the import and the entry's resolution both happen, or neither. A record sent to
    match review commits its review (for an editor) and raises FetchNeedsReview."""
    label = LABELS[source]
    Suggester.train()  # fitted (or found fitted) before the transaction takes the database's write lock
    with transaction.atomic():
        # No reader or entry in the run's command: editors read runs, and a fetch would tell them what a reader reads.
        command = f"library fetch: {source} id {record.source_id}"
        try:
            run = records_import(records=[record], source=source, command=command)
        except VocabularyMissing as exc:  # the operator's to fix; the reader is told it is not theirs
            raise FetchUnavailable(
                "Titles cannot be added from other sites right now: the site's setup is unfinished. Search the "
                "catalog for the title and pick it, or leave the entry out; try again later."
            ) from exc
        _import_check(run, label, record.source_id)
        title_id = SourceSnapshot.objects.filter(source=source, source_id=record.source_id).values_list(
            "title_id", flat=True
        )
        title = Title.objects.filter(pk__in=title_id).first()
        if title is not None and not visibility_of_account(user).rating_shown(title.content_rating):
            raise _not_found(label, record.source_id)  # the import is undone with the transaction
        if title is not None:
            entry = _resolve(user, unmatched_id, title)
            how = "fetched" if run.this_run.created else "merged"
            return FetchOutcome(entry, title, source, record.source_id, how)
    raise FetchNeedsReview(
        f"{label}'s entry for id {record.source_id} may be a title the catalog already has, so an editor will "
        "check before it is added. Until then, search the catalog and pick the title, or leave the entry out."
    )


def _import_check(run: RunOutcome, label: str, source_id: str) -> None:
    if run.stopped:
        raise FetchRejected(f"{label}'s entry for id {source_id} breaks a catalog rule: {run.stopped}.")
    if run.this_run.errors:
        raise FetchRejected(f"{label}'s entry for id {source_id} cannot be imported: {run.this_run.errors[0].reason}.")


def _resolve(user: User, unmatched_id: int, title: Title) -> LibraryEntry:
    with transaction.atomic():
        if not UnmatchedEntry.objects.filter(user=user, pk=unmatched_id, state=UnmatchedState.OPEN).exists():
            raise FetchNotOpen("This entry was matched or left out meanwhile; there is nothing to fetch for it.")
        try:
            return unmatched_resolve(user=user, unmatched_id=unmatched_id, title=title)
        except BadQuery as exc:
            raise FetchRejected(f"The entry could not join your library: {exc.message}. Nothing was changed.") from exc
