"""Writes of the import pipeline: a chunk of records into the catalog, and editors' decisions on the queues.

`chunk_import` is the one way records enter the catalog: one transaction per chunk, holding the
catalog writes (through the catalog's bulk API), their ChangeRecords and change-log rows, the snapshots,
review and suggestion queues, the rejected rows and the run's checkpoint, so a crash loses no committed
chunk and leaves no half.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shuraba.catalog.models import ExternalId
from shuraba.importers.facts import Mapper, RecordInvalid, record_facts, record_to_json, row_error
from shuraba.importers.identity import Candidate, Match, NameIndex, creator_normalize, name_normalize, source_name
from shuraba.importers.models import ImportRowError, ImportRun, MatchReview, ReviewStatus, SourceSnapshot, SourceTerm
from shuraba.importers.records import RowError, SourceRecord, SourceTag
from shuraba.importers.state import name_index_load, titles_load
from shuraba.importers.upsert import Item, Plan, plan_title, plan_write
from shuraba.taxonomy.models import Tag

if TYPE_CHECKING:
    from shuraba.importers.files import Term
    from shuraba.importers.suggest import Suggester

Entry = tuple[str, SourceRecord | RowError]


@dataclass
class ImportContext:
    """What a run keeps between chunks: its row, the tag mapper, the vocabulary, the name index, the model."""

    run: ImportRun
    mapper: Mapper
    known_tags: dict[str, str | None]
    suggester: Suggester | None = None
    index: NameIndex | None = None
    placeholder: int = 0
    forced: dict[tuple[str, str], int] = field(default_factory=dict)  # an editor's identity decision; 0 = new

    @classmethod
    def build(cls, *, run: ImportRun, mapper: Mapper, suggester: Suggester | None = None) -> ImportContext:
        tags = Tag.objects.select_related("category")
        return cls(
            run=run,
            mapper=mapper,
            known_tags={t.slug: (t.default_severity or "moderate") if t.is_warning else None for t in tags},
            suggester=suggester,
        )

    def name_index(self) -> NameIndex:
        if self.index is None:
            self.index = name_index_load()
        return self.index

    def next_placeholder(self) -> int:
        self.placeholder -= 1
        return self.placeholder


@dataclass
class ChunkReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reviews: int = 0
    suggestions: int = 0
    errors: list[RowError] = field(default_factory=list)

    def add(self, other: ChunkReport) -> None:
        for name in ("created", "updated", "unchanged", "rejected", "reviews", "suggestions"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)


# --- records to checked items --------------------------------------------------------------------


def _items(context: ImportContext, entries: Sequence[Entry], report: ChunkReport) -> list[Item]:
    items: dict[tuple[str, str], Item] = {}
    for where, entry in entries:
        if isinstance(entry, RowError):
            report.errors.append(entry)
            continue
        try:
            facts = record_facts(entry, mapper=context.mapper, known_tags=context.known_tags)
        except (RecordInvalid, ValueError, TypeError, AttributeError) as exc:
            report.errors.append(row_error(where, exc))
            continue
        source = source_name(entry.source)
        item = Item(where, facts, source, facts["ids"][source], entry)
        earlier = items.pop(item.key, None)
        if earlier is not None:
            reason = f"{source} {item.source_id} appears again at {where}; that later row is imported"
            report.errors.append(RowError(earlier.where, reason))
        items[item.key] = item
    return list(items.values())


def _fresh(items: list[Item], report: ChunkReport) -> tuple[list[Item], dict[tuple[str, str], int]]:
    """Drop items whose snapshot already holds the same facts; return the rest and known snapshot titles."""
    condition = Q(pk__in=[])
    for source in {i.source for i in items}:
        condition |= Q(source=source, source_id__in=[i.source_id for i in items if i.source == source])
    known = {(s.source, s.source_id): s for s in SourceSnapshot.objects.filter(condition)}
    fresh = []
    for item in items:
        snap = known.get(item.key)
        if snap is not None and snap.facts == item.facts:
            report.unchanged += 1
        else:
            fresh.append(item)
    return fresh, {key: snap.title_id for key, snap in known.items()}


# --- identity ------------------------------------------------------------------------------------


@dataclass
class Resolution:
    targets: dict[int, list[Item]] = field(default_factory=dict)
    reviews: list[tuple[Item, Match]] = field(default_factory=list)
    taken: dict[tuple[str, str], int] = field(default_factory=dict)  # external id -> title key
    sources: dict[int, set[str]] = field(default_factory=dict)  # title key -> sources with a record of it
    ids: dict[int, set[tuple[str, str]]] = field(default_factory=dict)  # title key -> its external ids
    overlay: NameIndex = field(default_factory=NameIndex)

    def assign(self, key: int, item: Item) -> None:
        self.targets.setdefault(key, []).append(item)
        self.sources.setdefault(key, set()).add(item.source)
        for pair in item.facts["ids"].items():
            self.taken.setdefault(pair, key)
            self.ids.setdefault(key, set()).add(pair)

    def conflict(self, key: int, item: Item) -> bool:
        """Would the title hold two records, or two ids, of the item's source?"""
        if item.source in self.sources.get(key, set()):
            return True
        own = {v for s, v in self.ids.get(key, set()) if s == item.source}
        return bool(own) and item.source_id not in own


