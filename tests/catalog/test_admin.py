from __future__ import annotations

from django.test import Client

from shuraba.accounts.models import User
from shuraba.catalog.models import ChangeRecord, Title
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
