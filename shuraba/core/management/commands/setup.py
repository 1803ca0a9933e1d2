from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate, sync the taxonomy, load the guide and (into an empty catalog) the sample, collect static files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-sample", action="store_true", help="do not load the fictional sample catalog")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database migrated")
        call_command("taxonomy_sync", stdout=self.stdout)
        call_command("guides_load", stdout=self.stdout)
        if not options["no_sample"]:
            call_command("sample_load", stdout=self.stdout)
            call_command("lists_sample_load", stdout=self.stdout)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("static files collected")