def _ids_load(items: list[Item], resolution: Resolution) -> None:
    pairs = {pair for item in items for pair in item.facts["ids"].items()}
    condition = Q(pk__in=[])
    for source in {s for s, _ in pairs}:
        condition |= Q(source=source, external_id__in=[v for s, v in pairs if s == source])
    rows = list(ExternalId.objects.filter(condition).values_list("source", "external_id", "title_id"))
    resolution.taken.update({(s, v): t for s, v, t in rows})
    titles = {t for *_, t in rows}
    ids = ExternalId.objects.filter(title_id__in=titles).values_list("title_id", "source", "external_id")
    for title_id, source, value in ids:
        resolution.ids.setdefault(title_id, set()).add((source, value))
    for title_id, source in SourceSnapshot.objects.filter(title_id__in=titles).values_list("title_id", "source"):
        resolution.sources.setdefault(title_id, set()).add(source)


def _by_name(context: ImportContext, item: Item, resolution: Resolution) -> Match:
    facts = item.facts
    names = {name_normalize(facts["title"])} | {name_normalize(text) for _, text in facts["alt_titles"]}
    year = int(facts["start_date"][:4]) if facts["start_date"] else None
    people = frozenset(creator_normalize(name) for name, *_ in facts["creators"])
    found = [
        index.match(source=item.source, names=names, year=year, creators=people)
        for index in (context.name_index(), resolution.overlay)
    ]
    order = {"merge": 0, "review": 1, "new": 2}
    found.sort(key=lambda m: (order[m.decision], -m.score))
    if found[0].decision == "merge" and found[1].decision == "merge":
        return Match("review", found[0].key, found[0].score, ("two titles match by name",))
    return found[0]


def _resolve_one(context: ImportContext, item: Item, known: dict[tuple[str, str], int], res: Resolution) -> None:
    own = known.get(item.key)
    if item.key in context.forced:
        own = context.forced[item.key] or context.next_placeholder()
    if own is not None:
        res.assign(own, item)
        return
    hits = sorted({res.taken[p] for p in item.facts["ids"].items() if p in res.taken})
    if len(hits) > 1:
        res.reviews.append((item, Match("review", hits[0], 100.0, (f"its ids point to {len(hits)} titles",))))
        return
    match = Match("merge", hits[0], 100.0, ("a cross-site id matches",)) if hits else _by_name(context, item, res)
    if match.decision == "merge" and match.key is not None and res.conflict(match.key, item):
        reason = f"the title already has another {item.source} record"
        match = Match("review", match.key, match.score, (*match.reasons, reason))
    if match.decision == "review":
        res.reviews.append((item, match))
        return
    key = match.key if match.decision == "merge" and match.key is not None else context.next_placeholder()
    res.assign(key, item)
    if key < 0:
        names = {name_normalize(item.facts["title"])} | {name_normalize(t) for _, t in item.facts["alt_titles"]}
        year = int(item.facts["start_date"][:4]) if item.facts["start_date"] else None
        people = frozenset(creator_normalize(n) for n, *_ in item.facts["creators"])
        res.overlay.add(Candidate(key, frozenset(names), year, people, frozenset({item.source})))


def _resolve(context: ImportContext, items: list[Item], known: dict[tuple[str, str], int]) -> Resolution:
    resolution = Resolution()
    _ids_load(items, resolution)
    for item in items:
        _resolve_one(context, item, known, resolution)
    return resolution


# --- the chunk -----------------------------------------------------------------------------------


def _reviews_write(context: ImportContext, reviews: list[tuple[Item, Match]], pks: dict[int, int]) -> None:
    for item, match in reviews:
        key = match.key
        candidate = None if key is None else key if key > 0 else pks.get(key)
        values = {
            "record": record_to_json(item.record),
            "candidate_id": candidate,
            "score": round(match.score, 1),
            "reasons": "; ".join(match.reasons),
        }
        current = MatchReview.objects.filter(
            source=item.source, source_id=item.source_id, status=ReviewStatus.PENDING
        ).first()
        if current is None:
            MatchReview.objects.create(
                run=context.run if context.run.pk else None, source=item.source, source_id=item.source_id, **values
            )
        elif any(getattr(current, k) != v for k, v in values.items()):
            MatchReview.objects.filter(pk=current.pk).update(**values)


def _count(report: ChunkReport, resolution: Resolution, existing: set[int]) -> None:
    for key, items in resolution.targets.items():
        new = key not in existing
        report.created += int(new)
        report.updated += len(items) - int(new)
    report.reviews += len(resolution.reviews)


