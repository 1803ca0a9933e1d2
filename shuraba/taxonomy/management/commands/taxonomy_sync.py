from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuraba.core.errors import DataFileError
from shuraba.taxonomy.services import TAXONOMY_PATH, taxonomy_sync


class Command(BaseCommand):
    help = "Make the database vocabulary equal to taxonomy.toml (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=TAXONOMY_PATH, help="taxonomy file to sync")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = taxonomy_sync(path=options["path"])
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 2:
            for line in report.details:
                self.stdout.write(f"  {line}")
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(str(report)))
