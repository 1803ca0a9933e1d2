"""The shared shape of imported facts: every source adapter yields these, the pipeline consumes them.

Facts only: ids, titles, dates, counts, flags, tags with ranks, creators. Never synopses or other prose
(they are the sources' writing, not ours).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx


@dataclass(frozen=True)
class SourceTag:
    """A source's own tag, genre or category on one work, before mapping onto our vocabulary."""

    name: str
    rank: int | None = None  # 0-100 relevance (AniList rank; MangaUpdates votes scaled; None = unranked)
    kind: str = "tag"  # tag | genre | theme | category | demographic | content-rating
    spoiler: bool = False
    adult: bool = False


@dataclass(frozen=True)
class SourceCreator:
    name: str
    native_name: str = ""
    role: str = "story-art"  # story | art | story-art | original (our CreditRole values)
    source_id: str = ""


@dataclass(frozen=True)
class SourceRecord:
    """One work as one source describes it."""

    source: str  # anilist | mangadex | mangaupdates | mal (jikan) | file sources use the source they mirror
    source_id: str
    title: str
    alt_titles: tuple[tuple[str, str], ...] = ()  # (kind, text); kinds: romaji | english | native | synonym
    format: str | None = None  # our Format values
    status: str | None = None  # our Status values
    country: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    chapters: int | None = None
    volumes: int | None = None
    is_adult: bool | None = None  # the source's adult flag (None = the source does not say)
    content_rating: str | None = None  # our ContentRating value when the source's own rating maps onto it
    score: int | None = None  # 0-100
    score_votes: int | None = None  # how many readers the score is from, where the source says
    popularity: int | None = None
    tags: tuple[SourceTag, ...] = ()
    creators: tuple[SourceCreator, ...] = ()
    cross_ids: Mapping[str, str] = field(default_factory=dict)  # {"mal": "1", "anilist": "30001", ...}
    url: str = ""
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class RowError:
    """A row that could not become a SourceRecord: reported with where it was and why, never skipped."""

    where: str  # "line 17", "anilist id 30001", "page 3 item 12"
    reason: str


class SourceAdapter(Protocol):
    """One public catalog. Adapters never open their own connections: the client is injected."""

    name: str

    def fetch(
        self,
        client: httpx.Client,
        *,
        filters: Mapping[str, Any],
        since: dt.date | None,
        limit: int | None,
        checkpoint: Mapping[str, Any] | None,
    ) -> Iterator[tuple[list[SourceRecord | RowError], dict[str, Any]]]:
        """Yield (parsed page, checkpoint to resume after that page)."""
        ...

    def parse_page(self, payload: Any, *, where: str) -> list[SourceRecord | RowError]:
        """Parse one saved API page (the same JSON the API returns) into records."""
        ...
