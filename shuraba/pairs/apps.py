from django.apps import AppConfig


class PairsConfig(AppConfig):
    name = "shuraba.pairs"
    label = "pairs"
