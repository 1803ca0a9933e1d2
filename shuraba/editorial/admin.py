from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shuraba.editorial.models import GuidePage


@admin.register(GuidePage)
class GuidePageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read only: pages are written in the site (/guide/<slug>/edit/), where every save is a revision."""

    list_display = ("title", "slug", "kind", "order", "published", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
