from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "shuraba.lists"
    label = "lists"
