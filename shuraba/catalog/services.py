"""Writes to the catalog. Every write is one transaction and leaves a ChangeRecord behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction

from shuraba.accounts.models import User
from shuraba.catalog.models import (
    SOURCE_COMMUNITY,
    SOURCE_EDITOR,
    SOURCE_IMPORT_PREFIX,
    SOURCE_MODEL,
    AltTitle,
    ChangeRecord,
    ContentRating,
    Creator,
    Credit,
    FormulaStage,
    Severity,
    SpoilerLevel,
    StageKey,
    Title,
    TitleAxisValue,
    TitleTag,
)
from shuraba.core.changelog import change_announce, changes_announce
from shuraba.core.errors import ShurabaError
from shuraba.taxonomy.models import Axis, AxisKind, AxisValue, Tag

Actor = User | None


class CatalogError(ShurabaError):
    """A catalog write that would break an invariant; the message says which."""


class ValueLocked(CatalogError):
    pass


def source_validate(source: str) -> str:
    if source in {SOURCE_EDITOR, SOURCE_COMMUNITY, SOURCE_MODEL}:
        return source
    if source.startswith(SOURCE_IMPORT_PREFIX) and len(source) > len(SOURCE_IMPORT_PREFIX):
        return source
    raise CatalogError(f"unknown source {source!r}; use editor, community, model or import:<source>")


def catalog_touch(*, title_id: int) -> None:
    """Announce that a title changed (core/changelog.py); part of the writing transaction."""
    change_announce(title_id=title_id)


def catalog_changes_announce(*, title_ids: Iterable[int], at: dt.datetime) -> None:
    """Announce many changed titles at once (the bulk writers)."""
    changes_announce(title_ids=title_ids, at=at)


def change_record(
    *, title: Title, entity: str, field: str, old: object, new: object, source: str, actor: Actor, reason: str = ""
) -> ChangeRecord:
    catalog_touch(title_id=title.pk)
    return ChangeRecord.objects.create(
        title=title,
        entity=entity,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        source=source_validate(source),
        actor=actor,
        reason=reason[:200],
    )


TITLE_FIELDS = (
    "title",
    "description",
    "format",
    "status",
    "country",
    "start_date",
    "end_date",
    "chapters",
    "volumes",
    "content_rating",
    "score",
    "popularity",
    "is_fictional",
)


@transaction.atomic
def title_create(*, slug: str, title: str, source: str, actor: Actor = None, reason: str = "", **fields: Any) -> Title:
    unknown = set(fields) - set(TITLE_FIELDS)
    if unknown:
        raise CatalogError(f"unknown title field(s): {', '.join(sorted(unknown))}")
    if Title.objects.filter(slug=slug).exists():
        raise CatalogError(f"a title with slug {slug!r} already exists")
    obj = Title(slug=slug, title=title, **fields)
    obj.full_clean()
    obj.save()
    change_record(
        title=obj, entity="title", field="created", old=None, new=slug, source=source, actor=actor, reason=reason
    )
    return obj


@transaction.atomic
def title_update(
    *, title: Title, changes: Mapping[str, Any], source: str, actor: Actor = None, reason: str = ""
) -> int:
    """Apply field changes; return how many fields actually changed."""
    unknown = set(changes) - set(TITLE_FIELDS)
    if unknown:
        raise CatalogError(f"unknown title field(s): {', '.join(sorted(unknown))}")
    changed = {k: v for k, v in changes.items() if getattr(title, k) != v}
    for key, value in changed.items():
        change_record(
            title=title,
            entity="title",
            field=key,
            old=getattr(title, key),
            new=value,
            source=source,
            actor=actor,
            reason=reason,
        )
        setattr(title, key, value)
    if changed:
        title.full_clean()
        title.save(update_fields=[*changed, "updated_at"])
    return len(changed)


def _axis_resolve(axis_key: str, values: Mapping[str, float]) -> tuple[Axis, dict[AxisValue, float]]:
    axis = Axis.objects.filter(key=axis_key).first()
    if axis is None:
        raise CatalogError(f"unknown axis {axis_key!r}")
    if axis.kind == AxisKind.DERIVED:
        raise CatalogError(f"axis {axis_key!r} is derived from other fields and cannot be set")
    known = {v.key: v for v in axis.values.all()}
    resolved = {}
    for key, weight in values.items():
        if key not in known:
            raise CatalogError(f"{axis_key}: unknown value {key!r}; use one of {', '.join(known)}")
        if not 0.0 <= weight <= 1.0:
            raise CatalogError(f"{axis_key}: weight of {key!r} must lie between 0 and 1")
        resolved[known[key]] = float(weight)
    if not axis.is_multi and len(resolved) > 1:
        raise CatalogError(f"{axis_key} takes one value, got {len(resolved)}")
    return axis, resolved


def _axis_text(rows: Mapping[str, float]) -> str:
    return ", ".join(f"{k}:{w:g}" if w != 1.0 else k for k, w in sorted(rows.items()))


@transaction.atomic
def title_axis_set(
    *,
    title: Title,
    axis_key: str,
    values: Mapping[str, float],
    source: str,
    confidence: float = 1.0,
    actor: Actor = None,
    reason: str = "",
) -> bool:
    """Replace the values of one axis of a title's profile. Returns whether anything changed.

    A locked axis may only be changed by an editor; imports and models get ValueLocked.
    """
    source_validate(source)
    if not 0.0 <= confidence <= 1.0:
        raise CatalogError("confidence must lie between 0 and 1")
    axis, resolved = _axis_resolve(axis_key, values)
    current = list(TitleAxisValue.objects.filter(title=title, axis=axis).select_related("value"))
    if source != SOURCE_EDITOR and any(row.locked for row in current):
        raise ValueLocked(f"{title.slug}: {axis_key} is locked by an editor")
    before = {row.value.key: row.weight for row in current}
    after = {value.key: weight for value, weight in resolved.items()}
    same_provenance = all(row.source == source and row.confidence == confidence for row in current)
    if before == after and same_provenance:
        return False
    locked = any(row.locked for row in current)
    TitleAxisValue.objects.filter(title=title, axis=axis).delete()
    TitleAxisValue.objects.bulk_create(
        TitleAxisValue(
            title=title,
            axis=axis,
            value=value,
            weight=weight,
            source=source,
            confidence=confidence,
            locked=locked,
            updated_by=actor,
        )
        for value, weight in resolved.items()
    )
    change_record(
        title=title,
        entity="profile",
        field=axis_key,
        old=_axis_text(before),
        new=_axis_text(after),
        source=source,
        actor=actor,
        reason=reason,
    )
    return True


@transaction.atomic
def title_axis_lock(*, title: Title, axis_key: str, locked: bool, actor: Actor) -> int:
    rows = TitleAxisValue.objects.filter(title=title, axis__key=axis_key).exclude(locked=locked)
    count = rows.update(locked=locked, updated_by=actor)
    if count:
        change_record(
            title=title,
            entity="profile",
            field=f"{axis_key}.locked",
            old=not locked,
            new=locked,
            source=SOURCE_EDITOR,
            actor=actor,
        )
    return count


@transaction.atomic
def title_tag_set(
    *,
    title: Title,
    tag_slug: str,
    relevance: int,
    source: str,
    spoiler: str = SpoilerLevel.NONE,
    severity: str = "",
    confidence: float = 1.0,
    actor: Actor = None,
) -> TitleTag:
    tag = Tag.objects.select_related("category").filter(slug=tag_slug).first()
    if tag is None:
        raise CatalogError(f"unknown tag {tag_slug!r}")
    if not 0 <= relevance <= 100:
        raise CatalogError(f"{tag_slug}: relevance must lie between 0 and 100")
    if spoiler not in SpoilerLevel.values:
        raise CatalogError(f"{tag_slug}: spoiler must be one of {', '.join(SpoilerLevel.values)}")
    if tag.is_warning:
        severity = severity or tag.default_severity
        if severity not in Severity.values:
            raise CatalogError(f"{tag_slug}: severity must be one of {', '.join(Severity.values)}")
    elif severity:
        raise CatalogError(f"{tag_slug}: only content warnings carry a severity")
    existing = TitleTag.objects.filter(title=title, tag=tag).first()
    old = f"{existing.relevance}/{existing.spoiler}/{existing.severity}" if existing else None
    row, _ = TitleTag.objects.update_or_create(
        title=title,
        tag=tag,
        defaults={
            "relevance": relevance,
            "spoiler": spoiler,
            "severity": severity,
            "source": source_validate(source),
            "confidence": confidence,
            "updated_by": actor,
        },
    )
    new = f"{relevance}/{spoiler}/{severity}"
    if old != new:
        change_record(title=title, entity="tag", field=tag_slug, old=old, new=new, source=source, actor=actor)
    return row


@transaction.atomic
def title_stage_set(
    *,
    title: Title,
    stage: str,
    chapter_start: int | None,
    chapter_end: int | None,
    note: str,
    spoiler: str,
    source: str,
    actor: Actor = None,
) -> FormulaStage:
    if stage not in StageKey.values:
        raise CatalogError(f"unknown stage {stage!r}; use one of {', '.join(StageKey.values)}")
    if spoiler not in SpoilerLevel.values:
        raise CatalogError(f"{stage}: spoiler must be one of {', '.join(SpoilerLevel.values)}")
    if chapter_start and chapter_end and chapter_start > chapter_end:
        raise CatalogError(f"{stage}: chapter range {chapter_start}-{chapter_end} runs backwards")
    if title.chapters and chapter_end and chapter_end > title.chapters:
        raise CatalogError(f"{stage}: ends at chapter {chapter_end} but the title has {title.chapters}")
    existing = FormulaStage.objects.filter(title=title, stage=stage).first()
    old = f"{existing.chapter_start}-{existing.chapter_end} {existing.spoiler}: {existing.note}" if existing else None
    row, _ = FormulaStage.objects.update_or_create(
        title=title,
        stage=stage,
        defaults={
            "chapter_start": chapter_start,
            "chapter_end": chapter_end,
            "note": note,
            "spoiler": spoiler,
            "source": source_validate(source),
            "updated_by": actor,
        },
    )
    new = f"{chapter_start}-{chapter_end} {spoiler}: {note}"
    if old != new:
        change_record(title=title, entity="stage", field=stage, old=old, new=new, source=source, actor=actor)
    return row


@transaction.atomic
def title_alt_title_add(*, title: Title, kind: str, text: str, source: str, actor: Actor = None) -> bool:
    _, created = AltTitle.objects.get_or_create(title=title, kind=kind, text=text)
    if created:
        change_record(title=title, entity="alt-title", field=kind, old=None, new=text, source=source, actor=actor)
    return created


@transaction.atomic
def title_credit_add(*, title: Title, creator: Creator, role: str, source: str, actor: Actor = None) -> bool:
    _, created = Credit.objects.get_or_create(title=title, creator=creator, role=role)
    if created:
        change_record(title=title, entity="credit", field=role, old=None, new=creator.name, source=source, actor=actor)
    return created


@transaction.atomic
def creator_upsert(*, slug: str, name: str, native_name: str = "") -> Creator:
    creator, _ = Creator.objects.update_or_create(slug=slug, defaults={"name": name, "native_name": native_name})
    return creator


def content_rating_validate(value: str) -> str:
    if value not in ContentRating.values:
        raise CatalogError(f"content rating {value!r} is not one of {', '.join(ContentRating.values)}")
    return value


@transaction.atomic
def title_changes_record(
    *, title: Title, changes: Sequence[tuple[str, str, object, object]], actor: Actor, source: str = SOURCE_EDITOR
) -> int:
    """Record changes an editor made through a form (entity, field, old, new)."""
    for entity, field, old, new in changes:
        change_record(title=title, entity=entity, field=field, old=old, new=new, source=source, actor=actor)
    return len(changes)


@transaction.atomic
def title_delete(*, title: Title) -> None:
    """Delete a title and everything recorded about it (its history too); announce it to the index."""
    catalog_touch(title_id=title.pk)
    title.delete()
