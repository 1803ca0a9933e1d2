"""The catalog's bulk write: many titles' changes in one plan, checked by the catalog's rules, applied at once.

An importer plans (what its sources say changed); the catalog writes. A plan names new titles by negative
placeholders and existing ones by pk, and every row says on whose authority it is written (`source`).
`catalog_plan_apply` checks the whole plan first (plan.py), so a CatalogError names the title and the
field and nothing is written; then it writes with one statement per table (`rows_insert`: one
executemany, or a COPY on PostgreSQL; new titles' pks are read back by their unique slugs, new
creators' come from `bulk_create`), derives the ChangeRecord of every change itself and announces each
changed title once. A removed row of a tag the profile implies is followed by the implication's re-apply
(services.title_implications_apply, per title, with its own ChangeRecord). Per-row services would be ~20
queries per title; this is about a dozen per plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import Field
from django.utils import timezone

from shuraba.catalog.implications import IMPLIED_TAGS
from shuraba.catalog.models import SOURCE_IMPLIED, AltTitle, ChangeRecord, Creator, Credit, ExternalId, Title, TitleTag
from shuraba.catalog.plan import CatalogPlan, Checked, PlanResult, TagSet, plan_check
from shuraba.catalog.rules import TITLE_FIELDS
from shuraba.catalog.services import catalog_changes_announce, title_implications_apply
from shuraba.core.bulk import rows_insert


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _tag_text(relevance: int, spoiler: str, severity: str) -> str:
    return f"{relevance}/{spoiler}/{severity}"


class _History:
    """The ChangeRecord rows of a plan, one per change, all at one moment and for one reason. Rows are
    made as they are written, so a plan's 30,000 changes are never held twice."""

    def __init__(self, *, at: dt.datetime, reason: str) -> None:
        self.parts: list[Iterable[tuple[int, str, object, object, str]]] = []
        self.entities: list[str] = []
        self.at, self.reason = at, reason[:200]

    def add(self, entity: str, changes: Iterable[tuple[int, str, object, object, str]]) -> None:
        """(title pk, field, old, new, source) per change of one kind of entity."""
        self.parts.append(changes)
        self.entities.append(entity)

    def _rows(self, touched: set[int]) -> Iterator[tuple[Any, ...]]:
        at, reason = self.at, self.reason
        for entity, changes in zip(self.entities, self.parts, strict=True):
            for pk, name, old, new, source in changes:
                touched.add(pk)
                yield (pk, entity, name, _text(old), _text(new), source, at, reason)

    def write(self) -> frozenset[int]:
        """Write the rows; return the titles they are about."""
        touched: set[int] = set()
        fields = ("title_id", "entity", "field", "old_value", "new_value", "source", "at", "reason")
        rows_insert(ChangeRecord, fields, self._rows(touched))
        return frozenset(touched)


def _titles_write(plan: CatalogPlan, checked: Checked, history: _History) -> dict[int, int]:
    """Create the new titles, change the fields of existing ones; return every title key -> pk."""
    pks = {key: key for key in checked.names if key > 0}
    pks.update(_titles_insert(plan, checked))
    history.add("title", ((pks[new.key], "created", None, checked.slugs[new.key], new.source) for new in plan.titles))
    changed: dict[int, Title] = {}
    for item in plan.fields:
        title = checked.titles[item.title]
        old = getattr(title, item.field)
        if old != item.value:
            setattr(title, item.field, item.value)
            changed[title.pk] = title
            history.add("title", [(title.pk, item.field, old, item.value, item.source)])
    if changed:
        for title in changed.values():
            title.updated_at = history.at
        names = sorted({item.field for item in plan.fields} | {"updated_at"})
        Title.objects.bulk_update(list(changed.values()), names)
    return pks


def _titles_insert(plan: CatalogPlan, checked: Checked) -> dict[int, int]:
    """New titles in one INSERT (bulk_create prepares every value through the SQL compiler, ~4x slower),
    their pks read back by their unique slugs; return placeholder -> pk."""
    if not plan.titles:
        return {}
    names = TITLE_FIELDS  # every one, the missing ones at their field's default ("" or None)
    fields = {name: Title._meta.get_field(name) for name in names}
    default = {name: f.get_default() if isinstance(f, Field) else None for name, f in fields.items()}
    rows = ([checked.slugs[new.key], *[new.fields.get(n, default[n]) for n in names]] for new in plan.titles)
    rows_insert(Title, ("slug", *names), rows)
    made = dict(
        Title.objects.filter(slug__in=[checked.slugs[new.key] for new in plan.titles]).values_list("slug", "pk")
    )
    return {new.key: made[checked.slugs[new.key]] for new in plan.titles}


def _creators_write(plan: CatalogPlan, checked: Checked) -> dict[str, tuple[int, str]]:
    """slug -> (pk, name) of every creator the plan's credits name, creating the missing ones."""
    creators = dict(checked.creators)
    missing = [Creator(slug=c.slug, name=c.name, native_name=c.native_name) for c in plan.creators.values()]
    missing = sorted((c for c in missing if c.slug not in creators), key=lambda c: c.slug)
    Creator.objects.bulk_create(missing)
    creators.update({c.slug: (c.pk, c.name) for c in missing})
    return creators


