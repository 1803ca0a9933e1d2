"""The catalog's bulk write: many titles' changes in one plan, checked by the catalog's rules, applied at once.

An importer plans (what its sources say changed); the catalog writes. A plan names new titles by negative
placeholders and existing ones by pk, and every row says on whose authority it is written (`source`).
`catalog_plan_apply` checks the whole plan first (plan.py), so a CatalogError names the title and the
field and nothing is written; then it writes with one statement per table (`rows_insert`: one executemany,
or a COPY on PostgreSQL; `bulk_create` where the pks are needed back), derives the ChangeRecord of every
change itself and announces each changed title once. Per-row services would be ~20 queries per title;
this is about a dozen per plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuraba.catalog.models import AltTitle, ChangeRecord, Creator, Credit, ExternalId, Title, TitleTag
from shuraba.catalog.plan import CatalogPlan, Checked, PlanResult, plan_check
from shuraba.catalog.services import catalog_changes_announce
from shuraba.core.bulk import rows_insert


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _tag_text(relevance: int, spoiler: str, severity: str) -> str:
    return f"{relevance}/{spoiler}/{severity}"


class _History:
    """The ChangeRecord rows of a plan, one per change, all at one moment and for one reason."""

    def __init__(self, *, at: dt.datetime, reason: str) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.at, self.reason = at, reason[:200]

    def add(self, title_id: int, entity: str, name: str, change: tuple[object, object], source: str) -> None:
        old, new = change
        self.rows.append((title_id, entity, name, _text(old), _text(new), source, self.at, self.reason))

    def write(self) -> frozenset[int]:
        fields = ("title_id", "entity", "field", "old_value", "new_value", "source", "at", "reason")
        rows_insert(ChangeRecord, fields, self.rows)
        return frozenset(row[0] for row in self.rows)


def _titles_write(plan: CatalogPlan, checked: Checked, history: _History) -> dict[int, int]:
    """Create the new titles, change the fields of existing ones; return every title key -> pk."""
    created = [Title(slug=checked.slugs[new.key], **new.fields) for new in plan.titles]
    Title.objects.bulk_create(created)
    pks = {key: key for key in checked.names if key > 0}
    for new, title in zip(plan.titles, created, strict=True):
        pks[new.key] = title.pk
        history.add(title.pk, "title", "created", (None, title.slug), new.source)
    changed: dict[int, Title] = {}
    for item in plan.fields:
        title = checked.titles[item.title]
        old = getattr(title, item.field)
        if old != item.value:
            setattr(title, item.field, item.value)
            changed[title.pk] = title
            history.add(title.pk, "title", item.field, (old, item.value), item.source)
    if changed:
        for title in changed.values():
            title.updated_at = history.at
        names = sorted({item.field for item in plan.fields} | {"updated_at"})
        Title.objects.bulk_update(list(changed.values()), names)
    return pks


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
    for a in plan.alt_titles:
        history.add(pks[a.title], "alt-title", a.kind, (None, a.text), a.source)
    creators = _creators_write(plan, checked)
    credits = [(pks[c.title], creators[c.creator][0], c.role) for c in plan.credits]
    rows_insert(Credit, ("title_id", "creator_id", "role"), credits)
    for c in plan.credits:
        history.add(pks[c.title], "credit", c.role, (None, creators[c.creator][1]), c.source)
    ids = [(pks[i.title], i.id_source, i.external_id) for i in plan.external_ids]
    rows_insert(ExternalId, ("title_id", "source", "external_id"), ids)
    for i in plan.external_ids:
        history.add(pks[i.title], "external-id", i.id_source, (None, i.external_id), i.source)


def _tags_write(plan: CatalogPlan, checked: Checked, pks: dict[int, int], history: _History) -> None:
    """New assignments in one INSERT, changed ones in one UPDATE, removed ones in one DELETE."""
    new, changed = [], []
    for t in plan.tags:
        pk, tag = pks[t.title], checked.tags[t.tag]
        severity = t.severity or checked.default_severity.get(t.tag, "")
        row = checked.rows.get((pk, tag.pk))
        if row is None:
            new.append((pk, tag.pk, t.relevance, t.spoiler, severity, t.source, t.confidence, history.at))
            history.add(pk, "tag", t.tag, (None, _tag_text(t.relevance, t.spoiler, severity)), t.source)
            continue
        values = (t.relevance, t.spoiler, severity, t.source, t.confidence)
        if values != (row.relevance, row.spoiler, row.severity, row.source, row.confidence):
            old = _tag_text(row.relevance, row.spoiler, row.severity)
            row.relevance, row.spoiler, row.severity, row.source, row.confidence = values
            row.updated_at = history.at
            changed.append(row)
            history.add(pk, "tag", t.tag, (old, _tag_text(t.relevance, t.spoiler, severity)), t.source)
    fields = ("title_id", "tag_id", "relevance", "spoiler", "severity", "source", "confidence", "updated_at")
    rows_insert(TitleTag, fields, new)
    TitleTag.objects.bulk_update(changed, ["relevance", "spoiler", "severity", "source", "confidence", "updated_at"])
    gone = []
    for removed in plan.tags_removed:
        row = checked.rows[(removed.title, checked.tags[removed.tag].pk)]
        gone.append(row)
        old = _tag_text(row.relevance, row.spoiler, row.severity)
        history.add(removed.title, "tag", removed.tag, (old, None), removed.source)
    if gone:
        TitleTag.objects.filter(pk__in=[row.pk for row in gone]).delete()


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
    catalog_changes_announce(title_ids=touched, at=history.at)
    return PlanResult(pks=pks, touched=touched)
