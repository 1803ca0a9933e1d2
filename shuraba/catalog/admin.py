"""The editors' admin. Every save records who changed what, when, on whose authority (source=editor).

Inline rows (profile, stages, tags, names, credits, ids) are written through the catalog's services:
see admin_inlines.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from shuraba.accounts.models import User
from shuraba.catalog import services
from shuraba.catalog.admin_inlines import (
    AltTitleInline,
    AxisValueInline,
    CreditInline,
    ExternalIdInline,
    ServiceFormSet,
    StageInline,
    TagInline,
)
from shuraba.catalog.models import ChangeRecord, Creator, Title


def _editor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


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

    def save_formset(self, request: HttpRequest, form: Any, formset: ServiceFormSet, change: bool) -> None:
        """Inline rows are written by the catalog's services (the formset ran their checks in `clean`); the
        history also keeps one line per row, what the editor did in the form."""
        changes = formset.rows_save(actor=_editor(request))
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
