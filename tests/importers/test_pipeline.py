"""The import pipeline on hand-made records: idempotence, dry runs, provenance, merges, reviews, editors' values."""

from __future__ import annotations

import datetime as dt

import pytest

from shuraba.accounts.models import User
from shuraba.catalog import services as catalog
from shuraba.catalog.models import (
    AltTitle,
    ChangeRecord,
    ExternalId,
    Title,
    TitleTag,
)
from shuraba.core.models import Change as CatalogChange
from shuraba.importers.models import ImportRowError, ImportRun, MatchReview, SourceSnapshot
from shuraba.importers.records import RowError, SourceCreator, SourceTag
from shuraba.importers.runs import records_import
from tests.importers.factories import record, table_rows

pytestmark = pytest.mark.django_db


def _title(source: str, source_id: str) -> Title:
    return Title.objects.get(source_snapshots__source=source, source_snapshots__source_id=source_id)


def test_a_new_record_becomes_a_title_with_names_ids_tags_and_import_provenance() -> None:
    outcome = records_import(
        records=[record(alt_titles=(("romaji", "Kanojo no Himitsu"), ("english", "Her Secret")))], source="anilist"
    )
    assert (outcome.run.created, outcome.run.rejected, outcome.exit_code) == (1, 0, 0)
    title = _title("anilist", "1")
    assert (title.title, title.status, title.chapters, title.content_rating) == (
        "Kanojo no Himitsu",
        "finished",
        40,
        "not-adult",
    )
    assert set(title.alt_titles.values_list("kind", "text")) == {
        ("romaji", "Kanojo no Himitsu"),
        ("english", "Her Secret"),
    }
    assert set(title.external_ids.values_list("source", "external_id")) == {("anilist", "1")}
    tags = {t.tag.slug: (t.relevance, t.source) for t in title.title_tags.select_related("tag")}
    assert tags == {"love-triangle": (85, "import:anilist"), "drama": (50, "import:anilist")}
    assert [c.creator.name for c in title.credits.select_related("creator")] == ["Aoi Mizuhara"]
    sources = set(ChangeRecord.objects.filter(title=title).values_list("source", flat=True))
    assert sources == {"import:anilist"}
    assert CatalogChange.objects.filter(title_id=title.pk).exists()
    assert title.description == ""


def test_a_second_identical_run_changes_nothing_not_even_history() -> None:
    records = [record(), record(source_id="2", title="Another Summer", alt_titles=())]
    records_import(records=records, source="anilist")
    before = table_rows()
    outcome = records_import(records=records, source="anilist")
    assert (outcome.run.created, outcome.run.updated, outcome.run.unchanged) == (0, 0, 2)
    after = table_rows()
    after["ImportRun"] -= {row for row in after["ImportRun"] if row[0] == repr(outcome.run.pk)}
    assert after == before


def test_a_dry_run_writes_nothing_at_all_but_reports_what_it_would_do() -> None:
    before = table_rows()
    outcome = records_import(records=[record(), RowError("line 3", "broken")], source="anilist", dry_run=True)
    assert (outcome.run.created, outcome.run.rejected, outcome.run.pk) == (1, 1, None)
    assert table_rows() == before
    assert not ImportRun.objects.exists()


def test_a_changed_record_updates_only_what_changed_with_the_source_as_provenance() -> None:
    records_import(records=[record(status="releasing", chapters=10)], source="anilist")
    title = _title("anilist", "1")
    count = ChangeRecord.objects.filter(title=title).count()
    outcome = records_import(records=[record(status="finished", chapters=10)], source="anilist")
    assert outcome.run.updated == 1
    changes = ChangeRecord.objects.filter(title=title).order_by("pk")[count:]
    assert [(c.field, c.old_value, c.new_value, c.source) for c in changes] == [
        ("status", "releasing", "finished", "import:anilist")
    ]


def test_a_tag_the_source_drops_is_removed_but_an_editors_tag_stays(editor: User) -> None:
    records_import(records=[record()], source="anilist")
    title = _title("anilist", "1")
    catalog.title_tag_set(title=title, tag_slug="jealousy", relevance=70, source="editor", actor=editor)
    records_import(records=[record(tags=(SourceTag("Drama", kind="genre"),))], source="anilist")
    assert set(TitleTag.objects.filter(title=title).values_list("tag__slug", "source")) == {
        ("drama", "import:anilist"),
        ("jealousy", "editor"),
    }


