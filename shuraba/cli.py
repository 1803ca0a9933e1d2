"""The `shuraba` console script: Django's management commands under our name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings  # noqa: PLC0415 (the environment first)
    from django.core.exceptions import ImproperlyConfigured  # noqa: PLC0415 (the environment first)
    from django.core.management import execute_from_command_line  # noqa: PLC0415 (the environment first)

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reads the settings: a bad environment variable stops here)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"shuraba: {exc} (see docs/operations.md)\n")
        raise SystemExit(2) from None
    execute_from_command_line(["shuraba", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
