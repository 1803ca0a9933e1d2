"""A profile that puts infidelity in the story implies the Infidelity warning (catalog/implications.py), so
`/browse/?exclude=infidelity` and an avoid rule on the warning exclude every NTR title whose partner strays
without agreement, classified by anyone; consensual netorase stays out of it, as the warning defines."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shuraba.accounts import policies
from shuraba.accounts.models import User
from shuraba.accounts.policies import PUBLIC, Visibility
from shuraba.accounts.rules import rules_parse
from shuraba.catalog import services
from shuraba.catalog.implications import INFIDELITY
from shuraba.catalog.models import ChangeRecord, Title, TitleAxisValue, TitleTag
from shuraba.importers.records import SourceTag
from shuraba.importers.runs import records_import
from shuraba.search.engine import engine_search
from shuraba.search.live import search_index
from shuraba.search.query import SearchQuery
from shuraba.search.reference import reference_search
from tests.importers.factories import record

pytestmark = pytest.mark.django_db


def _imported(*tags: SourceTag) -> Title:
    records_import(records=[record(source_id="77", title="Kasou Kanojo", tags=tags)], source="anilist", suggest=False)
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


def _hidden_by_avoid_rules(title: Title) -> bool:
    lines = ("warning:infidelity", "infidelity")
    ruled = [Visibility(rules=rules_parse([line]).rules) for line in lines]
    return all(policies.title_hidden(v, title_id=title.pk, content_rating=title.content_rating) for v in ruled)


def test_removing_an_imports_infidelity_row_leaves_the_implied_one(editor: User) -> None:
    title = _imported()
    services.title_axis_set(title=title, axis_key="subgenre", values={"netorare": 1.0}, source="editor", actor=editor)
    services.title_axis_set(title=title, axis_key="centrality", values={"major": 1.0}, source="editor", actor=editor)
    services.title_tag_set(title=title, tag_slug="infidelity", relevance=80, source="import:anilist")
    assert services.title_tag_remove(title=title, tag_slug="infidelity", source="import:anilist")  # Cheating dropped
    row = _infidelity(title)
    assert row is not None
    assert (row.source, row.relevance) == ("implied", INFIDELITY.relevance[2])
    assert _excluded(title)
    assert _hidden_by_avoid_rules(title)
    history = ChangeRecord.objects.filter(title=title, field="infidelity").order_by("pk")
    assert list(history.values_list("source", "new_value"))[-2:] == [
        ("import:anilist", ""),
        ("implied", "70/none/moderate"),
    ]


def test_an_editor_deleting_the_row_of_an_ntr_profile_gets_the_implied_one_back(editor: User) -> None:
    title = _imported()
    services.title_tag_set(title=title, tag_slug="infidelity", relevance=85, source="editor", actor=editor)
    services.title_axis_set(title=title, axis_key="centrality", values={"core": 1.0}, source="editor", actor=editor)
    services.title_tag_remove(title=title, tag_slug="infidelity", source="editor", actor=editor)
    row = _infidelity(title)
    assert row is not None
    assert row.source == "implied"


def _uwaki(*tags: SourceTag) -> None:
    records_import(records=[record(source_id="78", title="Uwaki Nikki", tags=tags)], source="anilist", suggest=False)


def test_a_reimport_that_drops_cheating_leaves_the_implied_row(editor: User) -> None:
    _uwaki(SourceTag("Cheating", rank=30), SourceTag("Drama", kind="genre"))
    title = Title.objects.get(source_snapshots__source="anilist", source_snapshots__source_id="78")
    row = _infidelity(title)
    assert row is not None
    assert row.source == "import:anilist"
    services.title_axis_set(title=title, axis_key="centrality", values={"major": 1.0}, source="editor", actor=editor)
    assert _infidelity(title) == row  # the import's row stays as it was
    _uwaki(SourceTag("Drama", kind="genre"))
    row = _infidelity(title)
    assert row is not None
    assert (row.source, row.relevance) == ("implied", INFIDELITY.relevance[2])
    query = SearchQuery(exclude_tags=("infidelity",), q="uwaki nikki")
    assert title.pk not in engine_search(search_index(), query, PUBLIC).pks
    assert title.pk not in reference_search(query, PUBLIC).pks
    assert _hidden_by_avoid_rules(title)


TAG_SOURCES = ("editor", "import:anilist", "import:mangaupdates", "community")
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("centrality"), st.sampled_from(["none", "incidental", "major", "core"])),
        st.tuples(st.just("subgenre"), st.sampled_from([0.0, 0.3, 0.5, 1.0])),  # netorase's weight beside netorare
        st.tuples(st.just("set"), st.sampled_from(TAG_SOURCES)),
        st.tuples(st.just("remove"), st.sampled_from(TAG_SOURCES)),
        st.tuples(st.just("import"), st.booleans()),  # a re-import whose AniList record has Cheating, or not
    ),
    max_size=12,
)


def _step(title: Title, kind: str, arg: Any) -> None:
    if kind == "centrality":
        services.title_axis_set(title=title, axis_key="centrality", values={arg: 1.0}, source="editor")
    elif kind == "subgenre":
        values = {"netorare": 1.0, **({"netorase": arg} if arg else {})}
        services.title_axis_set(title=title, axis_key="subgenre", values=values, source="import:anilist")
    elif kind == "import":
        _imported(*((SourceTag("Cheating", rank=30),) if arg else ()))
    elif kind == "set":
        services.title_tag_set(title=title, tag_slug="infidelity", relevance=60, source=arg)
    else:
        services.title_tag_remove(title=title, tag_slug="infidelity", source=arg)


def _implied(title: Title) -> int | None:
    rows = TitleAxisValue.objects.filter(title=title).values_list("axis__key", "value__key", "value__rank", "weight")
    centrality = next((rank for axis, _, rank, _ in rows if axis == "centrality"), None)
    return INFIDELITY.relevance_for(centrality=centrality, subgenres={k: w for a, k, _, w in rows if a == "subgenre"})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
@example(steps=[("import", True), ("centrality", "major"), ("import", False)])  # AniList drops Cheating
@example(steps=[("centrality", "core"), ("set", "import:anilist"), ("remove", "import:anilist")])
def test_after_any_profile_and_tag_writes_the_title_carries_infidelity_iff_implied_or_given(steps: list) -> None:
    title = _imported()
    TitleAxisValue.objects.filter(title=title).delete()  # each example starts from a bare profile
    TitleTag.objects.filter(title=title, tag__slug="infidelity").delete()
    for kind, arg in steps:
        _step(title, kind, arg)
        row, implied = _infidelity(title), _implied(title)
        if implied is not None:
            assert row is not None, steps
            assert row.source != "implied" or row.relevance == implied, steps
        else:
            assert row is None or row.source != "implied", steps
