"""What every fetch loop shares: declared filters, the --limit budget and page checkpoints.

Checkpoints are plain JSON-able dicts so a run can store them and resume after a crash; the keys are
documented per source in docs/importers-sources.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process

from shuraba.importers.records import RowError, SourceRecord
from shuraba.importers.sources.ratelimit import SourceError

Row = SourceRecord | RowError
MAX_BAD_PAGES_IN_A_ROW = 3


@dataclass(frozen=True)
class FilterSpec:
    """One filter an adapter accepts, with the API parameter it becomes (rules as data for the CLI and docs)."""

    name: str
    kind: type  # str | int | bool
    api: str  # the source's own parameter
    help: str
    many: bool = False  # takes a list of values

    def describe(self) -> str:
        shape = f"list of {self.kind.__name__}" if self.many else self.kind.__name__
        return f"`{self.name}` ({shape}) → `{self.api}`: {self.help}"

    def check(self, source: str, value: Any) -> Any:
        values = value if isinstance(value, list | tuple) else [value]
        if not self.many and len(values) != 1:
            raise SourceError(f"{source} filter {self.name!r} takes one value, got {len(values)}")
        for one in values:
            if not isinstance(one, self.kind) or (self.kind is int and isinstance(one, bool)):
                got = f"{one!r} ({type(one).__name__})"
                raise SourceError(f"{source} filter {self.name!r} takes {self.kind.__name__} values, got {got}")
        return list(values) if self.many else values[0]


def filters_markdown(specs: Sequence[FilterSpec]) -> str:
    """The filter table for docs/importers-sources.md; a test checks the doc carries it verbatim."""
    lines = ["| filter | takes | source parameter | meaning |", "|---|---|---|---|"]
    for spec in specs:
        shape = f"list of {spec.kind.__name__}" if spec.many else spec.kind.__name__
        lines.append(f"| `{spec.name}` | {shape} | `{spec.api}` | {spec.help} |")
    return "\n".join(lines)


def filters_check(source: str, specs: Sequence[FilterSpec], filters: Mapping[str, Any]) -> dict[str, Any]:
    """Validate filters against the declared specs; an unknown name gets the closest known one as a hint."""
    by_name = {spec.name: spec for spec in specs}
    checked: dict[str, Any] = {}
    for name, value in filters.items():
        if value is None or (isinstance(value, list | tuple) and not value):
            continue
        if name not in by_name:
            guess = process.extractOne(name, list(by_name))
            hint = f" Did you mean {guess[0]!r}?" if guess and guess[1] >= 60 else ""
            raise SourceError(f"{source} has no filter {name!r}; it knows {', '.join(by_name)}.{hint}")
        checked[name] = by_name[name].check(source, value)
    return checked


class Budget:
    """The --limit: how many rows (records and row errors) the run may still yield; None is unlimited."""

    def __init__(self, limit: int | None) -> None:
        if limit is not None and limit < 0:
            raise SourceError(f"--limit must be 0 or more, got {limit}")
        self.left = limit

    @property
    def spent(self) -> bool:
        return self.left is not None and self.left <= 0

    def take(self, rows: list[Row]) -> list[Row]:
        if self.left is None:
            return rows
        taken = rows[: self.left]
        self.left -= len(taken)
        return taken


@dataclass(frozen=True)
class PageCursor:
    """Where a page-numbered walk stands: the next page, rows of it already yielded, and whether it is over."""

    page: int = 1
    skip: int = 0
    done: bool = False

    @classmethod
    def resume(cls, checkpoint: Mapping[str, Any] | None) -> PageCursor:
        if not checkpoint:
            return cls()
        try:
            return cls(page=int(checkpoint["page"]), skip=int(checkpoint.get("skip", 0)), done=bool(checkpoint["done"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceError(
                f"checkpoint {dict(checkpoint)!r} is not a page checkpoint ({exc}); start a new run"
            ) from exc

    def as_checkpoint(self) -> dict[str, Any]:
        return {"page": self.page, "skip": self.skip, "done": self.done}

    def after(self, rows_on_page: int, yielded: int, *, has_next: bool) -> PageCursor:
        """The cursor once `yielded` rows of this page (from `skip` on) have been handed out."""
        if self.skip + yielded < rows_on_page:
            return PageCursor(self.page, self.skip + yielded, done=False)
        return PageCursor(self.page + 1, 0, done=not has_next)


class BadPageStreak:
    """Bad pages are reported and skipped, but several in a row mean the source is broken: stop then."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.count = 0

    def record(self, *, bad: bool) -> None:
        self.count = self.count + 1 if bad else 0
        if self.count >= MAX_BAD_PAGES_IN_A_ROW:
            raise SourceError(
                f"{self.label} sent {self.count} unreadable pages in a row; stopping. "
                "The API may be changing or failing: try again later and resume from the checkpoint."
            )


def fuzzy_date_int(day: dt.date) -> int:
    """AniList's FuzzyDateInt (YYYYMMDD)."""
    return day.year * 10000 + day.month * 100 + day.day
