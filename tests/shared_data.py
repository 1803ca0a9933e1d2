"""Where the team's seed data lives (../shared/data beside the checkout; see its README).

Tests read it in place; the repository never copies it. Looked up in order: $SHURABA_SHARED_DATA,
the folder beside this checkout, /work/shared/data (the workplace's fixed location, for clones elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    candidates = [Path(os.environ["SHURABA_SHARED_DATA"])] if os.environ.get("SHURABA_SHARED_DATA") else []
    candidates += [REPO.parent / "shared" / "data", Path("/work/shared/data")]
    return next((path for path in candidates if path.is_dir()), candidates[0])
