"""The editors' queues in the admin: accept and reject suggestions, decide uncertain matches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from shuraba.accounts.models import User
from shuraba.catalog.models import Title, TitleAxisValue
from shuraba.importers.models import ClassificationSuggestion, MatchReview
from shuraba.importers.runs import records_import
from tests.importers.factories import record


def _suggestion(axis: str = "centrality", values: dict[str, float] | None = None) -> ClassificationSuggestion:
    records_import(records=[record()], source="anilist", suggest=False)
    title = Title.objects.get(source_snapshots__source_id="1")
    return ClassificationSuggestion.objects.create(
        title=title, axis=axis, values=values or {"incidental": 1.0}, confidence=0.6, reasons="why", source="model"
    )


def _act(client: Client, model: str, action: str, pk: int) -> str:
    response = client.post(f"/admin/importers/{model}/", {"action": action, "_selected_action": [pk]}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_queues_list_for_editors(editor_client: Client) -> None:
    _suggestion()
    for model in ("importrun", "classificationsuggestion", "matchreview", "sourcesnapshot", "sourceterm"):
        assert editor_client.get(f"/admin/importers/{model}/").status_code == 200


def test_accepting_in_the_admin_writes_the_value_with_the_suggestions_source(
    editor_client: Client, editor: User
) -> None:
    suggestion = _suggestion()
    html = _act(editor_client, "classificationsuggestion", "accept", suggestion.pk)
    assert "1 accepted." in html
    row = TitleAxisValue.objects.get(title=suggestion.title, axis__key="centrality")
    assert (row.value.key, row.source, row.updated_by) == ("incidental", "model", editor)


def test_rejecting_in_the_admin_writes_nothing_to_the_title(editor_client: Client) -> None:
    suggestion = _suggestion()
    assert "1 rejected." in _act(editor_client, "classificationsuggestion", "reject", suggestion.pk)
    assert ClassificationSuggestion.objects.get(pk=suggestion.pk).status == "rejected"
    assert not TitleAxisValue.objects.filter(title=suggestion.title).exists()


def test_a_refused_decision_shows_its_reason(editor_client: Client) -> None:
    suggestion = _suggestion()
    _act(editor_client, "classificationsuggestion", "reject", suggestion.pk)
    assert "was already decided" in _act(editor_client, "classificationsuggestion", "accept", suggestion.pk)


def _review() -> MatchReview:
    records_import(records=[record(source_id="9", start_date=dt.date(2015, 1, 1))], source="anilist", suggest=False)
    records_import(
        records=[record(source="mal", source_id="4", title="Kanojo no Himitsu!", start_date=None, creators=())],
        source="mal",
        suggest=False,
    )
    return MatchReview.objects.get(source="mal", source_id="4")


def test_merging_a_review_joins_the_record_to_the_candidate(editor_client: Client, editor: User) -> None:
    review = _review()
    assert "1 merged." in _act(editor_client, "matchreview", "merge", review.pk)
    candidate = review.candidate
    assert candidate is not None
    assert set(candidate.source_snapshots.values_list("source", flat=True)) == {"anilist", "mal"}
    review.refresh_from_db()
    assert (review.status, review.decided_by) == ("merged", editor)


def test_importing_a_review_as_new_creates_its_own_title(editor_client: Client) -> None:
    review = _review()
    titles = Title.objects.count()
    assert "1 imported as new titles." in _act(editor_client, "matchreview", "create", review.pk)
    assert Title.objects.count() == titles + 1
    new = Title.objects.get(source_snapshots__source="mal", source_snapshots__source_id="4")
    assert new != review.candidate
    again = records_import(
        records=[record(source="mal", source_id="4", title="Kanojo no Himitsu!", start_date=None, creators=())],
        source="mal",
    )
    assert (again.run.unchanged, again.run.reviews) == (1, 0)


@pytest.mark.parametrize("model", ["classificationsuggestion", "matchreview"])
def test_readers_cannot_reach_the_queues(unverified: Client, model: str) -> None:
    assert unverified.get(f"/admin/importers/{model}/").status_code == 302


def test_a_runs_page_lists_its_rejected_rows(editor_client: Client) -> None:
    outcome = records_import(records=[record(source_id="8", chapters=-3)], source="anilist", suggest=False)
    html = editor_client.get(f"/admin/importers/importrun/{outcome.run.pk}/change/").content.decode()
    assert "anilist 8" in html
    assert "chapters -3 is outside" in html