def test_an_editors_field_and_a_locked_tag_are_never_overwritten(editor: User) -> None:
    records_import(records=[record()], source="anilist")
    title = _title("anilist", "1")
    catalog.title_update(
        title=title, changes={"status": "hiatus", "content_rating": "teen"}, source="editor", actor=editor
    )
    love = TitleTag.objects.get(title=title, tag__slug="love-triangle")
    love.locked, love.relevance = True, 40
    love.save()
    records_import(
        records=[record(status="releasing", chapters=41, tags=(SourceTag("Love Triangle", rank=99),))], source="anilist"
    )
    title.refresh_from_db()
    assert (title.status, title.content_rating, title.chapters) == ("hiatus", "teen", 41)
    assert TitleTag.objects.get(pk=love.pk).relevance == 40


def test_an_editor_created_title_keeps_its_values_and_gains_only_blanks_and_names(editor: User) -> None:
    title = catalog.title_create(
        slug="kanojo-no-himitsu",
        title="Kanojo no Himitsu",
        source="editor",
        status="hiatus",
        content_rating="teen",
        start_date=dt.date(2015, 4, 1),
    )
    catalog.title_credit_add(
        title=title,
        creator=catalog.creator_upsert(slug="aoi-mizuhara", name="Aoi Mizuhara"),
        role="story-art",
        source="editor",
    )
    records_import(records=[record(alt_titles=(("english", "Her Secret"),))], source="anilist")
    title.refresh_from_db()
    assert (title.status, title.content_rating, title.chapters) == ("hiatus", "teen", 40)
    assert AltTitle.objects.filter(title=title, text="Her Secret").exists()
    assert ExternalId.objects.filter(title=title, source="anilist", external_id="1").exists()


def test_the_same_work_from_two_sources_becomes_one_title_through_cross_ids() -> None:
    anilist = record(source="anilist", source_id="30001", cross_ids={"mal": "1"}, status="releasing", chapters=None)
    mangadex = record(
        source="mangadex",
        source_id="6B1EB93E-473A-4AB3-9922-1A66D2A29A4A",
        title="Her Secret",
        alt_titles=(("english", "Her Secret"),),
        cross_ids={"al": "30001", "mu": "ttaew4a"},
        status="finished",
        chapters=40,
        is_adult=None,
        content_rating="teen",
    )
    records_import(records=[mangadex], source="mangadex")
    records_import(records=[anilist], source="anilist")
    assert Title.objects.filter(source_snapshots__isnull=False).distinct().count() == 1
    title = _title("anilist", "30001")
    assert set(title.external_ids.values_list("source", "external_id")) == {
        ("anilist", "30001"),
        ("mal", "1"),
        ("mangadex", "6b1eb93e-473a-4ab3-9922-1a66d2a29a4a"),
        ("mangaupdates", "ttaew4a"),
    }
    # AniList outranks MangaDex for facts; MangaDex fills what AniList lacks; the rating is MangaDex's
    # (AniList's "not adult" is only a bound, at most mature, which MangaDex's teen stays within).
    assert (title.title, title.status, title.chapters, title.content_rating) == (
        "Kanojo no Himitsu",
        "releasing",
        40,
        "teen",
    )
    assert {"Kanojo no Himitsu", "Her Secret"} <= set(title.alt_titles.values_list("text", flat=True))


def test_merging_does_not_depend_on_the_order_sources_arrive() -> None:
    anilist = record(source="anilist", source_id="5", cross_ids={"mal": "77"}, status="releasing")
    jikan = record(source="mal", source_id="77", title="Her Secret", status="finished", volumes=5, creators=())
    records_import(records=[anilist, jikan], source="anilist")
    first = {f: getattr(_title("anilist", "5"), f) for f in ("title", "status", "volumes", "content_rating")}
    Title.objects.filter(pk=_title("anilist", "5").pk).delete()
    records_import(records=[jikan, anilist], source="anilist")
    assert {f: getattr(_title("anilist", "5"), f) for f in first} == first


def test_a_record_matching_by_name_year_and_creator_merges_without_ids() -> None:
    records_import(records=[record(source="anilist", source_id="9", title="Ōkami to Kōshinryō")], source="anilist")
    outcome = records_import(
        records=[
            record(
                source="mal",
                source_id="3",
                title="OKAMI TO KOUSHINRYOU",
                alt_titles=(),
                creators=(SourceCreator("Mizuhara, Aoi", role="story-art"),),
            )
        ],
        source="mal",
    )
    assert outcome.run.updated == 1
    assert _title("mal", "3") == _title("anilist", "9")


def test_an_uncertain_match_waits_for_an_editor_instead_of_merging_or_creating() -> None:
    records_import(
        records=[record(source="anilist", source_id="9", title="Kanojo no Himitsu", start_date=dt.date(2015, 1, 1))],
        source="anilist",
    )
    titles = Title.objects.count()
    uncertain = record(source="mal", source_id="4", title="Kanojo no Himitsu!", start_date=None, creators=())
    outcome = records_import(records=[uncertain], source="mal")
    assert (outcome.run.reviews, outcome.run.created, outcome.run.updated, outcome.exit_code) == (1, 0, 0, 0)
    assert Title.objects.count() == titles
    review = MatchReview.objects.get(source="mal", source_id="4")
    assert (review.candidate, review.status) == (_title("anilist", "9"), "pending")
    assert "nothing else confirms it" in review.reasons
    again = records_import(records=[uncertain], source="mal")
    assert again.run.reviews == 1
    assert MatchReview.objects.filter(source="mal", source_id="4").count() == 1


