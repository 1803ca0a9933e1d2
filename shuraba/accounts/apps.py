from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shuraba.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shuraba.accounts import signals  # noqa: F401, PLC0415 (connects the sign-in and sign-out receivers)