def _links_write(plan: CatalogPlan, checked: Checked, pks: dict[int, int], history: _History) -> None:
    """Alternative titles, credits and external ids: only ever added, one INSERT per table."""
    rows_insert(AltTitle, ("title_id", "kind", "text"), ((pks[a.title], a.kind, a.text) for a in plan.alt_titles))
    history.add("alt-title", ((pks[a.title], a.kind, None, a.text, a.source) for a in plan.alt_titles))
    creators = _creators_write(plan, checked)
    credits = [(pks[c.title], creators[c.creator][0], c.role) for c in plan.credits]
    rows_insert(Credit, ("title_id", "creator_id", "role"), credits)
    history.add("credit", ((pks[c.title], c.role, None, creators[c.creator][1], c.source) for c in plan.credits))
    ids = [(pks[i.title], i.id_source, i.external_id) for i in plan.external_ids]
    rows_insert(ExternalId, ("title_id", "source", "external_id"), ids)
    history.add("external-id", ((pks[i.title], i.id_source, None, i.external_id, i.source) for i in plan.external_ids))


TAG_FIELDS = ("title_id", "tag_id", "relevance", "spoiler", "severity", "source", "confidence", "locked", "updated_at")


def _tags_write(plan: CatalogPlan, checked: Checked, pks: dict[int, int], history: _History) -> None:
    """New assignments in one INSERT, changed ones in one UPDATE, removed ones in one DELETE."""
    tag_pks = {slug: tag.pk for slug, tag in checked.tags.items()}
    had = [t for t in plan.tags if (t.title, tag_pks[t.tag]) in checked.rows] if checked.rows else []
    fresh = [t for t in plan.tags if (t.title, tag_pks[t.tag]) not in checked.rows] if had else plan.tags
    _tags_insert(fresh, tag_pks, checked, pks, history)
    _tags_change(had, tag_pks, checked, history)
    gone = [(t, checked.rows[(t.title, tag_pks[t.tag])]) for t in plan.tags_removed]
    history.add(
        "tag", ((t.title, t.tag, _tag_text(r.relevance, r.spoiler, r.severity), None, t.source) for t, r in gone)
    )
    if gone:
        TitleTag.objects.filter(pk__in=[row.pk for _, row in gone]).delete()


def _tags_insert(
    fresh: list[TagSet], tag_pks: dict[str, int], checked: Checked, pks: dict[int, int], history: _History
) -> None:
    defaults, at = checked.default_severity, history.at
    severity = [t.severity or defaults.get(t.tag, "") for t in fresh]
    rows = (
        (pks[t.title], tag_pks[t.tag], t.relevance, t.spoiler, s, t.source, t.confidence, False, at)
        for t, s in zip(fresh, severity, strict=True)
    )
    rows_insert(TitleTag, TAG_FIELDS, rows)
    history.add(
        "tag",
        (
            (pks[t.title], t.tag, None, _tag_text(t.relevance, t.spoiler, s), t.source)
            for t, s in zip(fresh, severity, strict=True)
        ),
    )


def _tags_change(had: list[TagSet], tag_pks: dict[str, int], checked: Checked, history: _History) -> None:
    changed = []
    for t in had:
        row = checked.rows[(t.title, tag_pks[t.tag])]
        values = (t.relevance, t.spoiler, t.severity or checked.default_severity.get(t.tag, ""), t.source, t.confidence)
        if values != (row.relevance, row.spoiler, row.severity, row.source, row.confidence):
            old = _tag_text(row.relevance, row.spoiler, row.severity)
            row.relevance, row.spoiler, row.severity, row.source, row.confidence = values
            row.updated_at = history.at
            changed.append(row)
            history.add("tag", [(t.title, t.tag, old, _tag_text(*values[:3]), t.source)])
    TitleTag.objects.bulk_update(changed, ["relevance", "spoiler", "severity", "source", "confidence", "updated_at"])


def _implications_reapply(plan: CatalogPlan, pks: dict[int, int]) -> None:
    """A removed row of a tag the profile implies leaves the implied row in its place (services.title_tag_remove
    does the same); a plan sets no profile, so only its removals can unmeet an implication."""
    keys = {pks[t.title] for t in plan.tags_removed if t.tag in IMPLIED_TAGS and t.source != SOURCE_IMPLIED}
    for title in Title.objects.filter(pk__in=keys).order_by("pk"):
        title_implications_apply(title=title)


@transaction.atomic
def catalog_plan_apply(*, plan: CatalogPlan) -> PlanResult:
    """Check a plan by the catalog's rules (CatalogError naming the title and field, nothing written),
    then write it in one transaction (a savepoint inside the caller's) with its history and announcements."""
    checked = plan_check(plan)
    history = _History(at=timezone.now(), reason=plan.reason)
    pks = _titles_write(plan, checked, history)
    _links_write(plan, checked, pks, history)
    _tags_write(plan, checked, pks, history)
    touched = history.write()
    _implications_reapply(plan, pks)
    catalog_changes_announce(title_ids=sorted(touched), at=history.at)
    return PlanResult(pks=pks, touched=touched)
