from __future__ import annotations

import pytest

from shuraba.accounts.models import User
from shuraba.catalog import services
from shuraba.catalog.length import length_class
from shuraba.catalog.models import ChangeRecord, Title, TitleAxisValue
from shuraba.core.models import Change as CatalogChange


def _title(slug: str = "a-test-title") -> Title:
    return services.title_create(slug=slug, title="A Test Title", source="editor", content_rating="teen")


def test_axis_set_records_old_and_new_values_with_source_and_actor(editor: User) -> None:
    title = _title()
    services.title_axis_set(
        title=title, axis_key="subgenre", values={"netorare": 1.0}, source="import:anilist", confidence=0.8
    )
    services.title_axis_set(
        title=title, axis_key="subgenre", values={"netorare": 1.0, "revenge": 0.4}, source="editor", actor=editor
    )
    record = ChangeRecord.objects.filter(title=title, field="subgenre").first()
    assert record is not None
    assert (record.old_value, record.new_value, record.source, record.actor) == (
        "netorare",
        "netorare, revenge:0.4",
        "editor",
        editor,
    )
    rows = TitleAxisValue.objects.filter(title=title, axis__key="subgenre")
    assert {(r.value.key, r.weight, r.source) for r in rows} == {
        ("netorare", 1.0, "editor"),
        ("revenge", 0.4, "editor"),
    }


def test_setting_the_same_values_again_changes_nothing(db: None) -> None:
    title = _title()
    assert services.title_axis_set(title=title, axis_key="ending", values={"tragedy": 1.0}, source="editor")
    count = ChangeRecord.objects.filter(title=title).count()
    assert not services.title_axis_set(title=title, axis_key="ending", values={"tragedy": 1.0}, source="editor")
    assert ChangeRecord.objects.filter(title=title).count() == count


def test_locked_axis_refuses_imports_but_not_editors(editor: User) -> None:
    title = _title()
    services.title_axis_set(title=title, axis_key="centrality", values={"core": 1.0}, source="editor", actor=editor)
    services.title_axis_lock(title=title, axis_key="centrality", locked=True, actor=editor)
    with pytest.raises(services.ValueLocked, match="locked"):
        services.title_axis_set(title=title, axis_key="centrality", values={"none": 1.0}, source="import:anilist")
    assert TitleAxisValue.objects.get(title=title, axis__key="centrality").value.key == "core"
    services.title_axis_set(title=title, axis_key="centrality", values={"major": 1.0}, source="editor", actor=editor)
    row = TitleAxisValue.objects.get(title=title, axis__key="centrality")
    assert (row.value.key, row.locked) == ("major", True)


@pytest.mark.parametrize(
    ("axis", "values", "message"),
    [
        ("ending", {"tragedy": 1.0, "open": 1.0}, "takes one value"),
        ("ending", {"happily-ever-after": 1.0}, "unknown value"),
        ("subgenre", {"netorare": 1.5}, "between 0 and 1"),
        ("mood", {"sad": 1.0}, "unknown axis"),
        ("length", {"long": 1.0}, "derived"),
    ],
)
def test_invalid_profile_values_are_refused_with_a_reason(
    db: None, axis: str, values: dict[str, float], message: str
) -> None:
    title = _title()
    with pytest.raises(services.CatalogError, match=message):
        services.title_axis_set(title=title, axis_key=axis, values=values, source="editor")
    assert not TitleAxisValue.objects.filter(title=title).exists()


def test_unknown_sources_are_refused(db: None) -> None:
    with pytest.raises(services.CatalogError, match="unknown source"):
        services.title_axis_set(title=_title(), axis_key="ending", values={"open": 1.0}, source="rumour")


def test_tag_severity_belongs_to_content_warnings_only(db: None) -> None:
    title = _title()
    row = services.title_tag_set(title=title, tag_slug="infidelity", relevance=80, source="editor")
    assert row.severity == "moderate"
    with pytest.raises(services.CatalogError, match="only content warnings"):
        services.title_tag_set(title=title, tag_slug="drama", relevance=80, source="editor", severity="graphic")
    with pytest.raises(services.CatalogError, match="relevance"):
        services.title_tag_set(title=title, tag_slug="drama", relevance=101, source="editor")


def test_stage_ranges_must_run_forwards_and_fit_the_chapters(db: None) -> None:
    title = _title()
    services.title_update(title=title, changes={"chapters": 10}, source="editor")
    with pytest.raises(services.CatalogError, match="backwards"):
        services.title_stage_set(
            title=title, stage="drift", chapter_start=5, chapter_end=2, note="", spoiler="none", source="editor"
        )
    with pytest.raises(services.CatalogError, match="has 10"):
        services.title_stage_set(
            title=title, stage="drift", chapter_start=5, chapter_end=12, note="", spoiler="none", source="editor"
        )


def test_title_update_records_each_changed_field(db: None) -> None:
    title = _title()
    assert (
        services.title_update(title=title, changes={"status": "finished", "title": "A Test Title"}, source="editor")
        == 1
    )
    record = ChangeRecord.objects.get(title=title, field="status")
    assert (record.old_value, record.new_value) == ("releasing", "finished")


@pytest.mark.parametrize(
    ("chapters", "fmt", "expected"),
    [
        (1, "manga", "one-shot"),
        (None, "one-shot", "one-shot"),
        (20, "manga", "short"),
        (21, "manga", "medium"),
        (80, "webtoon", "medium"),
        (81, "manga", "long"),
        (None, "manga", None),
    ],
)
def test_length_is_derived_from_chapters(chapters: int | None, fmt: str, expected: str | None) -> None:
    assert length_class(chapters=chapters, format=fmt) == expected


def test_every_write_and_delete_advances_the_catalog_change_counter(db: None) -> None:
    start = CatalogChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    title = _title("counted-title")
    services.title_axis_set(title=title, axis_key="ending", values={"open": 1.0}, source="editor")
    title_id = title.pk
    services.title_delete(title=title)
    logged = list(CatalogChange.objects.filter(pk__gt=start).values_list("title_id", flat=True))
    assert logged == [title_id, title_id, title_id]
    assert not Title.objects.filter(pk=title_id).exists()
