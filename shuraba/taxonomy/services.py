"""Loading taxonomy.toml and syncing it into the database, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from shuraba.catalog.implications import IMPLYING_AXES
from shuraba.catalog.models import Title
from shuraba.catalog.services import title_implications_apply
from shuraba.core.changelog import vocabulary_change_announce
from shuraba.core.datafiles import optional, require, toml_read
from shuraba.core.errors import DataFileError
from shuraba.taxonomy.models import (
    WARNING_CATEGORY,
    Axis,
    AxisKind,
    AxisValue,
    Tag,
    TagCategory,
    TaxonomyState,
    Term,
    TermKind,
)

TAXONOMY_PATH = Path(__file__).resolve().parent / "taxonomy.toml"
TERM_SECTIONS = {
    "spoiler_levels": TermKind.SPOILER_LEVEL,
    "severities": TermKind.SEVERITY,
    "stages": TermKind.STAGE,
}


@dataclass
class SyncReport:
    version: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    details: list[str] = field(default_factory=list)

    def count(self, outcome: str, what: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if outcome != "unchanged":
            self.details.append(f"{outcome} {what}")

    def __str__(self) -> str:
        return (
            f"taxonomy {self.version}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.removed} removed"
        )


def _upsert(report: SyncReport, model: type[Model], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    obj = model._default_manager.filter(**lookup).first()
    label = f"{model.__name__} {'/'.join(str(v) for v in lookup.values())}"
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        report.count("created", label)
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.save(update_fields=changed)
        report.count("updated", label)
    else:
        report.count("unchanged", label)
    return obj


def _entries(data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    entries = data.get(section)
    if not isinstance(entries, list) or not entries:
        raise DataFileError(f"taxonomy: section [[{section}]] is missing or empty")
    return entries


def _sync_terms(report: SyncReport, data: dict[str, Any]) -> None:
    for section, kind in TERM_SECTIONS.items():
        for order, entry in enumerate(_entries(data, section)):
            where = f"taxonomy [[{section}]] #{order + 1}"
            _upsert(
                report,
                Term,
                {"kind": kind, "key": require(entry, "key", str, where)},
                {
                    "label": require(entry, "label", str, where),
                    "definition": require(entry, "definition", str, where),
                    "guidance": optional(entry, "guidance", str, where, default=""),
                    "order": order,
                },
            )


def _sync_axes(report: SyncReport, data: dict[str, Any]) -> None:
    for order, entry in enumerate(_entries(data, "axes")):
        where = f"taxonomy axis #{order + 1}"
        kind = require(entry, "kind", str, where)
        if kind not in AxisKind.values:
            raise DataFileError(f"{where}: kind {kind!r} is not one of {', '.join(AxisKind.values)}")
        axis = _upsert(
            report,
            Axis,
            {"key": require(entry, "key", str, where)},
            {
                "label": require(entry, "label", str, where),
                "kind": kind,
                "spoiler": optional(entry, "spoiler", bool, where, default=False),
                "warning": optional(entry, "warning", bool, where, default=False),
                "definition": require(entry, "definition", str, where),
                "guidance": optional(entry, "guidance", str, where, default=""),
                "order": order,
            },
        )
        for value_order, value in enumerate(_entries(entry, "values")):
            value_where = f"{where} ({axis.key}) value #{value_order + 1}"
            _upsert(
                report,
                AxisValue,
                {"axis": axis, "key": require(value, "key", str, value_where)},
                {
                    "label": require(value, "label", str, value_where),
                    "definition": require(value, "definition", str, value_where),
                    "guidance": optional(value, "guidance", str, value_where, default=""),
                    "rank": optional(value, "rank", int, value_where),
                    "aliases": _aliases(value, value_where),
                    "order": value_order,
                },
            )


def _aliases(value: dict[str, Any], where: str) -> list[str]:
    aliases = optional(value, "aliases", list, where, default=[])
    if not all(isinstance(word, str) and word.strip() and " " not in word for word in aliases):
        raise DataFileError(f"{where}: aliases must be single words, got {aliases!r}")
    return list(aliases)


def _sync_tags(report: SyncReport, data: dict[str, Any]) -> None:
    categories = {}
    for order, entry in enumerate(_entries(data, "tag_categories")):
        where = f"taxonomy tag category #{order + 1}"
        category = _upsert(
            report,
            TagCategory,
            {"key": require(entry, "key", str, where)},
            {
                "label": require(entry, "label", str, where),
                "definition": require(entry, "definition", str, where),
                "guidance": optional(entry, "guidance", str, where, default=""),
                "order": order,
            },
        )
        categories[category.key] = category
    for order, entry in enumerate(_entries(data, "tags")):
        where = f"taxonomy tag #{order + 1}"
        name = require(entry, "name", str, where)
        category_key = require(entry, "category", str, where)
        if category_key not in categories:
            raise DataFileError(f"{where} ({name}): unknown category {category_key!r}")
        severity = optional(entry, "severity", str, where, default="")
        if (category_key == WARNING_CATEGORY) != bool(severity):
            raise DataFileError(f"{where} ({name}): content warnings, and only they, carry a severity")
        _upsert(
            report,
            Tag,
            {"slug": slugify(name)},
            {
                "name": name,
                "category": categories[category_key],
                "definition": require(entry, "definition", str, where),
                "guidance": optional(entry, "guidance", str, where, default=""),
                "default_severity": severity,
            },
        )


def _remove_absent(report: SyncReport, data: dict[str, Any]) -> None:
    """Delete vocabulary the file no longer has; refuse when titles still use it."""
    tag_slugs = {slugify(t["name"]) for t in data["tags"]}
    stale_tags = Tag.objects.exclude(slug__in=tag_slugs)
    axis_values = {(a["key"], v["key"]) for a in data["axes"] for v in a["values"]}
    stale_values = [v for v in AxisValue.objects.select_related("axis") if (v.axis.key, v.key) not in axis_values]
    in_use = [t.slug for t in stale_tags if t.title_tags.exists()]
    in_use += [str(v) for v in stale_values if v.title_values.exists()]
    if in_use:
        raise DataFileError(
            f"taxonomy: {', '.join(in_use)} removed from the file but still used by titles; retag those titles first"
        )
    for obj in [*stale_tags, *stale_values]:
        report.count("removed", str(obj))
        obj.delete()


def _implying_ranks() -> dict[int, int | None]:
    return dict(AxisValue.objects.filter(axis__key__in=IMPLYING_AXES).values_list("pk", "rank"))


def _implications_follow(before: dict[int, int | None]) -> None:
    """A centrality value the file re-ranks changes what the profile of every title holding it implies."""
    after = _implying_ranks()
    moved = [pk for pk, rank in after.items() if pk in before and before[pk] != rank]
    for title in Title.objects.filter(axis_values__value__in=moved).distinct().order_by("pk"):
        title_implications_apply(title=title)


@transaction.atomic
def taxonomy_sync(*, path: Path = TAXONOMY_PATH) -> SyncReport:
    """Make the database vocabulary equal to the file. Running it twice changes nothing."""
    data = toml_read(path)
    report = SyncReport(version=require(data, "version", str, "taxonomy"))
    _sync_terms(report, data)
    ranks = _implying_ranks()
    _sync_axes(report, data)
    _implications_follow(ranks)
    _sync_tags(report, data)
    _remove_absent(report, data)
    state = TaxonomyState.objects.first()
    if state is None or state.version != report.version:
        TaxonomyState.objects.all().delete()
        TaxonomyState.objects.create(version=report.version, synced_at=timezone.now())
    if report.created or report.updated or report.removed:
        vocabulary_change_announce()
    return report
