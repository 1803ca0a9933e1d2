"""Writes to the catalog. Every write is one transaction and leaves a ChangeRecord behind.

The rules a value must keep are in rules.py (shared with the bulk API and the admin's forms); many
titles at once go through bulk.py, which announces them through `catalog_changes_announce`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction

from shuraba.accounts.models import User
from shuraba.catalog.implications import IMPLICATIONS, IMPLIED_TAGS, IMPLYING_AXES
from shuraba.catalog.models import (
    SOURCE_EDITOR,
    SOURCE_IMPLIED,
    AltTitle,
    ChangeRecord,
    ContentRating,
    Creator,
    Credit,
    ExternalId,
    FormulaStage,
    SpoilerLevel,
    Title,
    TitleAxisValue,
    TitleTag,
)
from shuraba.catalog.rules import (
    TITLE_FIELDS,
    CatalogError,
    ValueLocked,
    alt_title_check,
    credit_check,
    external_id_check,
    share_check,
    source_validate,
    tag_resolve,
    title_axis_check,
    title_stage_check,
    title_tag_check,
)
from shuraba.core.changelog import change_announce, changes_announce

Actor = User | None


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
    share_check("confidence", confidence)
    axis, resolved = title_axis_check(axis_key, values)
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
    if axis_key in IMPLYING_AXES:
        title_implications_apply(title=title)
    return True


@transaction.atomic
def title_implications_apply(*, title: Title) -> int:
    """Give the title the tags its profile implies (catalog/implications.py) and take back the implied ones it
    no longer does; an assignment from any other source is left as it is. Returns how many rows changed."""
    rows = TitleAxisValue.objects.filter(title=title, axis__key__in=IMPLYING_AXES).values_list(
        "axis__key", "value__key", "value__rank", "weight"
    )
    centrality = next((rank for axis, _, rank, _ in rows if axis == "centrality"), None)
    subgenres = {key: weight for axis, key, _, weight in rows if axis == "subgenre"}
    changed = 0
    for implication in IMPLICATIONS:
        relevance = implication.relevance_for(centrality=centrality, subgenres=subgenres)
        row = TitleTag.objects.filter(title=title, tag__slug=implication.tag).first()
        if row is not None and row.source != SOURCE_IMPLIED:
            continue  # an editor's, an import's or a vote's own assignment of the tag
        if relevance is None and row is not None:
            changed += title_tag_remove(title=title, tag_slug=implication.tag, source=SOURCE_IMPLIED)
        elif relevance is not None and (row is None or row.relevance != relevance):
            title_tag_set(title=title, tag_slug=implication.tag, relevance=relevance, source=SOURCE_IMPLIED)
            changed += 1
    return changed


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
    tag = tag_resolve(tag_slug)
    severity = title_tag_check(tag=tag, relevance=relevance, spoiler=spoiler, severity=severity, confidence=confidence)
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
    title_stage_check(title=title, stage=stage, chapter_start=chapter_start, chapter_end=chapter_end, spoiler=spoiler)
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
def title_tag_remove(*, title: Title, tag_slug: str, source: str, actor: Actor = None) -> bool:
    """Take a tag off a title; a locked one only an editor may. Returns whether the title had it.

    A tag the profile implies comes back as the implied row while the profile still implies it."""
    source_validate(source)
    row = TitleTag.objects.filter(title=title, tag__slug=tag_slug).first()
    if row is None:
        return False
    if row.locked and source != SOURCE_EDITOR:
        raise ValueLocked(f"{title.slug}: tag {tag_slug!r} is locked by an editor")
    row.delete()
    old = f"{row.relevance}/{row.spoiler}/{row.severity}"
    change_record(title=title, entity="tag", field=tag_slug, old=old, new=None, source=source, actor=actor)
    if tag_slug in IMPLIED_TAGS and source != SOURCE_IMPLIED:
        title_implications_apply(title=title)  # the profile may still imply what the removed row said
    return True


@transaction.atomic
def title_tag_lock(*, title: Title, tag_slug: str, locked: bool, actor: Actor) -> bool:
    """Lock a tag assignment (imports then leave it alone) or unlock it; editors only."""
    rows = TitleTag.objects.filter(title=title, tag__slug=tag_slug).exclude(locked=locked)
    if not rows.update(locked=locked, updated_by=actor):
        return False
    field = f"{tag_slug}.locked"
    change_record(title=title, entity="tag", field=field, old=not locked, new=locked, source=SOURCE_EDITOR, actor=actor)
    return True


@transaction.atomic
def title_stage_remove(*, title: Title, stage: str, source: str, actor: Actor = None) -> bool:
    row = FormulaStage.objects.filter(title=title, stage=stage).first()
    if row is None:
        return False
    row.delete()
    old = f"{row.chapter_start}-{row.chapter_end} {row.spoiler}: {row.note}"
    change_record(title=title, entity="stage", field=stage, old=old, new=None, source=source, actor=actor)
    return True


@transaction.atomic
def title_alt_title_add(*, title: Title, kind: str, text: str, source: str, actor: Actor = None) -> bool:
    alt_title_check(kind=kind, text=text)
    _, created = AltTitle.objects.get_or_create(title=title, kind=kind, text=text)
    if created:
        change_record(title=title, entity="alt-title", field=kind, old=None, new=text, source=source, actor=actor)
    return created


@transaction.atomic
def title_alt_title_remove(*, title: Title, kind: str, text: str, source: str, actor: Actor = None) -> bool:
    deleted, _ = AltTitle.objects.filter(title=title, kind=kind, text=text).delete()
    if deleted:
        change_record(title=title, entity="alt-title", field=kind, old=text, new=None, source=source, actor=actor)
    return bool(deleted)


@transaction.atomic
def title_credit_add(*, title: Title, creator: Creator, role: str, source: str, actor: Actor = None) -> bool:
    credit_check(role=role)
    _, created = Credit.objects.get_or_create(title=title, creator=creator, role=role)
    if created:
        change_record(title=title, entity="credit", field=role, old=None, new=creator.name, source=source, actor=actor)
    return created


@transaction.atomic
def title_credit_remove(*, title: Title, creator: Creator, role: str, source: str, actor: Actor = None) -> bool:
    deleted, _ = Credit.objects.filter(title=title, creator=creator, role=role).delete()
    if deleted:
        change_record(title=title, entity="credit", field=role, old=creator.name, new=None, source=source, actor=actor)
    return bool(deleted)


@transaction.atomic
def title_external_id_add(*, title: Title, id_source: str, external_id: str, source: str, actor: Actor = None) -> bool:
    """Give a title another site's id; an id names one title only. Returns whether it was new."""
    external_id_check(id_source=id_source, external_id=external_id)
    holder = ExternalId.objects.filter(source=id_source, external_id=external_id).select_related("title").first()
    if holder is not None:
        if holder.title_id == title.pk:
            return False
        raise CatalogError(f"{id_source} id {external_id!r} already belongs to {holder.title.slug!r}")
    ExternalId.objects.create(title=title, source=id_source, external_id=external_id)
    change_record(
        title=title, entity="external-id", field=id_source, old=None, new=external_id, source=source, actor=actor
    )
    return True


@transaction.atomic
def title_external_id_remove(
    *, title: Title, id_source: str, external_id: str, source: str, actor: Actor = None
) -> bool:
    deleted, _ = ExternalId.objects.filter(title=title, source=id_source, external_id=external_id).delete()
    if deleted:
        change_record(
            title=title, entity="external-id", field=id_source, old=external_id, new=None, source=source, actor=actor
        )
    return bool(deleted)


@transaction.atomic
def creator_upsert(*, slug: str, name: str, native_name: str = "") -> Creator:
    """A creator by slug, its names set. Title text search reads creators' names, so a renamed creator's
    titles are announced as changed."""
    before = Creator.objects.filter(slug=slug).values_list("name", "native_name").first()
    creator, _ = Creator.objects.update_or_create(slug=slug, defaults={"name": name, "native_name": native_name})
    if before is not None and before != (name, native_name):
        changes_announce(title_ids=creator.credits.values_list("title_id", flat=True).distinct())
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
