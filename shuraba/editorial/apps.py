from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "shuraba.editorial"
    label = "editorial"
    default_auto_field = "django.db.models.BigAutoField"
