from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuraba.catalog.sample import SAMPLE_DIR, sample_load
from shuraba.core.errors import DataFileError


class Command(BaseCommand):
    help = "Load the fictional sample catalog into an empty database (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=SAMPLE_DIR, help="folder of sample *.toml files")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = sample_load(directory=options["dir"])
        except DataFileError as exc:
            raise CommandError(f"{exc} (nothing was loaded)") from exc
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(str(report)))
