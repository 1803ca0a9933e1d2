from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "shuraba.reviews"
    label = "reviews"
    default_auto_field = "django.db.models.BigAutoField"
