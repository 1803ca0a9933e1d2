from __future__ import annotations

from shuraba.catalog.models import Title
from shuraba.core.changelog import change_announce
from shuraba.core.versioned import VersionedCache


def test_a_copy_is_kept_until_the_catalog_changes_and_the_oldest_go_first(db: None) -> None:
    cache: VersionedCache[int] = VersionedCache(size=2)
    builds: list[str] = []

    def build(key: str) -> int:
        builds.append(key)
        return len(builds)

    assert cache.get("a", lambda: build("a")) == 1
    assert cache.get("a", lambda: build("a")) == 1, "same version: the copy"
    title = Title.objects.first()
    assert title is not None
    change_announce(title_id=title.pk)
    assert cache.get("a", lambda: build("a")) == 2, "any change: read again"
    cache.get("b", lambda: build("b"))
    cache.get("a", lambda: build("a"))  # used last: kept
    cache.get("c", lambda: build("c"))  # over the size: "b" goes
    assert cache.get("a", lambda: build("a")) == 2
    assert cache.get("b", lambda: build("b")) == len(builds), "b was dropped and built again"
    assert builds == ["a", "a", "b", "c", "b"]
