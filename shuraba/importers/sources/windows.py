"""Walking MangaDex past its 10,000-result cap: year partitions and createdAtSince windows.

`GET /manga` refuses offset + limit above 10,000 for any one query. Results are walked in creation order;
before a page would cross the cap, a new window starts at createdAtSince = one second before the newest
creation time seen, at offset 0, and results already seen in that last second are not yielded again
(whether MangaDex reads createdAtSince as inclusive or not). `--since` adds one partition per year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from shuraba.importers.sources import fieldmap as f
from shuraba.importers.sources.ratelimit import SourceError

PAGE_SIZE = 100  # the maximum `limit`
RESULT_CAP = 10_000  # offset + limit may not exceed this
CREATED_FORMAT = "%Y-%m-%dT%H:%M:%S"  # what createdAtSince accepts
Params = list[tuple[str, str | int | float | bool | None]]


@dataclass(frozen=True)
class Window:
    """Where a walk stands: the year partition, the createdAtSince window inside it and the offset in that.
    `recent` holds the results seen within the last second of creation times, to drop repeats when the
    next window starts one second back."""

    years: tuple[int, ...] = ()  # partitions still to walk (empty: one partition, no year)
    since: str | None = None
    offset: int = 0
    recent: dict[str, str] = field(default_factory=dict)  # id -> createdAt
    done: bool = False

    @classmethod
    def resume(cls, checkpoint: Mapping[str, Any] | None, years: tuple[int, ...]) -> Window:
        if not checkpoint:
            return cls(years=years)
        try:
            return cls(
                years=tuple(int(y) for y in checkpoint["years"]),
                since=checkpoint["since"],
                offset=int(checkpoint["offset"]),
                recent=dict(checkpoint["recent"]),
                done=bool(checkpoint["done"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceError(f"checkpoint {dict(checkpoint)!r} is not a MangaDex checkpoint ({exc})") from exc

    def as_checkpoint(self) -> dict[str, Any]:
        return {
            "years": list(self.years),
            "since": self.since,
            "offset": self.offset,
            "recent": self.recent,
            "done": self.done,
        }

    def params(self) -> Params:
        params: Params = [("offset", str(self.offset)), ("limit", str(PAGE_SIZE)), ("order[createdAt]", "asc")]
        params += [("year", str(self.years[0]))] if self.years else []
        return params + ([("createdAtSince", self.since)] if self.since else [])

    def consumed(self, items: list[Mapping[str, Any]]) -> Window:
        recent = dict(self.recent)
        for item in items:
            created, ident = _created(item), item.get("id")
            if created is None or not isinstance(ident, str):
                continue
            floor = (created - dt.timedelta(seconds=1)).strftime(CREATED_FORMAT)
            recent = {k: v for k, v in recent.items() if v >= floor} | {ident: created.strftime(CREATED_FORMAT)}
        return replace(self, offset=self.offset + len(items), recent=recent)

    def next_window(self) -> Window:
        """Start again one second before the newest creation time seen, with offset 0."""
        if not self.recent:
            raise SourceError(
                "MangaDex: cannot move past the 10,000-result cap without creation times; narrow the filters"
            )
        newest = max(self.recent.values())
        start = (dt.datetime.fromisoformat(newest) - dt.timedelta(seconds=1)).strftime(CREATED_FORMAT)
        if start == self.since:
            raise SourceError(f"MangaDex: more than {RESULT_CAP} results created within one second; narrow the filters")
        return replace(self, since=start, offset=0)

    def next_partition(self) -> Window:
        if len(self.years) > 1:
            return Window(years=self.years[1:])
        return replace(self, done=True)

    def skipped(self) -> Window:
        """Step over an unreadable page (its results are reported as one row error)."""
        return replace(self, offset=self.offset + PAGE_SIZE)


def _created(item: Mapping[str, Any]) -> dt.datetime | None:
    try:
        stamp = f.timestamp(item, "attributes.createdAt")
    except f.FieldError:
        return None
    return stamp.astimezone(dt.UTC).replace(tzinfo=None) if stamp else None
