"""What the catalog already holds for the titles a chunk touches, loaded in a handful of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from shuraba.catalog.models import (
    SOURCE_IMPORT_PREFIX,
    AltTitle,
    ChangeRecord,
    Credit,
    ExternalId,
    Title,
    TitleTag,
)
from shuraba.importers.identity import Candidate, NameIndex, creator_normalize, name_normalize
from shuraba.importers.merge import Snap
from shuraba.importers.models import SourceSnapshot


@dataclass
class TitleState:
    """One existing title and everything an import may compare against."""

    title: Title
    snaps: dict[tuple[str, str], tuple[int, Snap]] = field(default_factory=dict)  # key -> (snapshot pk, snap)
    names: set[tuple[str, str]] = field(default_factory=set)
    credits: set[tuple[str, str]] = field(default_factory=set)  # (creator slug, role)
    ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    tags: dict[str, TitleTag] = field(default_factory=dict)
    owners: dict[str, tuple[str, bool]] = field(default_factory=dict)  # field -> (source, set explicitly)
    created_by: str = "editor"

    def owner(self, name: str) -> tuple[str, bool]:
        """Who set a field: the newest change record for it, else whoever created the title."""
        return self.owners.get(name, (self.created_by, False))

    def writable(self, name: str) -> bool:
        """Imports may change fields an import set; others only when blank and never set on purpose."""
        source, explicit = self.owner(name)
        if source.startswith(SOURCE_IMPORT_PREFIX):
            return True
        return not explicit and getattr(self.title, name) in (None, "")


def titles_load(pks: Iterable[int]) -> dict[int, TitleState]:
    pks = sorted(set(pks))
    if not pks:
        return {}
    states = {t.pk: TitleState(title=t) for t in Title.objects.filter(pk__in=pks)}
    for snap in SourceSnapshot.objects.filter(title_id__in=pks).order_by("pk"):
        states[snap.title_id].snaps[(snap.source, snap.source_id)] = (
            snap.pk,
            Snap(snap.source, snap.source_id, snap.facts),
        )
    for title_id, kind, text in AltTitle.objects.filter(title_id__in=pks).values_list("title_id", "kind", "text"):
        states[title_id].names.add((kind, text))
    for title_id, slug, role in Credit.objects.filter(title_id__in=pks).values_list(
        "title_id", "creator__slug", "role"
    ):
        states[title_id].credits.add((slug, role))
    for title_id, source, value in ExternalId.objects.filter(title_id__in=pks).values_list(
        "title_id", "source", "external_id"
    ):
        states[title_id].ids[source].add(value)
    for row in TitleTag.objects.filter(title_id__in=pks).select_related("tag"):
        states[row.title_id].tags[row.tag.slug] = row
    history = ChangeRecord.objects.filter(title_id__in=pks, entity="title").order_by("at", "pk")
    for title_id, name, source in history.values_list("title_id", "field", "source"):
        if name == "created":
            states[title_id].created_by = source
        else:
            states[title_id].owners[name] = (source, True)
    return states


def name_index_load() -> NameIndex:
    """Every real (non-fictional) title as a fuzzy-match candidate: names, year, creators, id sources."""
    index = NameIndex()
    names: dict[int, set[str]] = defaultdict(set)
    creators: dict[int, set[str]] = defaultdict(set)
    sources: dict[int, set[str]] = defaultdict(set)
    titles = Title.objects.filter(is_fictional=False)
    years = {pk: start.year if start else None for pk, start in titles.values_list("pk", "start_date")}
    for pk, text in titles.values_list("pk", "title"):
        names[pk].add(name_normalize(text))
    for pk, text in AltTitle.objects.filter(title__is_fictional=False).values_list("title_id", "text"):
        names[pk].add(name_normalize(text))
    credits = Credit.objects.filter(title__is_fictional=False).values_list("title_id", "creator__name")
    for pk, name in credits:
        creators[pk].add(creator_normalize(name))
    for pk, source in ExternalId.objects.filter(title__is_fictional=False).values_list("title_id", "source"):
        sources[pk].add(source)
    for pk, source in SourceSnapshot.objects.filter(title__is_fictional=False).values_list("title_id", "source"):
        sources[pk].add(source)
    for pk, year in years.items():
        index.add(Candidate(pk, frozenset(names[pk]), year, frozenset(creators[pk]), frozenset(sources[pk])))
    return index
