"""The title admin's inline rows, written through the catalog's services.

Each inline's formset runs the service's own check on every added or changed row in `clean`, so a value
the service would refuse is an error on that row of the form, not a 500. Saving hands each row to its
service (set, add, remove, lock), which validates again, writes, and leaves its ChangeRecord and
change-log row; `rows_save` returns one line per row for the title's history, as the admin always wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm

from shuraba.accounts.models import User
from shuraba.catalog import services
from shuraba.catalog.models import (
    SOURCE_EDITOR,
    AltTitle,
    Credit,
    ExternalId,
    FormulaStage,
    Title,
    TitleAxisValue,
    TitleTag,
)
from shuraba.catalog.rules import (
    CatalogError,
    alt_title_check,
    credit_check,
    external_id_check,
    title_axis_check,
    title_stage_check,
    title_tag_check,
)
from shuraba.taxonomy.models import Axis

PROVENANCE_FIELDS = ("source", "confidence", "updated_by")
Editor = User | None
Change = tuple[str, str, object, object]  # entity, field, old, new: a line of the title's history


class ServiceFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """An inline whose rows a catalog service writes: `row_check` is the service's check of one row."""

    def clean(self) -> None:
        super().clean()
        for form in self.kept_forms():
            if form.has_changed() and not form.errors:
                try:
                    self.row_check(form.instance)
                except CatalogError as exc:
                    form.add_error(None, str(exc))

    def row_check(self, row: Any) -> None:
        raise NotImplementedError

    def row_write(self, *, before: Any, after: Any, actor: Editor) -> None:
        """Write one row through the services: `before` as stored (None when added), `after` as the form
        leaves it (None when deleted)."""
        raise NotImplementedError

    def marked_deleted(self, form: ModelForm[Any]) -> bool:
        return bool(self.can_delete and getattr(form, "cleaned_data", {}).get("DELETE"))

    def kept_forms(self) -> Iterator[ModelForm[Any]]:
        """The forms that hold a row after saving: filled in and not marked for deletion."""
        for form in self.forms:
            if getattr(form, "cleaned_data", None) and not self.marked_deleted(form):
                yield form

    def edits(self) -> list[tuple[ModelForm[Any], Any, Any]]:
        """(form, row as stored or None, row as the form leaves it or None) for every added, changed or
        deleted row, the stored rows read before anything is written."""
        found = []
        for form in self.forms:
            deleted = self.marked_deleted(form)
            if not (deleted or form.has_changed()) or (deleted and not form.instance.pk):
                continue
            pk = form.instance.pk
            before = self.model._default_manager.get(pk=pk) if pk else None
            found.append((form, before, None if deleted else form.instance))
        return found

    def history(self, edits: list[tuple[ModelForm[Any], Any, Any]]) -> list[Change]:
        """One line per row, as the admin has always written them: what the editor did in the form. Also
        fills the lists Django's own admin log reads (`formset.save()` would have)."""
        self.new_objects = [after for _, before, after in edits if before is None]
        self.changed_objects = [(after, f.changed_data) for f, before, after in edits if before and after]
        self.deleted_objects = [before for _, before, after in edits if after is None]
        entity, lines = ENTITY[self.model], list[Change]()
        for form, before, after in edits:
            if after is None:
                lines.append((entity, self.model.__name__, str(before), None))
            else:
                lines.append((entity, ",".join(form.changed_data) if before else "added", None, str(after)))
        return lines

    def rows_save(self, *, actor: Editor) -> list[Change]:
        edits = self.edits()
        for _, before, after in edits:
            self.row_write(before=before, after=after, actor=actor)
        return self.history(edits)


def _moved(before: Model | None, after: Model | None, key: Callable[[Any], object]) -> bool:
    """Does the row stop being what it was (deleted, or its identity changed)?"""
    return before is not None and (after is None or key(before) != key(after))


class TagFormSet(ServiceFormSet):
    def row_check(self, row: TitleTag) -> None:
        title_tag_check(tag=row.tag, relevance=row.relevance, spoiler=row.spoiler, severity=row.severity)

    def row_write(self, *, before: TitleTag | None, after: TitleTag | None, actor: Editor) -> None:
        title: Title = self.instance
        if before is not None and _moved(before, after, lambda r: r.tag_id):
            services.title_tag_remove(title=title, tag_slug=before.tag.slug, source=SOURCE_EDITOR, actor=actor)
        if after is not None:
            slug = after.tag.slug
            services.title_tag_set(
                title=title,
                tag_slug=slug,
                relevance=after.relevance,
                spoiler=after.spoiler,
                severity=after.severity,
                source=SOURCE_EDITOR,
                actor=actor,
            )
            services.title_tag_lock(title=title, tag_slug=slug, locked=after.locked, actor=actor)


class StageFormSet(ServiceFormSet):
    def row_check(self, row: FormulaStage) -> None:
        title_stage_check(
            title=self.instance,
            stage=row.stage,
            chapter_start=row.chapter_start,
            chapter_end=row.chapter_end,
            spoiler=row.spoiler,
        )

    def row_write(self, *, before: FormulaStage | None, after: FormulaStage | None, actor: Editor) -> None:
        title: Title = self.instance
        if before is not None and _moved(before, after, lambda r: r.stage):
            services.title_stage_remove(title=title, stage=before.stage, source=SOURCE_EDITOR, actor=actor)
        if after is not None:
            services.title_stage_set(
                title=title,
                stage=after.stage,
                chapter_start=after.chapter_start,
                chapter_end=after.chapter_end,
                note=after.note,
                spoiler=after.spoiler,
                source=SOURCE_EDITOR,
                actor=actor,
            )


