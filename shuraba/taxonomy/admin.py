from django.contrib import admin

from shuraba.taxonomy.models import Axis, AxisValue, Tag, TagCategory, Term


class ReadOnlyFromFile(admin.ModelAdmin):  # type: ignore[type-arg]
    """The vocabulary is edited in taxonomy.toml and synced; the admin only shows it, editors' guidance
    included (the one place it is shown: readers see definitions only)."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Axis)
class AxisAdmin(ReadOnlyFromFile):
    list_display = ("key", "label", "kind", "spoiler", "warning", "guidance")


@admin.register(AxisValue)
class AxisValueAdmin(ReadOnlyFromFile):
    list_display = ("axis", "key", "label", "rank", "guidance")
    list_filter = ("axis",)
    search_fields = ("key", "label")


@admin.register(Term)
class TermAdmin(ReadOnlyFromFile):
    list_display = ("kind", "key", "label")


@admin.register(TagCategory)
class TagCategoryAdmin(ReadOnlyFromFile):
    list_display = ("key", "label")


@admin.register(Tag)
class TagAdmin(ReadOnlyFromFile):
    list_display = ("name", "slug", "category", "default_severity", "guidance")
    list_filter = ("category",)
    search_fields = ("name", "slug")
