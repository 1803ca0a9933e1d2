from django.apps import AppConfig


class RecommendConfig(AppConfig):
    name = "shuraba.recommend"
    label = "recommend"
