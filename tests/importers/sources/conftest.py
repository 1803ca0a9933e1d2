from __future__ import annotations

import pytest

from shuraba.importers.sources.ratelimit import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    """Fake time: limiters sleep on it instantly and tests read what they waited."""
    return FakeClock()
