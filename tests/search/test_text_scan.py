from __future__ import annotations

import numpy as np

from shuraba.catalog import services
from shuraba.catalog.models import Title
from shuraba.core.changelog import changelog_newest as newest_change
from shuraba.search.build import index_build
from shuraba.search.normalize import text_normalize
from shuraba.search.storage import SearchIndex
from shuraba.search.textscan import tier as _tier


def _brute_force(index: SearchIndex, needle: str) -> dict[int, int]:
    tiers = {}
    for slot, names in enumerate(index.names):
        tier = max((_tier(name, needle) for name in names), default=0)
        if tier:
            tiers[slot] = tier
    return tiers


def test_the_vectorized_scan_finds_what_checking_every_name_finds(db: None) -> None:
    index = index_build()
    names = sorted({name for slot_names in index.names for name in slot_names})
    needles = {"a", "o", "ko", "no", " ", "the", "x", "𠮷", "愛", "사랑", "zzzz"}
    needles |= set(names[::7])  # whole names: exact matches
    needles |= {name[:4] for name in names[::5]} | {name[2:6] for name in names[::3] if len(name) > 6}
    every_third = np.arange(0, index.size, 3, dtype=np.int64)
    for raw in sorted(needles):
        needle = text_normalize(raw) or raw
        expected = _brute_force(index, needle)
        slots, tiers = index.scan_text(needle)
        assert dict(zip(slots.tolist(), tiers.tolist(), strict=True)) == expected, needle
        assert slots.tolist() == sorted(set(slots.tolist()))
        slots, tiers = index.scan_text(needle, every_third)  # only some titles' names (the trigram candidates)
        among = {slot: tier for slot, tier in expected.items() if slot % 3 == 0}
        assert dict(zip(slots.tolist(), tiers.tolist(), strict=True)) == among, needle
    assert any(3 in index.scan_text(name)[1].tolist() for name in names[:5])


def test_names_beyond_the_basic_multilingual_plane_are_scanned_too(db: None) -> None:
    title = services.title_create(slug="yoshi-house", title="Yoshi House", source="editor", content_rating="teen")
    services.title_alt_title_add(title=title, kind="native", text="𠮷野の家", source="editor")
    index = index_build()
    slot = index.slot_of[title.pk]
    for needle in ("𠮷", "𠮷野", "の家", "𠮷野の家"):
        slots, tiers = index.scan_text(needle)
        assert dict(zip(slots.tolist(), tiers.tolist(), strict=True)) == _brute_force(index, needle), needle
        assert slot in slots.tolist(), needle
    assert index.scan_text("𠮷野の家")[1][index.scan_text("𠮷野の家")[0].tolist().index(slot)] == 3


def test_a_deleted_title_leaves_no_trace_in_the_scan(db: None) -> None:
    title = services.title_create(slug="ferry-song", title="Ferry Song", source="editor", content_rating="teen")
    index = index_build()
    slot = index.slot_of[title.pk]
    assert slot in index.scan_text("ferry song")[0].tolist()
    services.title_delete(title=Title.objects.get(pk=title.pk))
    index.apply([title.pk], newest_change())
    for needle in ("ferry song", "ferry", "fe", "song"):
        slots, tiers = index.scan_text(needle)
        assert slot not in slots.tolist(), needle
        assert dict(zip(slots.tolist(), tiers.tolist(), strict=True)) == _brute_force(index, needle), needle
        among = np.arange(index.size, dtype=np.int64)  # the emptied slot among the candidates too
        assert index.scan_text(needle, among)[0].tolist() == slots.tolist(), needle
