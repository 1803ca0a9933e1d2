"""The bulk path: one chunk of records in, a few set-based writes out, in the caller's transaction.

Per chunk: check records and compute facts; skip those whose snapshot already holds the same facts
(so an identical rerun writes nothing); decide identities; load what the touched titles hold; compute
each title's desired state from all its sources' snapshots (merge.py); write only the differences,
with one ChangeRecord per change and one CatalogChange per changed title. Per-row ORM calls would be
~20 queries per title; this is ~20 queries per chunk.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from shuraba.catalog.models import (
    SOURCE_EDITOR,
    SOURCE_IMPORT_PREFIX,
    AltTitle,
    ChangeRecord,
    Creator,
    Credit,
    ExternalId,
    Title,
    TitleTag,
)
from shuraba.catalog.services import catalog_changes_announce
from shuraba.importers import merge
from shuraba.importers.bulk import rows_insert
from shuraba.importers.facts import Facts, creator_slug, slug_base
from shuraba.importers.identity import Candidate, creator_normalize, name_normalize
from shuraba.importers.merge import Snap
from shuraba.importers.models import SourceSnapshot
from shuraba.importers.records import SourceRecord
from shuraba.importers.state import TitleState


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


@dataclass
class Plan:
    """Everything one chunk will write, keyed by title pk or, for new titles, a negative placeholder."""

    reason: str
    new_titles: dict[int, Title] = field(default_factory=dict)
    updated_titles: dict[int, set[str]] = field(default_factory=dict)
    titles: dict[int, Title] = field(default_factory=dict)
    names: list[tuple[int, str, str]] = field(default_factory=list)
    creators: dict[str, tuple[str, str]] = field(default_factory=dict)
    credits: list[tuple[int, str, str]] = field(default_factory=list)
    ids: list[tuple[int, str, str]] = field(default_factory=list)
    tags_new: list[tuple[int, str, merge.TagValue]] = field(default_factory=list)
    tags_changed: list[TitleTag] = field(default_factory=list)
    tags_gone: list[int] = field(default_factory=list)
    snaps_new: list[tuple[int, Item]] = field(default_factory=list)
    snaps_changed: list[tuple[int, Item]] = field(default_factory=list)
    changes: list[tuple[int, str, str, object, object, str]] = field(default_factory=list)
    candidates: dict[int, Candidate] = field(default_factory=dict)
    final_tags: dict[int, dict[str, int]] = field(default_factory=dict)
    evidence: dict[int, list[tuple[str, str, float, str, str]]] = field(default_factory=dict)
    rating: dict[int, merge.Sourced] = field(default_factory=dict)
    guarded_rating: set[int] = field(default_factory=set)  # content rating is an editor's (or a model's)

    def change(self, key: int, entity: str, name: str, *, old: object, new: object, source: str) -> None:
        self.changes.append((key, entity, name, old, new, f"{SOURCE_IMPORT_PREFIX}{source}"))


def _tag_text(relevance: int, spoiler: str, severity: str) -> str:
    return f"{relevance}/{spoiler}/{severity}"


def _stricter(state: TitleState, name: str, old: object, new: object) -> bool:
    """A source may raise a model's or the community's content rating (never an editor's), never lower it."""
    if name != "content_rating" or state.owner(name)[0] == SOURCE_EDITOR:
        return False
    order = merge.RATING_ORDER
    return old in order and new in order and order.index(str(new)) > order.index(str(old))


def _plan_fields(plan: Plan, key: int, state: TitleState | None, fields: dict[str, merge.Sourced], first: Item) -> None:
    if state is None:
        values = {name: sourced.value for name, sourced in fields.items()}
        plan.new_titles[key] = Title(slug="", **values)
        plan.titles[key] = plan.new_titles[key]
        plan.change(key, "title", "created", old=None, new="", source=first.source)
        return
    title = state.title
    plan.titles[key] = title
    if not state.writable("content_rating"):
        plan.guarded_rating.add(key)
    for name, sourced in fields.items():
        old = getattr(title, name)
        if old != sourced.value and (state.writable(name) or _stricter(state, name, old, sourced.value)):
            setattr(title, name, sourced.value)
            plan.updated_titles.setdefault(key, set()).add(name)
            plan.change(key, "title", name, old=old, new=sourced.value, source=sourced.source)


def _plan_names(plan: Plan, key: int, state: TitleState | None, snaps: list[Snap]) -> set[str]:
    have = state.names if state else set()
    wanted = merge.names_merge(snaps)
    for (kind, text), source in wanted.items():
        if (kind, text) not in have:
            plan.names.append((key, kind, text))
            plan.change(key, "alt-title", kind, old=None, new=text, source=source)
    return {name_normalize(text) for _, text in (*have, *wanted)}


def _plan_credits(plan: Plan, key: int, state: TitleState | None, snaps: list[Snap]) -> set[str]:
    have = state.credits if state else set()
    people = set()
    for (name, role), (native, source) in merge.creators_merge(snaps).items():
        slug = creator_slug(name)
        people.add(creator_normalize(name))
        plan.creators.setdefault(slug, (name, native))
        if (slug, role) not in have:
            have = {*have, (slug, role)}
            plan.credits.append((key, slug, role))
            plan.change(key, "credit", role, old=None, new=name, source=source)
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
        plan.ids.append((key, source, value))
        plan.change(key, "external-id", source, old=None, new=value, source=via)
    return set(have) | {s.source for s in snaps}


def _plan_tags(plan: Plan, key: int, state: TitleState | None, snaps: list[Snap]) -> None:
    wanted = merge.tags_merge(snaps)
    have = state.tags if state else {}
    final = {slug: row.relevance for slug, row in have.items()}
    for slug, value in wanted.items():
        row = have.get(slug)
        if row is None:
            plan.tags_new.append((key, slug, value))
            plan.change(
                key,
                "tag",
                slug,
                old=None,
                new=_tag_text(value.relevance, value.spoiler, value.severity),
                source=value.source,
            )
            final[slug] = value.relevance
            continue
        if row.locked or not row.source.startswith(SOURCE_IMPORT_PREFIX):
            continue  # an editor's (or a locked) tag is theirs
        old = _tag_text(row.relevance, row.spoiler, row.severity)
        new = _tag_text(value.relevance, value.spoiler, value.severity)
        if old != new or row.source != f"{SOURCE_IMPORT_PREFIX}{value.source}":
            row.relevance, row.spoiler, row.severity = value.relevance, value.spoiler, value.severity
            row.source = f"{SOURCE_IMPORT_PREFIX}{value.source}"
            plan.tags_changed.append(row)
            plan.change(key, "tag", slug, old=old, new=new, source=value.source)
            final[slug] = value.relevance
    for slug, row in have.items():
        if slug not in wanted and not row.locked and row.source.startswith(SOURCE_IMPORT_PREFIX):
            plan.tags_gone.append(row.pk)
            plan.change(
                key,
                "tag",
                slug,
                old=_tag_text(row.relevance, row.spoiler, row.severity),
                new=None,
                source=row.source.removeprefix(SOURCE_IMPORT_PREFIX),
            )
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


def _slugs_assign(plan: Plan) -> None:
    """Unique slugs for new titles: the name, then name-year, then name-source-id."""
    options: dict[int, list[str]] = {}
    first = {}
    for key, item in reversed(plan.snaps_new):
        first[key] = item
    for key, title in plan.new_titles.items():
        fallback = f"{first[key].source}-{first[key].source_id}"
        base = slug_base(title.title, fallback)
        year = f"-{title.start_date.year}" if title.start_date else ""
        options[key] = [base, f"{base}{year}" if year else base, f"{base}-{fallback}"[:200], fallback]
    wanted = {slug for choices in options.values() for slug in choices}
    taken = set(Title.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    for key in sorted(options, reverse=True):  # placeholders count down: keep record order
        slug = next((s for s in options[key] if s not in taken), None)
        if slug is None:
            slug = f"{options[key][-1]}-{len(taken)}"
        taken.add(slug)
        plan.new_titles[key].slug = slug


def _creators_write(plan: Plan) -> dict[str, int]:
    existing = dict(Creator.objects.filter(slug__in=list(plan.creators)).values_list("slug", "pk"))
    missing = [
        Creator(slug=slug, name=name[:200], native_name=native[:200])
        for slug, (name, native) in sorted(plan.creators.items())
        if slug not in existing
    ]
    Creator.objects.bulk_create(missing)
    existing.update({c.slug: c.pk for c in missing})
    return existing


def _titles_write(plan: Plan, now: Any) -> dict[int, int]:
    """Create new titles and save changed ones; return placeholder/pk -> pk."""
    _slugs_assign(plan)
    order = sorted(plan.new_titles, reverse=True)
    Title.objects.bulk_create([plan.new_titles[key] for key in order])
    pks = {key: plan.new_titles[key].pk for key in order}
    pks.update({key: key for key in plan.titles if key > 0})
    changed = [plan.titles[key] for key in sorted(plan.updated_titles)]
    if changed:
        for title in changed:
            title.updated_at = now
        names = sorted({name for fields in plan.updated_titles.values() for name in fields} | {"updated_at"})
        Title.objects.bulk_update(changed, names)
    return pks


def _tags_write(plan: Plan, pks: dict[int, int], tag_pks: dict[str, int], now: Any) -> None:
    rows_insert(
        TitleTag,
        ("title_id", "tag_id", "relevance", "spoiler", "severity", "source", "confidence", "locked", "updated_at"),
        (
            (
                pks[k],
                tag_pks[slug],
                v.relevance,
                v.spoiler,
                v.severity,
                f"{SOURCE_IMPORT_PREFIX}{v.source}",
                1.0,
                False,
                now,
            )
            for k, slug, v in plan.tags_new
        ),
    )
    for row in plan.tags_changed:
        row.updated_at = now
    TitleTag.objects.bulk_update(plan.tags_changed, ["relevance", "spoiler", "severity", "source", "updated_at"])
    if plan.tags_gone:
        TitleTag.objects.filter(pk__in=plan.tags_gone).delete()


def _snapshots_write(plan: Plan, pks: dict[int, int], now: Any) -> None:
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


def _history_write(plan: Plan, pks: dict[int, int], now: Any) -> set[int]:
    def text(value: object) -> str:
        return "" if value is None else str(value)

    rows = (
        (
            pks[key],
            entity,
            name,
            text(old),
            plan.new_titles[key].slug if entity == "title" and name == "created" else text(new),
            source,
            now,
            plan.reason[:200],
        )
        for key, entity, name, old, new, source in plan.changes
    )
    rows_insert(ChangeRecord, ("title_id", "entity", "field", "old_value", "new_value", "source", "at", "reason"), rows)
    touched = sorted({pks[key] for key, *_ in plan.changes})
    catalog_changes_announce(title_ids=touched, at=now)
    return set(touched)


def plan_write(plan: Plan, *, tag_pks: dict[str, int]) -> tuple[dict[int, int], set[int]]:
    """Write a plan (inside the caller's transaction); return placeholder -> pk and the changed title pks."""
    now = timezone.now()
    creators = _creators_write(plan)
    pks = _titles_write(plan, now)
    rows_insert(AltTitle, ("title_id", "kind", "text"), ((pks[k], kind, text) for k, kind, text in plan.names))
    rows_insert(Credit, ("title_id", "creator_id", "role"), ((pks[k], creators[c], r) for k, c, r in plan.credits))
    rows_insert(ExternalId, ("title_id", "source", "external_id"), ((pks[k], s, v) for k, s, v in plan.ids))
    _tags_write(plan, pks, tag_pks, now)
    _snapshots_write(plan, pks, now)
    return pks, _history_write(plan, pks, now)
