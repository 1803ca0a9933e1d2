"""Where the team's seed data lives: $SHURABA_SHARED_DATA, else ../shared/data beside the checkout (see its
README). Tests read it in place; the repository never copies it."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    override = os.environ.get("SHURABA_SHARED_DATA")
    return Path(override) if override else REPO.parent / "shared" / "data"
