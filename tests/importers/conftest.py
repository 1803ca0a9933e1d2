"""The import pipeline tests: a marker for the slow ones (they still run in `make test`)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "full_import: imports the whole 4,045-title file or runs subprocesses; part of `make test`"
    )
