"""What a score is: its source, scale and votes on the title page and cards, from the real AniList file
(the mean of its score distribution, from the readers counted in it), and the sample's said to be fictional."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from shuraba.accounts.policies import PUBLIC
from shuraba.catalog import services as catalog
from shuraba.catalog.models import Title
from shuraba.importers.dataset import dataset_row_parse
from shuraba.importers.runs import records_import
from shuraba.importers.selectors import score_about
from tests.importers.factories import COLLECTION, record

pytestmark = pytest.mark.django_db
MONSTER = 30001


def _monster_row() -> dict[str, object]:
    with COLLECTION.open(encoding="utf-8") as lines:
        return next(r for r in map(json.loads, lines) if r["anilist_id"] == MONSTER)


@pytest.mark.skipif(not COLLECTION.exists(), reason=f"no shared data at {COLLECTION} (../shared/data)")
def test_a_real_titles_page_says_whose_score_on_which_scale_from_how_many_readers(client: Client) -> None:
    row = _monster_row()
    distribution = row["score_distribution"]
    assert isinstance(distribution, dict)
    votes = sum(distribution.values())
    mean = round(sum(int(k) * v for k, v in distribution.items()) / votes)
    records_import(records=[dataset_row_parse(row)], source="anilist", suggest=False)
    title = Title.objects.get(source_snapshots__source="anilist", source_snapshots__source_id=str(MONSTER))
    assert title.score == mean
    said = f"AniList mean {mean}/100 from {votes:,} readers"
    assert score_about(visibility=PUBLIC, title_id=title.pk) == said
    assert said in client.get(f"/titles/{title.slug}/").content.decode()


def test_a_sample_titles_score_is_said_to_be_fictional(client: Client) -> None:
    title = Title.objects.filter(is_fictional=True, score__isnull=False, content_rating="teen").first()
    assert title is not None
    page = client.get(f"/titles/{title.slug}/").content.decode()
    assert f"score {title.score}/100, fictional like the rest of the sample catalog" in page
    browse = client.get("/browse/", {"q": title.title}).content.decode()
    assert f"fictional score {title.score}/100" in browse


def _imported(source: str, source_id: str, **fields: object) -> Title:
    outcome = records_import(
        records=[record(source=source, source_id=source_id, **fields)], source=source, suggest=False
    )
    assert outcome.exit_code == 0
    return Title.objects.get(source_snapshots__source=source, source_snapshots__source_id=source_id)


def test_other_sources_scales_and_a_score_set_here(editor: object) -> None:
    mal = _imported("mal", "5", title="Scored Elsewhere", score=86, score_votes=1200, creators=())
    mu = _imported("mangaupdates", "7", title="Rated Elsewhere Entirely", score=79, creators=(), country="KR")
    assert score_about(visibility=PUBLIC, title_id=mal.pk) == "MyAnimeList score 8.6/10 from 1,200 members"
    expected = "MangaUpdates Bayesian rating 7.9/10 (readers' votes not given)"
    assert score_about(visibility=PUBLIC, title_id=mu.pk) == expected
    catalog.title_update(title=mal, changes={"score": 50}, source="editor", actor=editor)
    assert score_about(visibility=PUBLIC, title_id=mal.pk) == "score 50/100, set on this site"