def _chunk_apply(context: ImportContext, entries: Sequence[Entry]) -> tuple[ChunkReport, Plan, dict[int, int]]:
    report = ChunkReport()
    items = _items(context, entries, report)
    fresh, known = _fresh(items, report)
    resolution = _resolve(context, fresh, known)
    existing = {key for key in resolution.targets if key > 0}
    states = titles_load(existing)
    plan = Plan(reason=f"import run #{context.run.pk or 'dry-run'} ({context.run.source})")
    taken = dict(resolution.taken)
    for key in sorted(resolution.targets, key=lambda k: (k < 0, -k if k < 0 else k)):
        plan_title(plan, key, resolution.targets[key], states.get(key), taken)
    pks, _ = plan_write(plan)
    _reviews_write(context, resolution.reviews, pks)
    _count(report, resolution, existing)
    report.rejected = len(report.errors)
    if context.suggester is not None:
        report.suggestions = context.suggester.queue(plan=plan, pks=pks, run=context.run)
    return report, plan, pks


def _run_advance(run: ImportRun, report: ChunkReport, checkpoint: dict[str, object] | None) -> None:
    for name in ("created", "updated", "unchanged", "rejected", "reviews", "suggestions"):
        setattr(run, name, getattr(run, name) + getattr(report, name))
    run.checkpoint, run.heartbeat_at = checkpoint, timezone.now()
    if run.dry_run:
        return
    counts = ["created", "updated", "unchanged", "rejected", "reviews", "suggestions"]
    run.save(update_fields=[*counts, "checkpoint", "heartbeat_at"])
    ImportRowError.objects.bulk_create(
        ImportRowError(run=run, where=e.where[:120], reason=e.reason[:500]) for e in report.errors
    )


def chunk_import(
    *, context: ImportContext, entries: Sequence[Entry], checkpoint: dict[str, object] | None
) -> ChunkReport:
    """Import one chunk in one transaction, with the run's counters and checkpoint; a dry run rolls it back.

    `entries` pairs each record (or a row that already failed to parse) with where it came from.
    """
    with transaction.atomic():
        report, plan, pks = _chunk_apply(context, entries)
        _run_advance(context.run, report, checkpoint)
        if context.run.dry_run:
            transaction.set_rollback(True)
    if context.index is not None and not context.run.dry_run:
        for key, candidate in plan.candidates.items():
            context.index.add(replace(candidate, key=pks[key]))
    return report


# --- source vocabularies -------------------------------------------------------------------------


def _term_mapping(term: Term, mapper: Mapper) -> tuple[str, str]:
    """What the alias table makes of a term on its own: our tag slugs and axis evidence."""
    record = SourceRecord(
        source=term.source,
        source_id=f"term-{term.term_id}",
        title=term.name,
        tags=(SourceTag(name=term.name, rank=None, kind="tag", adult=term.is_adult),),
    )
    mapped = mapper(record)
    tags = ", ".join(sorted({t.slug for t in mapped.tags}))
    evidence = ", ".join(sorted({f"{e.axis}={e.value}" for e in mapped.evidence}))
    return tags[:300], evidence[:300]


@transaction.atomic
def source_terms_upsert(*, terms: Sequence[tuple[str, Term | RowError]], mapper: Mapper, run: ImportRun) -> ChunkReport:
    """Store a source's tag vocabulary with what each term maps onto, for editors reviewing the alias table.

    Terms touch no title, so they leave no ChangeRecord; an identical file changes nothing. A dry run's
    transaction is rolled back.
    """
    report = ChunkReport()
    rows: dict[tuple[str, str], SourceTerm] = {}
    for where, term in terms:
        if isinstance(term, RowError):
            report.errors.append(term)
            continue
        maps_to, evidence = _term_mapping(term, mapper)
        if (term.source, term.term_id) in rows:
            report.errors.append(RowError(where, f"term id {term.term_id} appears twice; the later row is kept"))
        rows[(term.source, term.term_id)] = SourceTerm(
            source=term.source,
            term_id=term.term_id,
            name=term.name[:120],
            category=term.category[:80],
            is_adult=term.is_adult,
            maps_to=maps_to,
            evidence=evidence,
        )
    _terms_write(rows, report)
    report.rejected = len(report.errors)
    _run_advance(run, report, {"done": True})
    if run.dry_run:
        transaction.set_rollback(True)
    return report


TERM_FIELDS = ("name", "category", "is_adult", "maps_to", "evidence")


def _terms_write(rows: dict[tuple[str, str], SourceTerm], report: ChunkReport) -> None:
    condition = Q(pk__in=[])
    for source in {s for s, _ in rows}:
        condition |= Q(source=source, term_id__in=[t for s, t in rows if s == source])
    existing = {(t.source, t.term_id): t for t in SourceTerm.objects.filter(condition)}
    new, changed = [], []
    for key, row in rows.items():
        old = existing.get(key)
        if old is None:
            new.append(row)
        elif any(getattr(old, f) != getattr(row, f) for f in TERM_FIELDS):
            for name in TERM_FIELDS:
                setattr(old, name, getattr(row, name))
            old.seen_at = timezone.now()
            changed.append(old)
        else:
            report.unchanged += 1
    SourceTerm.objects.bulk_create(new)
    SourceTerm.objects.bulk_update(changed, [*TERM_FIELDS, "seen_at"])
    report.created, report.updated = len(new), len(changed)
