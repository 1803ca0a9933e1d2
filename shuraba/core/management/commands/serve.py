from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

MAX_SOCKET_PATH = 100  # a Unix socket path holds at most 107 bytes (sun_path); leave room for gunicorn's own


def control_socket_args(data_dir: Path) -> list[str]:
    """gunicorn's control socket (`gunicornc`) in this site's data directory, not gunicorn's default
    ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl), which every serve on a host would share; none where the
    data directory's path is too long for a socket."""
    path = data_dir / "gunicorn.ctl"
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        return ["--no-control-socket"]
    return ["--control-socket", str(path)]


def control_socket_said(args: list[str]) -> str:
    if args[0] == "--no-control-socket":
        return "no control socket: the data directory's path is too long for one"
    return f"control socket {args[1]}"


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
        control = control_socket_args(settings.DATA_DIR)
        self.stdout.write(
            f"shuraba serving http://{bind}/ (data in {settings.DATA_DIR}; {control_socket_said(control)})"
        )
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
            "--config",
            "python:config.gunicorn",
            *control,
        ]
        os.execv(sys.executable, argv)  # noqa: S606 (replacing this process with the server is the point)
