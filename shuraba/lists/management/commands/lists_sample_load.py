from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shuraba.core.errors import DataFileError
from shuraba.lists.sample import lists_sample_load


class Command(BaseCommand):
    help = "Load the fictional sample's editorial reading lists (once: a list already there is kept as it is)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = lists_sample_load()
        except DataFileError as exc:
            raise CommandError(f"{exc} (nothing was loaded)") from exc
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(str(report)))
