from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "shuraba.taxonomy"
    label = "taxonomy"
    default_auto_field = "django.db.models.BigAutoField"
