"""One module per public catalog. Each exposes `ADAPTER` (a CatalogAdapter), its field-mapping table
(`RULES`) and the filters it accepts (`FILTERS`); `adapter_get` finds one by the name records carry."""

from __future__ import annotations

import importlib
from typing import Protocol, cast

from shuraba.importers.records import SourceAdapter
from shuraba.importers.sources.fieldmap import FieldRule
from shuraba.importers.sources.paging import FilterSpec
from shuraba.importers.sources.ratelimit import SourceError

# record source name -> module (Jikan's records say "mal": the data is MyAnimeList's)
SOURCE_MODULES = {
    "anilist": "shuraba.importers.sources.anilist",
    "mangadex": "shuraba.importers.sources.mangadex",
    "mangaupdates": "shuraba.importers.sources.mangaupdates",
    "mal": "shuraba.importers.sources.jikan",
}
ALIASES = {"jikan": "mal", "myanimelist": "mal"}


class CatalogAdapter(SourceAdapter, Protocol):
    """A SourceAdapter that also describes itself: its display label, field map and filters."""

    label: str
    rules: tuple[FieldRule, ...]
    filters: tuple[FilterSpec, ...]


def adapter_get(name: str) -> CatalogAdapter:
    """The adapter for a source name (`anilist`, `mangadex`, `mangaupdates`, `mal` or `jikan`)."""
    key = ALIASES.get(name, name)
    if key not in SOURCE_MODULES:
        raise SourceError(f"unknown source {name!r}; known: {', '.join([*SOURCE_MODULES, *ALIASES])}")
    return cast("CatalogAdapter", importlib.import_module(SOURCE_MODULES[key]).ADAPTER)
