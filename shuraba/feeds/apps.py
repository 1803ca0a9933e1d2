from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "shuraba.feeds"
    label = "feeds"
