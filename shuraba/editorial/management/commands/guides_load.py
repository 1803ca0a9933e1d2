from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuraba.core.errors import DataFileError
from shuraba.editorial.services import GUIDES_PATH, guides_load


class Command(BaseCommand):
    help = "Load the genre guide pages; existing pages are kept unless --overwrite."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=GUIDES_PATH)
        parser.add_argument("--overwrite", action="store_true", help="replace edited pages with the file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created, updated = guides_load(path=options["path"], overwrite=options["overwrite"])
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"guide pages: {created} created, {updated} updated"))
