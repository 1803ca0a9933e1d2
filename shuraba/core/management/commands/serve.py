from __future__ import annotations

import os
import re
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve shuraba with gunicorn, the production WSGI server (not runserver)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("SHURABA_HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("SHURABA_WORKERS", "2"))

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("port", "workers"):
            if not re.fullmatch(r"[0-9]{1,5}", str(options[name])) or not 0 < int(options[name]) < 65536:
                raise CommandError(f"--{name} must be a positive whole number, got {options[name]!r}")
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"shuraba serving http://{bind}/ (data in {settings.DATA_DIR})")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 (replacing this process with the server is the point)
