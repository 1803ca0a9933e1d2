from django.apps import AppConfig


class PreferencesConfig(AppConfig):
    name = "shuraba.preferences"
    label = "preferences"
