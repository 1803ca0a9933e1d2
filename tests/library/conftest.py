from __future__ import annotations

import pytest
from django.utils import timezone

from shuraba.accounts.models import User


@pytest.fixture
def reader_is_adult(reader: User) -> None:
    """The reader fixture with 18+ confirmed: imports then match titles behind the age gate too."""
    reader.age_confirmed_at = timezone.now()
    reader.save(update_fields=["age_confirmed_at"])
