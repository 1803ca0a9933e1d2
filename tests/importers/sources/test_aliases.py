from __future__ import annotations

import json
from pathlib import Path

import pytest

from shuraba.core.errors import DataFileError
from shuraba.importers.mapping import aliases_load
from shuraba.taxonomy.models import AxisValue, Tag
from tests.shared_data import shared_data_dir


def test_every_alias_names_a_tag_and_axis_value_of_the_synced_taxonomy(db: None) -> None:
    table = aliases_load()
    slugs = set(Tag.objects.values_list("slug", flat=True))
    values = set(AxisValue.objects.values_list("axis__key", "key"))
    assert slugs, "the session fixture syncs taxonomy.toml into the test database"
    unknown_tags = sorted({a.tag for a in table.aliases if a.tag and a.tag not in slugs})
    unknown_values = sorted({(a.axis, a.value) for a in table.aliases if a.axis and (a.axis, a.value) not in values})
    assert unknown_tags == []
    assert unknown_values == []


def test_the_table_covers_the_ntr_core_of_every_source() -> None:
    table = aliases_load()
    for source, kind, name in [
        ("anilist", "tag", "Netorare"),
        ("anilist", "tag", "Netori"),
        ("anilist", "tag", "Netorase"),
        ("anilist", "tag", "Cheating"),
        ("anilist", "tag", "Love Triangle"),
        ("anilist", "tag", "Revenge"),
        ("anilist", "tag", "Tragedy"),
        ("anilist", "adult-flag", "true"),
        ("mangadex", "content-rating", "pornographic"),
        ("mangaupdates", "category", "Netorare"),
        ("mangaupdates", "category", "Cheating"),
        ("mal", "genre", "Hentai"),
        ("mal", "theme", "Love Polygon"),
    ]:
        assert table.lookup(source, kind, name), (source, kind, name)


def test_every_alias_describes_itself_and_says_why() -> None:
    for alias in aliases_load().aliases:
        assert alias.note.strip()
        assert alias.name in alias.describe()


def test_anilist_ntr_centrality_bands_cover_every_rank_from_20_without_overlap() -> None:
    table = aliases_load()
    for name in ("Netorare", "Netori", "Netorase", "Cheating"):
        bands = [a for a in table.lookup("anilist", "tag", name) if a.axis == "centrality"]
        for rank in range(101):
            fitting = [a.value for a in bands if a.rank_fits(rank)]
            assert len(fitting) == (1 if rank >= 20 else 0), (name, rank, fitting)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "aliases.toml"
    path.write_text('version = "test"\n\n[[aliases]]\nsource = "anilist"\nname = "Netorare"\n' + body)
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('tag = "cuckoldry"\nnote = "x"\n', "tag 'cuckoldry' is not a tag slug in taxonomy.toml"),
        (
            'axis = "subgenre"\nvalue = "cuckold"\nnote = "x"\n',
            "subgenre=cuckold is not an axis value in taxonomy.toml",
        ),
        ('axis = "subgenre"\nnote = "x"\n', "axis and value go together"),
        ('note = "x"\n', "maps onto nothing"),
        ('tag = "infidelity"\n', "missing 'note'"),
        ('tag = "infidelity"\nnote = "x"\nrank = 3\n', "unknown keys ['rank']"),
        ('tag = "drama"\nseverity = "graphic"\nnote = "x"\n', "only content-warning tags carry a severity"),
        ('tag = "infidelity"\nmin_rank = 80\nmax_rank = 20\nnote = "x"\n', "min_rank 80 is above max_rank 20"),
        ('tag = "infidelity"\nkind = "vibe"\nnote = "x"\n', "kind 'vibe' is not one of"),
    ],
)
def test_a_broken_alias_file_names_the_row_and_the_problem(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(DataFileError, match="aliases\\[0\\]") as caught:
        aliases_load(_write(tmp_path, body))
    assert message in str(caught.value)


SHARED = shared_data_dir()


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"no shared data at {SHARED} (../shared/data or $SHURABA_SHARED_DATA)")
@pytest.mark.parametrize(
    ("source", "vocabulary"), [("anilist", "anilist_tags.jsonl"), ("mangadex", "mangadex_tags.jsonl")]
)
def test_alias_names_are_real_tags_of_the_source(source: str, vocabulary: str) -> None:
    lines = (SHARED / vocabulary).read_text(encoding="utf-8").splitlines()
    names = {json.loads(line)["name"] for line in lines}
    aliased = {a.name for a in aliases_load().aliases if a.source == source and a.kind == "tag"}
    assert aliased - names == set()
