"""The import side of the bulk path: one chunk of records in, one catalog plan and the snapshots out.

Per chunk: check records and compute facts; skip those whose snapshot already holds the same facts
(so an identical rerun writes nothing); decide identities; load what the touched titles hold; compute
each title's desired state from all its sources' snapshots (merge.py); plan only the differences. The
catalog writes the plan (`catalog.bulk.catalog_plan_apply`: its rules, its ChangeRecords and change-log
rows, one statement per table); the importer writes only its own rows, the snapshots.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils import timezone

from shuraba.catalog.bulk import catalog_plan_apply
from shuraba.catalog.models import SOURCE_EDITOR, SOURCE_IMPORT_PREFIX, Title
from shuraba.catalog.plan import (
    AltTitleAdd,
    CatalogPlan,
    CreatorNew,
    CreditAdd,
    ExternalIdAdd,
    TagRemove,
    TagSet,
    TitleFieldSet,
    TitleNew,
)
from shuraba.core.bulk import rows_insert
from shuraba.importers import merge
from shuraba.importers.facts import Facts, creator_slug, slug_base
from shuraba.importers.identity import Candidate, creator_normalize, name_normalize
from shuraba.importers.merge import Snap
from shuraba.importers.models import SourceSnapshot
from shuraba.importers.records import SourceRecord
from shuraba.importers.state import TitleState


def _by(source: str) -> str:
    """The provenance of what an import source says: `import:<source>`."""
    return f"{SOURCE_IMPORT_PREFIX}{source}"


@dataclass
class Item:
    """A checked record on its way in."""

    where: str
    facts: Facts
    source: str
    source_id: str
    record: SourceRecord

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.source_id)


class Draft(NamedTuple):
    """A title the plan creates, as the suggestions and the name index see it; the catalog makes the row."""

    title: str
    start_date: dt.date | None
    content_rating: str


@dataclass
class Plan:
    """One chunk's writes, keyed by title pk or, for new titles, a negative placeholder: the catalog's part
    (written by the catalog), the snapshots, and what suggestions and the name index need."""

    reason: str
    catalog: CatalogPlan = field(init=False)
    titles: dict[int, Title | Draft] = field(default_factory=dict)  # each title as the plan leaves it, in memory
    snaps_new: list[tuple[int, Item]] = field(default_factory=list)
    snaps_changed: list[tuple[int, Item]] = field(default_factory=list)
    candidates: dict[int, Candidate] = field(default_factory=dict)
    final_tags: dict[int, dict[str, int]] = field(default_factory=dict)
    evidence: dict[int, list[tuple[str, str, float, str, str]]] = field(default_factory=dict)
    rating: dict[int, merge.Sourced] = field(default_factory=dict)
    guarded_rating: set[int] = field(default_factory=set)  # content rating is an editor's (or a model's)

    def __post_init__(self) -> None:
        self.catalog = CatalogPlan(reason=self.reason)


def _stricter(state: TitleState, name: str, old: object, new: object) -> bool:
    """A source may raise a model's or the community's content rating (never an editor's), never lower it."""
    if name != "content_rating" or state.owner(name)[0] == SOURCE_EDITOR:
        return False
    return merge.rating_raises(old, new)


def _slugs(title: str, start: dt.date | None, first: Item) -> tuple[str, ...]:
    """A new title's slugs in order of preference (the catalog takes the first free one): the name, then
    name-year, then name-source-id."""
    fallback = f"{first.source}-{first.source_id}"
    base = slug_base(title, fallback)
    year = f"-{start.year}" if start else ""
    return (base, f"{base}{year}" if year else base, f"{base}-{fallback}"[:200], fallback)


def _plan_fields(plan: Plan, key: int, state: TitleState | None, fields: dict[str, merge.Sourced], first: Item) -> None:
    if state is None:
        values = {name: sourced.value for name, sourced in fields.items()}
        start = values.get("start_date")
        plan.titles[key] = Draft(values["title"], start, values["content_rating"])
        slugs = _slugs(values["title"], start, first)
        plan.catalog.titles.append(TitleNew(key, values, slugs, _by(first.source)))
        return
    title = state.title
    plan.titles[key] = title
    if not state.writable("content_rating"):
        plan.guarded_rating.add(key)
    for name, sourced in fields.items():
        old = getattr(title, name)
        if old != sourced.value and (state.writable(name) or _stricter(state, name, old, sourced.value)):
            setattr(title, name, sourced.value)  # the in-memory title the suggestions read; the catalog writes
            plan.catalog.fields.append(TitleFieldSet(key, name, sourced.value, _by(sourced.source)))


def _plan_names(plan: Plan, key: int, state: TitleState | None, snaps: list[Snap]) -> set[str]:
    have = state.names if state else set()
    wanted = merge.names_merge(snaps)
    for (kind, text), source in wanted.items():
        if (kind, text) not in have:
            plan.catalog.alt_titles.append(AltTitleAdd(key, kind, text, _by(source)))
    return {name_normalize(text) for _, text in (*have, *wanted)}


def _plan_credits(plan: Plan, key: int, state: TitleState | None, snaps: list[Snap]) -> set[str]:
    have = state.credits if state else set()
    people = set()
    for (name, role), (native, source) in merge.creators_merge(snaps).items():
        slug = creator_slug(name)
        people.add(creator_normalize(name))
        plan.catalog.creators.setdefault(slug, CreatorNew(slug, name[:200], native[:200]))
        if (slug, role) not in have:
            have = {*have, (slug, role)}
            plan.catalog.credits.append(CreditAdd(key, slug, role, _by(source)))
    return people


def _plan_ids(
    plan: Plan, key: int, state: TitleState | None, snaps: list[Snap], taken: dict[tuple[str, str], int]
) -> set[str]:
    have: dict[str, set[str]] = defaultdict(set, {k: set(v) for k, v in (state.ids if state else {}).items()})
    for (source, value), via in merge.ids_merge(snaps).items():
        owner = taken.get((source, value), key)
        if owner != key or have[source]:
            continue  # one id per source per title; an id another title holds stays with it
        taken[(source, value)] = key
        have[source].add(value)
        plan.catalog.external_ids.append(ExternalIdAdd(key, source, value, _by(via)))
    return set(have) | {s.source for s in snaps}


def _plan_tags(plan: Plan, key: int, state: TitleState | None, snaps: list[Snap]) -> None:
    """Tags an import gave follow the sources (added, changed, removed); an editor's or a locked tag stays."""
    wanted = merge.tags_merge(snaps)
    have = state.tags if state else {}
    final = {slug: row.relevance for slug, row in have.items()}
    for slug, value in wanted.items():
        row = have.get(slug)
        if row is not None and (row.locked or not row.source.startswith(SOURCE_IMPORT_PREFIX)):
            continue  # an editor's (or a locked) tag is theirs
        given = (value.relevance, value.spoiler, value.severity, _by(value.source))
        if row is None or given != (row.relevance, row.spoiler, row.severity, row.source):
            plan.catalog.tags.append(TagSet(key, slug, *given))
            final[slug] = value.relevance
    for slug, row in have.items():
        if slug not in wanted and not row.locked and row.source.startswith(SOURCE_IMPORT_PREFIX):
            plan.catalog.tags_removed.append(TagRemove(key, slug, row.source))
            final.pop(slug, None)
    plan.final_tags[key] = final


def plan_title(
    plan: Plan, key: int, items: list[Item], state: TitleState | None, taken: dict[tuple[str, str], int]
) -> None:
    """Add one title's writes to the plan: the merge of its old snapshots and this chunk's records."""
    snaps_by_key = {k: snap for k, (_, snap) in (state.snaps.items() if state else ())}
    for item in items:
        snaps_by_key[item.key] = Snap(item.source, item.source_id, item.facts)
        old = state.snaps.get(item.key) if state else None
        (plan.snaps_changed if old else plan.snaps_new).append((old[0] if old else key, item))
    snaps = list(snaps_by_key.values())
    fields = merge.fields_merge(snaps)
    _plan_fields(plan, key, state, fields, items[0])
    names = _plan_names(plan, key, state, snaps) | {name_normalize(plan.titles[key].title)}
    people = _plan_credits(plan, key, state, snaps)
    sources = _plan_ids(plan, key, state, snaps, taken)
    _plan_tags(plan, key, state, snaps)
    start = plan.titles[key].start_date
    plan.candidates[key] = Candidate(
        key, frozenset(names), start.year if start else None, frozenset(people), frozenset(sources)
    )
    plan.evidence[key] = merge.evidence_merge(snaps)
    plan.rating[key] = fields["content_rating"]


# --- writing -------------------------------------------------------------------------------------


def _snapshots_write(plan: Plan, pks: dict[int, int]) -> None:
    now = timezone.now()
    rows_insert(
        SourceSnapshot,
        ("title_id", "source", "source_id", "facts", "fetched_at"),
        ((pks[key], i.source, i.source_id, i.facts, now) for key, i in plan.snaps_new),
    )
    changed = [
        SourceSnapshot(pk=pk, facts=item.facts, fetched_at=now, source=item.source, source_id=item.source_id)
        for pk, item in plan.snaps_changed
    ]
    SourceSnapshot.objects.bulk_update(changed, ["facts", "fetched_at"])


def plan_write(plan: Plan) -> tuple[dict[int, int], frozenset[int]]:
    """The catalog writes its part of the plan (checked by its own rules, CatalogError if refused), then the
    snapshots are written, all in the caller's transaction; return placeholder -> pk and the changed titles."""
    result = catalog_plan_apply(plan=plan.catalog)
    pks = {key: key for key in plan.titles if key > 0} | result.pks
    _snapshots_write(plan, pks)
    return pks, result.touched
