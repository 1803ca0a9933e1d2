from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shuraba.core"
    label = "core"
