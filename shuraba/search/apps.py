from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "shuraba.search"
    label = "search"
