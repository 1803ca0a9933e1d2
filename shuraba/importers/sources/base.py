"""What every catalog adapter shares: its description, one throttle per adapter, reading a saved page."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from shuraba.importers.records import RowError, SourceRecord
from shuraba.importers.sources.fieldmap import FieldRule
from shuraba.importers.sources.paging import FilterSpec
from shuraba.importers.sources.ratelimit import Clock, Limiter, Rate, Sleep, Throttle


class AdapterBase:
    """Subclasses name themselves, their field map, filters and rates, and read one page of their API
    (`page_read`); `fetch` is each source's own."""

    name: str
    label: str
    rules: tuple[FieldRule, ...]
    filters: tuple[FilterSpec, ...]
    rates: ClassVar[tuple[Rate, ...]]
    adapt_per_minute: ClassVar[bool] = False  # the server's X-RateLimit-Limit headers retune the rate (AniList)

    def __init__(self, *, clock: Clock = time.time, sleep: Sleep = time.sleep) -> None:
        self.clock = clock
        limiter = Limiter(*self.rates, clock=clock, sleep=sleep)
        self.throttle = Throttle(self.label, limiter, adapt_per_minute=self.adapt_per_minute)

    @staticmethod
    def page_read(payload: Any, *, where: str) -> tuple[list[SourceRecord | RowError], Any]:
        raise NotImplementedError

    def parse_page(self, payload: Any, *, where: str) -> list[SourceRecord | RowError]:
        """The records of one saved API page (file import of recorded answers)."""
        return self.page_read(payload, where=where)[0]
