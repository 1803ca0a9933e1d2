"""The catalog's bulk API: a plan is checked whole by the catalog's rules, then written with its history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shuraba.catalog import services
from shuraba.catalog.bulk import catalog_plan_apply
from shuraba.catalog.models import ChangeRecord, Title, TitleTag
from shuraba.catalog.plan import (
    AltTitleAdd,
    CatalogPlan,
    CreatorNew,
    CreditAdd,
    ExternalIdAdd,
    TagRemove,
    TagSet,
    TitleFieldSet,
    TitleNew,
)
from shuraba.catalog.rules import CatalogError, ValueLocked
from shuraba.core.models import Change
from tests.importers.factories import table_rows

pytestmark = pytest.mark.django_db
SOURCE = "import:anilist"


def _new(key: int = -1, title: str = "Kanojo no Himitsu", **fields: Any) -> TitleNew:
    values = {"title": title, "status": "finished", "start_date": dt.date(2015, 4, 1), **fields}
    return TitleNew(key, values, ("kanojo-no-himitsu", "kanojo-no-himitsu-2015"), SOURCE)


def _plan(**parts: Any) -> CatalogPlan:
    plan = CatalogPlan(reason="import run #1 (anilist)")
    for name, rows in parts.items():
        setattr(plan, name, rows)
    return plan


def _history(title_id: int) -> list[tuple[str, str, str, str, str]]:
    rows = ChangeRecord.objects.filter(title_id=title_id).order_by("pk")
    return [(r.entity, r.field, r.old_value, r.new_value, r.source) for r in rows]


def test_a_plan_creates_titles_with_their_rows_history_and_one_announcement_each() -> None:
    start = Change.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    plan = _plan(
        titles=[_new()],
        alt_titles=[AltTitleAdd(-1, "english", "Her Secret", SOURCE)],
        creators={"aoi-mizuhara": CreatorNew("aoi-mizuhara", "Aoi Mizuhara", "")},
        credits=[CreditAdd(-1, "aoi-mizuhara", "story-art", SOURCE)],
        external_ids=[ExternalIdAdd(-1, "anilist", "1", SOURCE)],
        tags=[TagSet(-1, "infidelity", 80, "minor", "", SOURCE)],
    )
    result = catalog_plan_apply(plan=plan)
    title = Title.objects.get(pk=result.pks[-1])
    assert (title.slug, title.status, result.touched) == ("kanojo-no-himitsu", "finished", frozenset({title.pk}))
    assert _history(title.pk) == [
        ("title", "created", "", "kanojo-no-himitsu", SOURCE),
        ("alt-title", "english", "", "Her Secret", SOURCE),
        ("credit", "story-art", "", "Aoi Mizuhara", SOURCE),
        ("external-id", "anilist", "", "1", SOURCE),
        ("tag", "infidelity", "", "80/minor/moderate", SOURCE),  # a warning without severity takes its default
    ]
    assert ChangeRecord.objects.filter(title=title).values_list("reason", flat=True).first() == plan.reason
    assert list(Change.objects.filter(pk__gt=start).values_list("title_id", flat=True)) == [title.pk]


def test_a_taken_slug_gives_way_to_the_next_one_the_plan_proposes() -> None:
    services.title_create(slug="kanojo-no-himitsu", title="Another", source="editor")
    result = catalog_plan_apply(plan=_plan(titles=[_new()]))
    assert Title.objects.get(pk=result.pks[-1]).slug == "kanojo-no-himitsu-2015"


def test_changes_to_existing_titles_record_old_and_new_values() -> None:
    created = catalog_plan_apply(plan=_plan(titles=[_new()], tags=[TagSet(-1, "drama", 50, "none", "", SOURCE)]))
    pk = created.pks[-1]
    changes = _plan(
        fields=[TitleFieldSet(pk, "status", "hiatus", "import:mangaupdates")],
        tags=[TagSet(pk, "drama", 70, "none", "", SOURCE), TagSet(pk, "love-triangle", 60, "none", "", SOURCE)],
    )
    catalog_plan_apply(plan=changes)
    assert _history(pk)[-3:] == [
        ("title", "status", "finished", "hiatus", "import:mangaupdates"),
        ("tag", "love-triangle", "", "60/none/", SOURCE),
        ("tag", "drama", "50/none/", "70/none/", SOURCE),
    ]
    catalog_plan_apply(plan=_plan(tags_removed=[TagRemove(pk, "drama", SOURCE)]))
    assert _history(pk)[-1] == ("tag", "drama", "70/none/", "", SOURCE)
    assert set(TitleTag.objects.filter(title_id=pk).values_list("tag__slug", "relevance")) == {("love-triangle", 60)}


def test_an_empty_plan_writes_and_announces_nothing() -> None:
    before = table_rows()
    assert catalog_plan_apply(plan=_plan()).touched == frozenset()
    assert table_rows() == before


def _bad(part: str, row: Any) -> CatalogPlan:
    return _plan(titles=[_new()], **{part: [row]})


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (_bad("tags", TagSet(-1, "drama", 101, "none", "", SOURCE)), "new title 'Kanojo no Himitsu': drama: relevance"),
        (_bad("tags", TagSet(-1, "drama", 50, "huge", "", SOURCE)), "drama: spoiler must be one of"),
        (_bad("tags", TagSet(-1, "drama", 50, "none", "graphic", SOURCE)), "drama: only content warnings"),
        (_bad("tags", TagSet(-1, "infidelity", 50, "none", "extreme", SOURCE)), "infidelity: severity must be"),
        (_bad("tags", TagSet(-1, "drama", 50, "none", "", SOURCE, 1.5)), "drama: confidence must lie between 0 and 1"),
        (_bad("tags", TagSet(-1, "no-such-tag", 50, "none", "", SOURCE)), "unknown tag 'no-such-tag'"),
        (_bad("tags", TagSet(-1, "drama", 50, "none", "", "rumour")), "unknown source 'rumour'"),
        (_bad("alt_titles", AltTitleAdd(-1, "nickname", "Himitsu", SOURCE)), "alternative title kind 'nickname'"),
        (_bad("alt_titles", AltTitleAdd(-1, "english", " ", SOURCE)), "english title is empty"),
        (_bad("external_ids", ExternalIdAdd(-1, "kitsu", "12", SOURCE)), "external id source 'kitsu'"),
        (_bad("credits", CreditAdd(-1, "nobody-known", "story", SOURCE)), "credit of unknown creator 'nobody-known'"),
        (_bad("alt_titles", AltTitleAdd(-7, "english", "Lost", SOURCE)), "no new title of the plan has placeholder -7"),
        (_plan(titles=[_new(status="paused")]), "new title 'Kanojo no Himitsu': status:"),
        (_plan(titles=[_new(score=140)]), "score:"),
        (_plan(titles=[_new(title="")]), "title: This field cannot be blank"),
        (_plan(titles=[_new(mood="sad")]), "unknown title field 'mood'"),
        (_plan(titles=[_new(key=3)]), "must be a negative placeholder"),
        (_plan(fields=[TitleFieldSet(10**9, "status", "finished", SOURCE)]), f"no title has pk {10**9}"),
    ],
)
def test_a_plan_breaking_a_rule_is_refused_whole_with_the_title_and_field_named(
    plan: CatalogPlan, message: str
) -> None:
    before = table_rows()
    with pytest.raises(CatalogError, match=message.replace("(", r"\(")):
        catalog_plan_apply(plan=plan)
    assert table_rows() == before


def test_an_existing_titles_bad_field_value_names_that_title() -> None:
    title = Title.objects.order_by("slug").first()
    assert title is not None
    with pytest.raises(CatalogError, match=f"title '{title.slug}': content_rating:"):
        catalog_plan_apply(plan=_plan(fields=[TitleFieldSet(title.pk, "content_rating", "spicy", SOURCE)]))


def test_a_tag_an_editor_locked_is_refused_to_an_import_but_not_to_an_editor(editor: Any) -> None:
    title = services.title_create(slug="locked-one", title="Locked One", source="editor")
    services.title_tag_set(title=title, tag_slug="drama", relevance=40, source="editor", actor=editor)
    services.title_tag_lock(title=title, tag_slug="drama", locked=True, actor=editor)
    for plan in (
        _plan(tags=[TagSet(title.pk, "drama", 90, "none", "", SOURCE)]),
        _plan(tags_removed=[TagRemove(title.pk, "drama", SOURCE)]),
    ):
        with pytest.raises(ValueLocked, match="title 'locked-one': tag 'drama' is locked"):
            catalog_plan_apply(plan=plan)
    catalog_plan_apply(plan=_plan(tags=[TagSet(title.pk, "drama", 90, "none", "", "editor")]))
    assert TitleTag.objects.get(title=title, tag__slug="drama").relevance == 90
