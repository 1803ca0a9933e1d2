from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "shuraba.search"
    label = "search"

    def ready(self) -> None:
        from shuraba.accounts.policies import rules_lookup_register  # noqa: PLC0415 (apps must be ready)
        from shuraba.search.lookup import title_rules_hide  # noqa: PLC0415 (same)

        rules_lookup_register(title_rules_hide)
