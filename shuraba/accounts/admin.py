from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from shuraba.accounts.models import User


@admin.register(User)
class ShurabaUserAdmin(UserAdmin):  # type: ignore[type-arg]
    fieldsets = (*UserAdmin.fieldsets, ("Reading", {"fields": ("age_confirmed_at", "spoilers", "spoilers_set_at")}))  # type: ignore[misc]
