"""A profile that puts infidelity in the story implies the Infidelity warning (catalog/implications.py), so
`/browse/?exclude=infidelity` and an avoid rule on the warning exclude every NTR title whose partner strays
without agreement, classified by anyone; consensual netorase stays out of it, as the warning defines."""

from __future__ import annotations

import pytest
from django.test import Client

from shuraba.accounts import policies
from shuraba.accounts.models import User
from shuraba.accounts.policies import PUBLIC, Visibility
from shuraba.accounts.rules import rules_parse
from shuraba.catalog import services
from shuraba.catalog.implications import INFIDELITY
from shuraba.catalog.models import Title, TitleAxisValue, TitleTag
from shuraba.importers.runs import records_import
from shuraba.search.engine import engine_search
from shuraba.search.live import search_index
from shuraba.search.query import SearchQuery
from shuraba.search.reference import reference_search
from tests.importers.factories import record

pytestmark = pytest.mark.django_db


def _imported() -> Title:
    records_import(records=[record(source_id="77", title="Kasou Kanojo", tags=())], source="anilist", suggest=False)
    return Title.objects.get(source_snapshots__source="anilist", source_snapshots__source_id="77")


def _infidelity(title: Title) -> TitleTag | None:
    return TitleTag.objects.filter(title=title, tag__slug="infidelity").first()


def _excluded(title: Title) -> bool:
    query = SearchQuery(exclude_tags=("infidelity",), q="kasou kanojo")
    found = engine_search(search_index(), query, PUBLIC).pks
    assert found == reference_search(query, PUBLIC).pks
    return title.pk not in found


def test_an_imported_title_classified_as_ntr_carries_the_implied_warning(editor: User, client: Client) -> None:
    title = _imported()
    assert _infidelity(title) is None
    assert not _excluded(title)
    services.title_axis_set(title=title, axis_key="centrality", values={"major": 1.0}, source="editor", actor=editor)
    row = _infidelity(title)
    assert row is not None
    assert (row.source, row.relevance, row.severity) == ("implied", INFIDELITY.relevance[2], "moderate")
    assert _excluded(title)
    for line in ("warning:infidelity", "infidelity"):
        ruled = Visibility(rules=rules_parse([line]).rules)
        assert policies.title_hidden(ruled, title_id=title.pk, content_rating=title.content_rating) is not None, line
    page = client.get(f"/titles/{title.slug}/").content.decode()
    assert "Infidelity · moderate · implied by the profile" in page


def test_a_suggestion_accepted_from_an_import_implies_it_too() -> None:
    title = _imported()
    services.title_axis_set(title=title, axis_key="centrality", values={"core": 1.0}, source="import:anilist")
    row = _infidelity(title)
    assert row is not None
    assert row.relevance == INFIDELITY.relevance[3]


def test_primary_netorase_implies_no_infidelity_and_the_implied_row_follows_the_profile(editor: User) -> None:
    title = _imported()
    services.title_axis_set(title=title, axis_key="centrality", values={"core": 1.0}, source="editor", actor=editor)
    assert _infidelity(title) is not None
    services.title_axis_set(title=title, axis_key="subgenre", values={"netorase": 1.0}, source="editor", actor=editor)
    assert _infidelity(title) is None
    services.title_axis_set(
        title=title, axis_key="subgenre", values={"netorase": 0.3, "netorare": 1.0}, source="editor", actor=editor
    )
    assert _infidelity(title) is not None
    services.title_axis_set(title=title, axis_key="centrality", values={"none": 1.0}, source="editor", actor=editor)
    assert _infidelity(title) is None


def test_an_editors_own_infidelity_tag_is_never_taken_back(editor: User) -> None:
    title = _imported()
    services.title_tag_set(title=title, tag_slug="infidelity", relevance=85, source="editor", actor=editor)
    services.title_axis_set(title=title, axis_key="centrality", values={"major": 1.0}, source="editor", actor=editor)
    services.title_axis_set(title=title, axis_key="centrality", values={"none": 1.0}, source="editor", actor=editor)
    row = _infidelity(title)
    assert row is not None
    assert (row.source, row.relevance) == ("editor", 85)


def test_every_sample_title_whose_partner_strays_without_agreement_is_excluded_by_exclude_infidelity() -> None:
    ntr = set(
        TitleAxisValue.objects.filter(axis__key="centrality", value__rank__gte=1).values_list("title_id", flat=True)
    )
    agreed = set(
        TitleAxisValue.objects.filter(axis__key="subgenre", value__key="netorase", weight__gte=0.5).values_list(
            "title_id", flat=True
        )
    )
    assert ntr - agreed
    everything = Visibility(hidden_ratings=frozenset())
    query = SearchQuery(exclude_tags=("infidelity",), per_page=100)
    kept = set(engine_search(search_index(), query, everything).pks)
    total = engine_search(search_index(), query, everything).total
    assert total <= 100
    assert not kept & (ntr - agreed)
    assert kept & agreed  # consensual netorase is not infidelity
