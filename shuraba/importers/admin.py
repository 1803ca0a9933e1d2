"""The import queues for editors: runs and their rejected rows, match reviews, suggestions, source terms.

Actions call the services in `queues.py`; nothing here writes to the catalog itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from shuraba.accounts.models import User
from shuraba.importers import queues
from shuraba.importers.models import (
    ClassificationSuggestion,
    ImportRowError,
    ImportRun,
    MatchReview,
    SourceSnapshot,
    SourceTerm,
)


def _editor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _decide(
    admin_obj: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    queryset: QuerySet[Any],
    decide: Callable[..., None],
    done: str,
    *,
    param: str,
) -> None:
    """Apply one decision (a service taking `param=` and `actor=`) to each selected row; report each refusal."""
    count = 0
    for obj in queryset:
        try:
            decide(actor=_editor(request), **{param: obj})
        except queues.DecisionRefused as exc:
            admin_obj.message_user(request, str(exc), level=messages.ERROR)
        else:
            count += 1
    if count:
        admin_obj.message_user(request, f"{count} {done}.", level=messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RowErrorInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ImportRowError
    fields = ("where", "reason")
    readonly_fields = ("where", "reason")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "source", "status", "started_at", "created", "updated", "unchanged", "rejected", "reviews")
    list_filter = ("source", "status")
    search_fields = ("command",)
    inlines = (RowErrorInline,)


@admin.register(SourceSnapshot)
class SourceSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("source", "source_id", "title", "fetched_at")
    list_filter = ("source",)
    search_fields = ("source_id", "title__title")
    raw_id_fields = ("title",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a title's merged fields are computed from its snapshots


@admin.register(MatchReview)
class MatchReviewAdmin(ReadOnlyAdmin):
    list_display = ("source", "source_id", "record_title", "candidate", "score", "reasons", "status")
    list_filter = ("status", "source")
    search_fields = ("source_id", "candidate__title")
    actions = ("merge", "create", "dismiss")

    @admin.display(description="record")
    def record_title(self, obj: MatchReview) -> str:
        return str(obj.record.get("title", ""))

    @admin.action(description="Merge into the candidate title")
    def merge(self, request: HttpRequest, queryset: QuerySet[MatchReview]) -> None:
        _decide(self, request, queryset, queues.match_review_merge, "merged", param="review")

    @admin.action(description="Import as a new title")
    def create(self, request: HttpRequest, queryset: QuerySet[MatchReview]) -> None:
        _decide(self, request, queryset, queues.match_review_create, "imported as new titles", param="review")

    @admin.action(description="Dismiss (the next import queues it again)")
    def dismiss(self, request: HttpRequest, queryset: QuerySet[MatchReview]) -> None:
        _decide(self, request, queryset, queues.match_review_dismiss, "dismissed", param="review")


@admin.register(ClassificationSuggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ("title", "axis", "values", "confidence", "source", "status", "created_at")
    list_filter = ("status", "axis", "source")
    search_fields = ("title__title",)
    readonly_fields = ("reasons",)
    actions = ("accept", "reject")

    @admin.action(description="Accept (written with the suggestion's source, not as an editor fact)")
    def accept(self, request: HttpRequest, queryset: QuerySet[ClassificationSuggestion]) -> None:
        _decide(self, request, queryset, queues.suggestion_accept, "accepted", param="suggestion")

    @admin.action(description="Reject")
    def reject(self, request: HttpRequest, queryset: QuerySet[ClassificationSuggestion]) -> None:
        _decide(self, request, queryset, queues.suggestion_reject, "rejected", param="suggestion")


@admin.register(SourceTerm)
class SourceTermAdmin(ReadOnlyAdmin):
    list_display = ("source", "name", "category", "is_adult", "maps_to", "evidence", "seen_at")
    list_filter = ("source", "is_adult", "category")
    search_fields = ("name", "maps_to")
