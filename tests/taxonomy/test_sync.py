from __future__ import annotations

from pathlib import Path

import pytest
from django.utils.text import slugify

from shuraba.catalog.models import Title, TitleTag
from shuraba.catalog.services import title_axis_set, title_implications_apply
from shuraba.core.datafiles import toml_read
from shuraba.core.errors import DataFileError
from shuraba.taxonomy.models import Axis, AxisValue, Tag
from shuraba.taxonomy.services import TAXONOMY_PATH, taxonomy_sync

DESIGN_AXES = {
    "centrality": {"none", "incidental", "major", "core"},
    "subgenre": {"netorare", "netori", "netorase", "revenge"},
    "perspective": {"betrayed", "partner", "rival", "multiple"},
    "relationship": {"dating", "engaged", "married", "childhood-friends", "other"},
    "rival": {"dominant", "confident", "socially-powerful", "friend", "authority", "stranger", "ex-partner"},
    "drift": {"gradual", "sudden"},
    "consent": {"mutual", "emotional-only", "manipulation", "coercion", "non-consent"},
    "revelation": {"caught", "told", "evidence", "confession", "never"},
    "ending": {"tragedy", "reconciliation", "revenge", "acceptance", "open"},
    "intensity": {"1", "2", "3", "4", "5"},
    "depth": {"psychological", "straightforward"},
    "length": {"one-shot", "short", "medium", "long"},
    "content-rating": {"all-ages", "teen", "mature", "not-adult", "explicit"},  # not-adult: AniList's bound
}


def test_taxonomy_file_defines_every_axis_and_value_of_the_design() -> None:
    data = toml_read(TAXONOMY_PATH)
    found = {a["key"]: {v["key"] for v in a["values"]} for a in data["axes"]}
    assert found == DESIGN_AXES
    for axis in data["axes"]:
        assert axis["definition"].strip(), axis["key"]
        assert all(v["definition"].strip() for v in axis["values"]), axis["key"]


def test_only_revelation_and_ending_are_spoiler_axes(db: None) -> None:
    assert set(Axis.objects.filter(spoiler=True).values_list("key", flat=True)) == {"revelation", "ending"}
    assert set(Axis.objects.filter(warning=True).values_list("key", flat=True)) == {"consent"}


def test_sync_twice_changes_nothing(db: None) -> None:
    before = list(AxisValue.objects.values_list("pk", "key", "definition"))
    report = taxonomy_sync()
    assert (report.created, report.updated, report.removed) == (0, 0, 0)
    assert report.unchanged > 100
    assert list(AxisValue.objects.values_list("pk", "key", "definition")) == before


def test_sync_applies_an_edited_definition(db: None, tmp_path: Path) -> None:
    edited = tmp_path / "taxonomy.toml"
    edited.write_text(TAXONOMY_PATH.read_text())
    tag = Tag.objects.get(slug="drama")
    tag.definition = "stale"
    tag.save()
    report = taxonomy_sync(path=edited)
    assert report.updated == 1
    assert Tag.objects.get(slug="drama").definition != "stale"


def test_sync_refuses_to_remove_a_tag_titles_still_use(db: None, tmp_path: Path) -> None:
    text = TAXONOMY_PATH.read_text()
    start = text.index('[[tags]]\nname = "Infidelity"')
    end = text.index("[[tags]]", start + 5)
    edited = tmp_path / "taxonomy.toml"
    edited.write_text(text[:start] + text[end:])
    with pytest.raises(DataFileError, match=r"infidelity.*still used"):
        taxonomy_sync(path=edited)
    assert Tag.objects.filter(slug="infidelity").exists()


def test_broken_taxonomy_file_names_the_problem(db: None, tmp_path: Path) -> None:
    bad = tmp_path / "taxonomy.toml"
    bad.write_text('version = "x"\n[[axes]]\nkey = "centrality"\n')
    with pytest.raises(DataFileError, match="spoiler_levels"):
        taxonomy_sync(path=bad)
    bad.write_text("version = \n")
    with pytest.raises(DataFileError, match="not valid TOML"):
        taxonomy_sync(path=bad)


def test_tag_slugs_are_django_slugify_of_names(db: None) -> None:
    for tag in Tag.objects.all():
        assert tag.slug == slugify(tag.name)
    warnings = Tag.objects.filter(category__key="content-warning")
    assert warnings.exists()
    assert all(t.default_severity in {"minor", "moderate", "graphic"} for t in warnings)


def test_sync_re_ranking_a_centrality_value_re_applies_the_implied_infidelity(db: None) -> None:
    title = Title.objects.order_by("slug").first()
    assert title is not None
    TitleTag.objects.filter(title=title, tag__slug="infidelity").delete()
    title_axis_set(title=title, axis_key="subgenre", values={"netorare": 1.0}, source="editor")
    title_axis_set(title=title, axis_key="centrality", values={"major": 1.0}, source="editor")
    implied = TitleTag.objects.filter(title=title, tag__slug="infidelity", source="implied")
    assert implied.exists()
    AxisValue.objects.filter(axis__key="centrality", key="major").update(rank=0)  # a stale database
    title_implications_apply(title=title)
    assert not implied.exists()
    taxonomy_sync()  # the file ranks major 2: the profile implies the warning again
    assert implied.exists()
