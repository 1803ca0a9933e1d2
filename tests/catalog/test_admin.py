from __future__ import annotations

import pytest
from django.test import Client

from shuraba.accounts.models import User
from shuraba.catalog.models import AltTitle, ChangeRecord, ExternalId, Title, TitleTag
from shuraba.core.models import Change
from shuraba.taxonomy.models import AxisValue


def _change_form_data(client: Client, title: Title) -> dict[str, object]:
    """The admin change form as the browser would submit it unchanged."""
    response = client.get(f"/admin/catalog/title/{title.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else value)
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{k}": v for k, v in fs.management_form.initial.items()})
        for index, inline_form in enumerate(fs.forms):
            data[f"{fs.prefix}-{index}-id"] = inline_form.instance.pk
            for name in inline_form.fields:
                value = inline_form.initial.get(name)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is not None:
                    data[f"{fs.prefix}-{index}-{name}"] = value
    return {k: v for k, v in data.items() if v is not False}


def test_editor_change_is_recorded_with_who_when_and_source(
    editor_client: Client, editor: User, open_title: Title
) -> None:
    data = _change_form_data(editor_client, open_title)
    data["status"] = "hiatus" if open_title.status != "hiatus" else "finished"
    response = editor_client.post(f"/admin/catalog/title/{open_title.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    record = ChangeRecord.objects.filter(title=open_title, field="status").order_by("-at").first()
    assert record is not None
    assert (record.new_value, record.source, record.actor) == (data["status"], "editor", editor)


def test_history_view_lists_the_changes(editor_client: Client, open_title: Title) -> None:
    html = editor_client.get(f"/admin/catalog/title/{open_title.pk}/history/").content.decode()
    assert "centrality" in html
    assert "fictional sample catalog" in html


def test_readers_cannot_reach_the_admin(unverified: Client) -> None:
    assert unverified.get("/admin/catalog/title/").status_code == 302


def test_editor_profile_edit_in_the_admin_becomes_editor_provenance(
    editor_client: Client, editor: User, open_title: Title
) -> None:
    data = _change_form_data(editor_client, open_title)
    prefix = next(k for k in data if k.endswith("-0-weight")).removesuffix("-0-weight")
    data[f"{prefix}-0-weight"] = 0.5
    response = editor_client.post(f"/admin/catalog/title/{open_title.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    row = open_title.axis_values.order_by("axis__order", "-weight", "value__order").get(weight=0.5)
    assert (row.source, row.confidence, row.updated_by) == ("editor", 1.0, editor)
    record = ChangeRecord.objects.filter(title=open_title, entity="profile", actor=editor).first()
    assert record is not None
    assert record.field == "weight"


def test_admin_refuses_two_values_on_a_single_valued_axis(editor_client: Client, open_title: Title) -> None:
    data = _change_form_data(editor_client, open_title)
    prefix = next(k for k in data if k.endswith("-0-weight")).removesuffix("-0-weight")
    total = int(str(data[f"{prefix}-TOTAL_FORMS"]))
    data[f"{prefix}-TOTAL_FORMS"] = total + 2
    for offset, key in enumerate(("tragedy", "open")):
        data[f"{prefix}-{total + offset}-value"] = AxisValue.objects.get(axis__key="ending", key=key).pk
        data[f"{prefix}-{total + offset}-weight"] = 1.0
    response = editor_client.post(f"/admin/catalog/title/{open_title.pk}/change/", data)
    assert response.status_code == 200
    assert "takes one value" in response.content.decode()


# --- inline rows go through the catalog's services --------------------------------------------------


def _row(data: dict[str, object], prefix: str, field: str, value: object) -> int:
    """The index of the inline row whose `field` holds `value`."""
    total = int(str(data[f"{prefix}-TOTAL_FORMS"]))
    return next(i for i in range(total) if data.get(f"{prefix}-{i}-{field}") == value)


def _new_row(data: dict[str, object], prefix: str, **values: object) -> None:
    index = int(str(data[f"{prefix}-TOTAL_FORMS"]))
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    data.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})


def _save(client: Client, title: Title, data: dict[str, object]) -> None:
    response = client.post(f"/admin/catalog/title/{title.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""


def _newest(title: Title, entity: str, field: str) -> tuple[str, str, str, User | None]:
    record = ChangeRecord.objects.filter(title=title, entity=entity, field=field).order_by("-pk").first()
    assert record is not None, f"no {entity}.{field} record"
    return (record.old_value, record.new_value, record.source, record.actor)


def test_a_tag_edited_in_the_admin_is_set_through_the_service_with_its_old_and_new_values(
    editor_client: Client, editor: User, open_title: Title
) -> None:
    tag = open_title.title_tags.select_related("tag").order_by("tag__slug").first()
    assert tag is not None
    before = f"{tag.relevance}/{tag.spoiler}/{tag.severity}"
    start = Change.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    data = _change_form_data(editor_client, open_title)
    index = _row(data, "title_tags", "tag", tag.tag_id)
    data[f"title_tags-{index}-relevance"] = 7 if tag.relevance != 7 else 8
    _save(editor_client, open_title, data)
    tag.refresh_from_db()
    assert (tag.relevance, tag.source, tag.updated_by) == (data[f"title_tags-{index}-relevance"], "editor", editor)
    after = f"{tag.relevance}/{tag.spoiler}/{tag.severity}"
    assert _newest(open_title, "tag", tag.tag.slug) == (before, after, "editor", editor)
    assert Change.objects.filter(pk__gt=start, title_id=open_title.pk).exists()


def test_names_ids_and_locks_added_or_removed_in_the_admin_leave_their_history(
    editor_client: Client, editor: User, open_title: Title
) -> None:
    alt = open_title.alt_titles.order_by("pk").first()
    tag = open_title.title_tags.select_related("tag").order_by("tag__slug").first()
    assert alt is not None
    assert tag is not None
    data = _change_form_data(editor_client, open_title)
    data[f"alt_titles-{_row(data, 'alt_titles', 'text', alt.text)}-DELETE"] = "on"
    data[f"title_tags-{_row(data, 'title_tags', 'tag', tag.tag_id)}-locked"] = "on"
    _new_row(data, "external_ids", source="mal", external_id="424242")
    _save(editor_client, open_title, data)
    assert not AltTitle.objects.filter(pk=alt.pk).exists()
    assert _newest(open_title, "alt-title", alt.kind) == (alt.text, "", "editor", editor)
    assert ExternalId.objects.get(source="mal", external_id="424242").title_id == open_title.pk
    assert _newest(open_title, "external-id", "mal") == ("", "424242", "editor", editor)
    assert TitleTag.objects.get(pk=tag.pk).locked
    assert _newest(open_title, "tag", f"{tag.tag.slug}.locked") == ("False", "True", "editor", editor)


def test_a_value_a_service_refuses_is_a_form_error_and_nothing_is_written(
    editor_client: Client, open_title: Title
) -> None:
    tag = open_title.title_tags.select_related("tag__category").exclude(tag__category__key="warning").first()
    assert tag is not None
    data = _change_form_data(editor_client, open_title)
    data[f"title_tags-{_row(data, 'title_tags', 'tag', tag.tag_id)}-severity"] = "graphic"
    data["title"] = "Renamed In The Same Save"
    records = ChangeRecord.objects.count()
    response = editor_client.post(f"/admin/catalog/title/{open_title.pk}/change/", data)
    assert response.status_code == 200
    assert "only content warnings carry a severity" in response.content.decode()
    assert ChangeRecord.objects.count() == records
    assert Title.objects.get(pk=open_title.pk).title == open_title.title
    assert TitleTag.objects.get(pk=tag.pk).severity == tag.severity


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("stage-past-the-last-chapter", "but the title has"),
        ("derived-axis-value", "is derived from other fields"),
        ("id-of-another-title", "already exists"),
    ],
)
def test_other_refused_inline_values_are_form_errors_too(
    editor_client: Client, open_title: Title, change: str, message: str
) -> None:
    data = _change_form_data(editor_client, open_title)
    if change == "stage-past-the-last-chapter":
        row = _row(data, "stages", "stage", "resolution")
        data[f"stages-{row}-chapter_end"] = (open_title.chapters or 40) + 5
    elif change == "derived-axis-value":
        _new_row(data, "axis_values", value=AxisValue.objects.get(axis__key="length", key="long").pk, weight=1.0)
    else:
        other = ExternalId.objects.exclude(title=open_title).order_by("pk").first()
        if other is None:
            other = ExternalId.objects.create(
                title=Title.objects.exclude(pk=open_title.pk).first(), source="mal", external_id="1"
            )
        _new_row(data, "external_ids", source=other.source, external_id=other.external_id)
    response = editor_client.post(f"/admin/catalog/title/{open_title.pk}/change/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
