from __future__ import annotations

from pathlib import Path

import pytest

from shuraba.core.errors import DataFileError
from shuraba.lists.models import ListItem, ReadingList
from shuraba.lists.sample import lists_sample_load


def test_the_sample_lists_load_once_and_are_the_sites_after(db: None) -> None:
    first = lists_sample_load()
    assert (first.created, first.kept) == (2, 0)
    starter = ReadingList.objects.get(slug="starter-revenge-ntr")
    assert (starter.kind, starter.owner, starter.starter, starter.focus) == ("editorial", None, True, "revenge")
    assert ListItem.objects.filter(reading_list=starter).count() == 5
    starter.name = "Renamed on the site"
    starter.save()
    again = lists_sample_load()
    assert (again.created, again.kept) == (0, 2)
    assert ReadingList.objects.get(slug="starter-revenge-ntr").name == "Renamed on the site"


def test_a_title_the_catalog_lacks_stops_the_load_before_anything_is_written(db: None, tmp_path: Path) -> None:
    broken = tmp_path / "lists.toml"
    broken.write_text('[[list]]\nslug = "x"\nname = "X"\n[[list.item]]\ntitle = "a-ferry-song-for-two"\n'
                      '[[list.item]]\ntitle = "no-such-title"\n', encoding="utf-8")  # fmt: skip
    with pytest.raises(DataFileError, match="no-such-title"):
        lists_sample_load(path=broken)
    assert not ReadingList.objects.exists()
    broken.write_text("[[list]\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"lists\.toml"):
        lists_sample_load(path=broken)


def test_a_catalog_without_the_sample_skips_the_lists(db: None, tmp_path: Path) -> None:
    other = tmp_path / "lists.toml"
    other.write_text(
        '[[list]]\nslug = "x"\nname = "X"\n[[list.item]]\ntitle = "not-in-this-catalog"\n', encoding="utf-8"
    )
    assert lists_sample_load(path=other).skipped
    assert not ReadingList.objects.exists()