class AltTitleFormSet(ServiceFormSet):
    def row_check(self, row: AltTitle) -> None:
        alt_title_check(kind=row.kind, text=row.text)

    def row_write(self, *, before: AltTitle | None, after: AltTitle | None, actor: Editor) -> None:
        title: Title = self.instance
        if before is not None and _moved(before, after, lambda r: (r.kind, r.text)):
            services.title_alt_title_remove(
                title=title, kind=before.kind, text=before.text, source=SOURCE_EDITOR, actor=actor
            )
        if after is not None:
            services.title_alt_title_add(
                title=title, kind=after.kind, text=after.text, source=SOURCE_EDITOR, actor=actor
            )


class CreditFormSet(ServiceFormSet):
    def row_check(self, row: Credit) -> None:
        credit_check(role=row.role)

    def row_write(self, *, before: Credit | None, after: Credit | None, actor: Editor) -> None:
        title: Title = self.instance
        if before is not None and _moved(before, after, lambda r: (r.creator_id, r.role)):
            services.title_credit_remove(
                title=title, creator=before.creator, role=before.role, source=SOURCE_EDITOR, actor=actor
            )
        if after is not None:
            services.title_credit_add(
                title=title, creator=after.creator, role=after.role, source=SOURCE_EDITOR, actor=actor
            )


class ExternalIdFormSet(ServiceFormSet):
    def row_check(self, row: ExternalId) -> None:
        external_id_check(id_source=row.source, external_id=row.external_id)

    def row_write(self, *, before: ExternalId | None, after: ExternalId | None, actor: Editor) -> None:
        title: Title = self.instance
        if before is not None and _moved(before, after, lambda r: (r.source, r.external_id)):
            services.title_external_id_remove(
                title=title, id_source=before.source, external_id=before.external_id, source=SOURCE_EDITOR, actor=actor
            )
        if after is not None:
            services.title_external_id_add(
                title=title, id_source=after.source, external_id=after.external_id, source=SOURCE_EDITOR, actor=actor
            )


class AxisValueFormSet(ServiceFormSet):
    """A title's profile: rows are values, but an axis is set whole (`title_axis_set`), so the formset
    groups its rows by axis; single-valued axes (centrality, ending, …) take one value."""

    def clean(self) -> None:
        BaseInlineFormSet.clean(self)  # the per-row checks of ServiceFormSet do not apply: see below
        seen: dict[str, str] = {}
        for form in self.kept_forms():
            value = form.cleaned_data.get("value")
            if value is None:
                continue
            if not value.axis.is_multi and value.axis.key in seen:
                raise ValidationError(
                    f"{value.axis.label} takes one value; remove {seen[value.axis.key]} or {value.key}."
                )
            seen[value.axis.key] = value.key
        for axis, values in self._axes_wanted(self._axes_touched(self.edits())).items():
            try:
                title_axis_check(axis.key, values)
            except CatalogError as exc:
                raise ValidationError(str(exc)) from None

    def _axes_touched(self, edits: list[tuple[ModelForm[Any], Any, Any]]) -> set[Axis]:
        axes = set()
        for _, before, after in edits:
            axes |= {row.value.axis for row in (before, after) if row is not None and row.value_id}
        return axes

    def _axes_wanted(self, axes: set[Axis]) -> dict[Axis, dict[str, float]]:
        wanted: dict[Axis, dict[str, float]] = {axis: {} for axis in axes}
        for form in self.kept_forms():
            value = form.cleaned_data.get("value")
            if value is not None and value.axis in wanted:
                wanted[value.axis][value.key] = float(form.cleaned_data.get("weight", 1.0))
        return wanted

    def rows_save(self, *, actor: Editor) -> list[Change]:
        """Each touched axis is set whole, then locked when any of its rows is ticked (else unlocked)."""
        edits = self.edits()
        title: Title = self.instance
        locked = {form.cleaned_data["value"].axis for form in self.kept_forms() if form.cleaned_data.get("locked")}
        for axis, values in self._axes_wanted(self._axes_touched(edits)).items():
            services.title_axis_set(title=title, axis_key=axis.key, values=values, source=SOURCE_EDITOR, actor=actor)
            services.title_axis_lock(title=title, axis_key=axis.key, locked=axis in locked, actor=actor)
        return self.history(edits)

    def row_check(self, row: TitleAxisValue) -> None:
        pass  # an axis is checked whole, in clean

    def row_write(self, *, before: Any, after: Any, actor: Editor) -> None:
        pass  # an axis is written whole, in rows_save


ENTITY: dict[type[Model], str] = {
    TitleAxisValue: "profile",
    TitleTag: "tag",
    FormulaStage: "stage",
    AltTitle: "alt-title",
    Credit: "credit",
    ExternalId: "external-id",
}


class AxisValueInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TitleAxisValue
    formset = AxisValueFormSet
    fields = ("value", "weight", "locked", "source", "confidence", "updated_by")
    readonly_fields = PROVENANCE_FIELDS
    autocomplete_fields = ()
    extra = 0
    verbose_name = "profile value"


class TagInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TitleTag
    formset = TagFormSet
    fields = ("tag", "relevance", "spoiler", "severity", "locked", "source", "updated_by")
    readonly_fields = ("source", "updated_by")
    extra = 0


class StageInline(admin.TabularInline):  # type: ignore[type-arg]
    model = FormulaStage
    formset = StageFormSet
    fields = ("stage", "chapter_start", "chapter_end", "spoiler", "note", "source", "updated_by")
    readonly_fields = ("source", "updated_by")
    extra = 0


class AltTitleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AltTitle
    formset = AltTitleFormSet
    extra = 0


class CreditInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Credit
    formset = CreditFormSet
    extra = 0


class ExternalIdInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ExternalId
    formset = ExternalIdFormSet
    extra = 0
