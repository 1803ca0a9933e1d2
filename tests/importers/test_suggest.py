"""Classification suggestions: evidence plus a model trained on editors' titles, queued, never editor facts."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from shuraba.accounts.models import User
from shuraba.catalog import services as catalog
from shuraba.catalog.models import ChangeRecord, Title, TitleAxisValue
from shuraba.importers import queues
from shuraba.importers.evaluate import suggestions_evaluate
from shuraba.importers.models import ClassificationSuggestion
from shuraba.importers.records import SourceRecord, SourceTag
from shuraba.importers.runs import records_import
from shuraba.importers.sources import anilist
from shuraba.importers.suggest import Suggester
from tests.importers.factories import record

pytestmark = pytest.mark.django_db
PAGES = Path(__file__).resolve().parents[1] / "data"


def _netorare_title() -> Title:
    """The recorded adult AniList title with Netorare 88, Cheating 74 and spoiler-flagged Revenge and Tragedy."""
    rows = anilist.ADAPTER.parse_page(json.loads((PAGES / "anilist" / "page_1.json").read_text()), where="page 1")
    chosen = [r for r in rows if isinstance(r, SourceRecord) and r.source_id == "9000001"]
    records_import(records=chosen, source="anilist")
    return Title.objects.get(source_snapshots__source_id="9000001")


def _suggested(title: Title) -> dict[str, ClassificationSuggestion]:
    return {s.axis: s for s in ClassificationSuggestion.objects.filter(title=title, status="pending")}


def test_the_model_trains_on_the_editor_classified_sample_catalog() -> None:
    suggester = Suggester.train()
    assert {"centrality", "ending", "content-rating", "subgenre:netorare"} <= set(suggester.models)
    assert all(m.trained_on >= 40 for m in suggester.models.values())


def test_an_adult_netorare_import_queues_suggestions_with_reasons_and_writes_no_profile() -> None:
    title = _netorare_title()
    suggested = _suggested(title)
    assert suggested["centrality"].values == {"core": 1.0}
    assert suggested["centrality"].source == "import:anilist"
    assert "AniList tag Netorare rank 88" in suggested["centrality"].reasons
    assert "netorare" in suggested["subgenre"].values
    assert "content-rating" not in suggested  # the adult flag already made it explicit
    assert not TitleAxisValue.objects.filter(title=title).exists()
    assert not ChangeRecord.objects.filter(title=title, source="editor").exists()


def test_accepting_writes_the_suggestions_source_not_editor(editor: User) -> None:
    title = _netorare_title()
    suggestion = _suggested(title)["centrality"]
    queues.suggestion_accept(suggestion=suggestion, actor=editor)
    row = TitleAxisValue.objects.get(title=title, axis__key="centrality")
    assert (row.value.key, row.source, row.confidence) == ("core", "import:anilist", suggestion.confidence)
    record = ChangeRecord.objects.filter(title=title, field="centrality").get()
    assert (record.source, record.actor, record.reason) == (
        "import:anilist",
        editor,
        f"suggestion #{suggestion.pk} accepted",
    )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == ("accepted", editor)


def test_accepting_a_content_rating_goes_through_the_title_with_the_model_as_source(editor: User) -> None:
    records_import(records=[record()], source="anilist")
    title = Title.objects.get(source_snapshots__source_id="1")
    suggestion = ClassificationSuggestion.objects.create(
        title=title, axis="content-rating", values={"teen": 1.0}, confidence=0.7, reasons="test", source="model"
    )
    queues.suggestion_accept(suggestion=suggestion, actor=editor)
    title.refresh_from_db()
    assert title.content_rating == "teen"
    assert ChangeRecord.objects.filter(title=title, field="content_rating").get().source == "model"


def test_an_editors_value_is_never_suggested_over_nor_replaced(editor: User) -> None:
    title = _netorare_title()
    suggestion = _suggested(title)["centrality"]
    catalog.title_axis_set(title=title, axis_key="centrality", values={"major": 1.0}, source="editor", actor=editor)
    with pytest.raises(queues.DecisionRefused, match="an editor has classified centrality"):
        queues.suggestion_accept(suggestion=suggestion, actor=editor)
    assert TitleAxisValue.objects.get(title=title, axis__key="centrality").source == "editor"
    suggestion.delete()
    records_import(
        records=[record(source_id="9000001", tags=(SourceTag("Netorare", rank=95, adult=True),))], source="anilist"
    )
    assert "centrality" not in _suggested(title)


def test_a_rejected_suggestion_is_not_queued_again(editor: User) -> None:
    title = _netorare_title()
    suggestion = _suggested(title)["centrality"]
    queues.suggestion_reject(suggestion=suggestion, actor=editor)
    queues.suggestions_requeue()
    assert "centrality" not in _suggested(title)
    assert ClassificationSuggestion.objects.get(pk=suggestion.pk).status == "rejected"


def test_a_decided_suggestion_cannot_be_decided_again(editor: User) -> None:
    title = _netorare_title()
    suggestion = _suggested(title)["centrality"]
    queues.suggestion_reject(suggestion=suggestion, actor=editor)
    with pytest.raises(queues.DecisionRefused, match="already decided"):
        queues.suggestion_accept(suggestion=suggestion, actor=editor)


def test_held_out_accuracy_is_reported_per_axis_against_a_baseline() -> None:
    scores = {s.axis: s for s in suggestions_evaluate(test_share=0.25, seed=0)}
    assert set(scores) == {"centrality", "ending", "content-rating", "subgenre"}
    for score in scores.values():
        assert score.tested_on > 0
        assert 0.0 <= score.accuracy <= 1.0
        assert 0.0 <= score.baseline <= 1.0


def test_the_evaluate_command_prints_each_axis_and_says_the_sample_is_fictional() -> None:
    out = StringIO()
    call_command("suggestions", "evaluate", "--seed", "1", stdout=out)
    text = out.getvalue()
    assert "centrality" in text
    assert "fictional" in text
