from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from shuraba.catalog.models import ChangeRecord, Title, TitleAxisValue
from shuraba.catalog.sample import SAMPLE_DIR, sample_load
from shuraba.core.datafiles import toml_read
from shuraba.core.errors import DataFileError
from shuraba.taxonomy.models import AxisValue

COVERED_AXES = ("subgenre", "ending", "centrality", "consent", "perspective")


def test_sample_catalog_has_at_least_sixty_titles_all_fictional(db: None) -> None:
    assert Title.objects.count() >= 60
    assert not Title.objects.filter(is_fictional=False).exists()
    for path in SAMPLE_DIR.glob("*.toml"):
        data = toml_read(path)
        assert data["fictional"] is True
        assert "fictional" in data["notice"].lower()


@pytest.mark.parametrize("axis", COVERED_AXES)
def test_sample_catalog_covers_every_value_of(db: None, axis: str) -> None:
    used = set(TitleAxisValue.objects.filter(axis__key=axis).values_list("value__key", flat=True))
    assert used == set(AxisValue.objects.filter(axis__key=axis).values_list("key", flat=True))


def test_sample_catalog_covers_every_content_rating(db: None) -> None:
    ratings = Counter(Title.objects.values_list("content_rating", flat=True))
    assert set(ratings) == {"all-ages", "teen", "mature", "explicit", "unknown"}


def test_every_sample_title_has_creators_description_tags_and_formula(db: None) -> None:
    for title in Title.objects.prefetch_related("credits", "title_tags", "stages"):
        assert title.description.strip(), title.slug
        assert title.credits.exists(), title.slug
        assert title.title_tags.count() >= 3, title.slug
        assert title.stages.exists(), title.slug


def test_sample_load_records_history_with_source(db: None) -> None:
    title = Title.objects.order_by("slug").first()
    assert title is not None
    records = ChangeRecord.objects.filter(title=title)
    assert records.filter(entity="title", field="created").exists()
    assert records.filter(entity="profile", field="centrality").exists()
    assert set(records.values_list("source", flat=True)) <= {"editor", "community", "model"}


def test_sample_load_into_a_non_empty_catalog_does_nothing(db: None) -> None:
    before = Title.objects.count()
    report = sample_load()
    assert report.skipped
    assert Title.objects.count() == before


def _broken_sample(tmp_path: Path, replace: tuple[str, str], *, whole: bool) -> Path:
    """The sample with its last file broken: every file before it, or (a quicker load) the first and the last two."""
    paths = sorted(SAMPLE_DIR.glob("*.toml"))
    for path in paths if whole else [paths[0], paths[-2], paths[-1]]:
        (tmp_path / path.name).write_text(path.read_text())
    target = sorted(tmp_path.glob("*.toml"))[-1]
    text = target.read_text()
    assert replace[0] in text
    target.write_text(text.replace(replace[0], replace[1], 1))
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "message", "whole"),
    [
        ('content_rating = "', 'content_rating = "adults-', "content rating", True),
        ("relevance = ", "relevance = 1", "relevance", False),
        ('stage = "', 'stage = "epilogue-', "unknown stage", False),
        ("fictional = true", "fictional = false", "fictional", True),
    ],
)
def test_a_broken_sample_file_loads_nothing_and_names_the_problem(  # noqa: PLR0917 (parametrized)
    db: None, tmp_path: Path, old: str, new: str, message: str, whole: bool
) -> None:
    Title.objects.all().delete()
    directory = _broken_sample(tmp_path, (old, new), whole=whole)
    with pytest.raises(DataFileError, match=message):
        sample_load(directory=directory)
    assert Title.objects.count() == 0


def test_sample_load_command_exits_with_a_message_on_a_missing_folder(db: None, tmp_path: Path) -> None:
    Title.objects.all().delete()
    with pytest.raises(CommandError, match="no sample files"):
        call_command("sample_load", dir=tmp_path / "nowhere")


def test_an_unverified_visitor_sees_at_least_sixty_titles(unverified: object) -> None:
    response = unverified.get("/api/v1/titles")  # type: ignore[attr-defined]
    assert response.json()["total"] >= 60


def test_excluding_the_infidelity_warning_leaves_out_every_story_built_on_infidelity(adult: Client) -> None:
    """Centrality incidental or more means a partner strays; unless every partner agreed (consent "mutual":
    netorase, an open relationship, which the warning's definition leaves out), the story carries the
    Infidelity warning, so /browse/?exclude=infidelity keeps no such story (27 of 61 once lacked it)."""
    stray = TitleAxisValue.objects.filter(axis__key="centrality", value__rank__gte=1).values("title")
    consents: dict[int, set[str]] = {}
    for title_id, key in TitleAxisValue.objects.filter(axis__key="consent").values_list("title_id", "value__key"):
        consents.setdefault(title_id, set()).add(key)
    warned = set(Title.objects.filter(title_tags__tag__slug="infidelity").values_list("pk", flat=True))
    for title in Title.objects.filter(pk__in=stray):
        agreed = consents.get(title.pk, set()) <= {"mutual"}
        assert agreed or title.pk in warned, title.slug
    left = adult.get("/api/v1/titles", {"exclude": "infidelity", "centrality_min": "1", "per_page": "100"}).json()
    assert left["total"] > 0  # the agreed arrangements stay
    for item in left["items"]:
        assert consents[Title.objects.get(slug=item["slug"]).pk] <= {"mutual"}, item["slug"]
