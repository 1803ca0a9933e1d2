from __future__ import annotations

from pathlib import Path

import pytest

from shuraba.recommend import training


@pytest.fixture(autouse=True)
def model_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's model file in its own folder (no model until a test trains one), and no background
    training unless a test asks for one (`training.checks_reset`)."""
    monkeypatch.setattr(training, "model_path", lambda: tmp_path / "model.npz")
    monkeypatch.setattr(training, "_checked_at", float("inf"))
    return tmp_path