def test_two_records_of_one_source_never_merge_into_one_title() -> None:
    records_import(records=[record(source_id="1"), record(source_id="2")], source="anilist")
    assert _title("anilist", "1") != _title("anilist", "2")


def test_a_record_that_breaks_a_rule_is_rejected_whole_with_its_reason() -> None:
    bad = record(source_id="8", chapters=-3)
    outcome = records_import(records=[bad, record(source_id="9", title="Fine")], source="anilist")
    assert (outcome.run.created, outcome.run.rejected, outcome.exit_code) == (1, 1, 1)
    error = ImportRowError.objects.get(run=outcome.run)
    assert (error.where, error.reason) == ("anilist 8", "chapters -3 is outside 0-2147483647")
    assert not SourceSnapshot.objects.filter(source_id="8").exists()


def test_a_cross_site_id_longer_than_the_catalog_keeps_rejects_its_row_not_the_run() -> None:
    bad = record(source_id="8", cross_ids={"mal": "9" * 81})
    outcome = records_import(records=[bad, record(source_id="9", title="Fine")], source="anilist")
    assert (outcome.run.created, outcome.run.rejected, outcome.exit_code) == (1, 1, 1)
    assert ImportRowError.objects.get(run=outcome.run).reason == "mal id is longer than 80 characters"


@pytest.mark.parametrize(
    ("is_adult", "rating", "expected"),
    [
        (True, None, "explicit"),
        (True, "teen", "explicit"),
        (False, "all-ages", "all-ages"),
        (False, None, "not-adult"),  # AniList says only that: at most mature
        (None, None, "unknown"),
        (None, "teen", "teen"),
    ],
)
def test_content_rating_follows_the_adult_flag_and_the_sources_own_rating(
    is_adult: bool | None, rating: str | None, expected: str
) -> None:
    records_import(records=[record(is_adult=is_adult, content_rating=rating)], source="anilist")
    assert _title("anilist", "1").content_rating == expected


def test_a_source_raises_a_models_rating_but_never_an_editors(editor: User) -> None:
    records_import(records=[record(source_id="1"), record(source_id="2", title="Other")], source="anilist")
    model_rated, editor_rated = _title("anilist", "1"), _title("anilist", "2")
    catalog.title_update(title=model_rated, changes={"content_rating": "teen"}, source="model")
    catalog.title_update(title=editor_rated, changes={"content_rating": "teen"}, source="editor", actor=editor)
    records_import(
        records=[record(source_id="1", is_adult=True), record(source_id="2", title="Other", is_adult=True)],
        source="anilist",
    )
    model_rated.refresh_from_db()
    editor_rated.refresh_from_db()
    assert (model_rated.content_rating, editor_rated.content_rating) == ("explicit", "teen")


def test_no_prose_is_ever_stored() -> None:
    records_import(records=[record()], source="anilist")
    snapshot = SourceSnapshot.objects.get(source="anilist", source_id="1")
    assert not {"description", "synopsis", "background"} & set(snapshot.facts)
    assert _title("anilist", "1").description == ""


def test_a_format_no_source_gives_is_stored_as_unknown_not_manga() -> None:
    records_import(records=[record(format=None)], source="anilist")
    assert _title("anilist", "1").format == "unknown"
    records_import(records=[record(format="one-shot")], source="anilist")  # the source says it later
    assert _title("anilist", "1").format == "one-shot"


def test_reimporting_undoes_the_manga_an_import_guessed_before_but_keeps_an_editors_format(editor: User) -> None:
    records_import(
        records=[record(format=None), record(source_id="2", title="Another Summer", format=None)], source="anilist"
    )
    guessed, chosen = _title("anilist", "1"), _title("anilist", "2")
    Title.objects.filter(pk=guessed.pk).update(format="manga")  # as imports stored it before: the model's default
    for snap in SourceSnapshot.objects.all():  # and the snapshots as they read then (facts.FACTS_READING 1)
        snap.facts.pop("reading")
        snap.save()
    catalog.title_update(title=chosen, changes={"format": "webtoon"}, source="editor", actor=editor)
    records_import(
        records=[record(format=None), record(source_id="2", title="Another Summer", format=None)], source="anilist"
    )
    assert (_title("anilist", "1").format, _title("anilist", "2").format) == ("unknown", "webtoon")
