"""The editors' admin. Every save records who changed what, when, on whose authority (source=editor)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from shuraba.accounts.models import User
from shuraba.catalog import services
from shuraba.catalog.models import (
    SOURCE_EDITOR,
    AltTitle,
    ChangeRecord,
    Creator,
    Credit,
    ExternalId,
    FormulaStage,
    Title,
    TitleAxisValue,
    TitleTag,
)

PROVENANCE_FIELDS = ("source", "confidence", "updated_by")


class SingleAxisFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Single-valued axes (centrality, ending, …) take one value per title."""

    def clean(self) -> None:
        super().clean()
        seen: dict[str, str] = {}
        for form in self.forms:
            value = form.cleaned_data.get("value") if form.cleaned_data else None
            if value is None or form.cleaned_data.get("DELETE"):
                continue
            if not value.axis.is_multi and value.axis.key in seen:
                raise ValidationError(
                    f"{value.axis.label} takes one value; remove {seen[value.axis.key]} or {value.key}."
                )
            seen[value.axis.key] = value.key


class AxisValueInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TitleAxisValue
    formset = SingleAxisFormSet
    fields = ("value", "weight", "locked", "source", "confidence", "updated_by")
    readonly_fields = PROVENANCE_FIELDS
    autocomplete_fields = ()
    extra = 0
    verbose_name = "profile value"


class TagInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TitleTag
    fields = ("tag", "relevance", "spoiler", "severity", "locked", "source", "updated_by")
    readonly_fields = ("source", "updated_by")
    extra = 0


class StageInline(admin.TabularInline):  # type: ignore[type-arg]
    model = FormulaStage
    fields = ("stage", "chapter_start", "chapter_end", "spoiler", "note", "source", "updated_by")
    readonly_fields = ("source", "updated_by")
    extra = 0


class AltTitleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AltTitle
    extra = 0


class CreditInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Credit
    extra = 0


class ExternalIdInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ExternalId
    extra = 0


def _editor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _describe(obj: Model) -> str:
    return str(obj)


ENTITY = {
    TitleAxisValue: "profile",
    TitleTag: "tag",
    FormulaStage: "stage",
    AltTitle: "alt-title",
    Credit: "credit",
    ExternalId: "external-id",
}


@admin.register(Title)
class TitleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "content_rating", "status", "format", "country", "is_fictional", "updated_at")
    list_filter = ("content_rating", "status", "format", "country", "is_fictional")
    search_fields = ("title", "slug", "alt_titles__text")
    prepopulated_fields = {"slug": ("title",)}
    inlines = (AxisValueInline, StageInline, TagInline, AltTitleInline, CreditInline, ExternalIdInline)
    object_history_template = "admin/catalog/title/history.html"

    def save_model(self, request: HttpRequest, obj: Title, form: ModelForm[Title], change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes: list[tuple[str, str, object, object]] = [
            ("title", f, form.initial.get(f), form.cleaned_data.get(f)) for f in form.changed_data
        ]
        if not change:
            changes = [("title", "created", None, obj.slug)]
        services.title_changes_record(title=obj, changes=changes, actor=_editor(request))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        changes: list[tuple[str, str, object, object]] = []
        for obj in formset.deleted_objects:
            changes.append((ENTITY[type(obj)], type(obj).__name__, _describe(obj), None))
            obj.delete()
        changed = {id(o): fields for o, fields in formset.changed_objects}
        for obj in instances:
            if isinstance(obj, TitleAxisValue):
                obj.axis = obj.value.axis
            if hasattr(obj, "source"):
                obj.source, obj.updated_by = SOURCE_EDITOR, _editor(request)
                if hasattr(obj, "confidence"):
                    obj.confidence = 1.0
            fields = changed.get(id(obj))
            obj.save()
            changes.append((ENTITY[type(obj)], ",".join(fields) if fields else "added", None, _describe(obj)))
        formset.save_m2m()
        services.title_changes_record(title=form.instance, changes=changes, actor=_editor(request))

    def delete_model(self, request: HttpRequest, obj: Title) -> None:
        services.title_delete(title=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Title]) -> None:
        for title in queryset:
            services.title_delete(title=title)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        title = get_object_or_404(Title, pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"History of {title}",
            "object": title,
            "opts": self.model._meta,
            "records": ChangeRecord.objects.filter(title=title).select_related("actor"),
        }
        return TemplateResponse(request, "admin/catalog/title/history.html", context)


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "native_name", "slug")
    search_fields = ("name", "native_name")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "title", "entity", "field", "old_value", "new_value", "source", "actor")
    list_filter = ("entity", "source")
    search_fields = ("title__title", "field")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
