from django.contrib import admin

from shuraba.editorial.models import GuidePage


@admin.register(GuidePage)
class GuidePageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "slug", "order", "published", "updated_at")
    prepopulated_fields = {"slug": ("title",)}
