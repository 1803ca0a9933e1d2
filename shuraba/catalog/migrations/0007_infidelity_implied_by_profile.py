"""Titles classified before the implication (catalog/implications.py) get the tags their profile implies, as
`title_implications_apply` gives them from now on: source `implied`, never over an existing assignment."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from shuraba.catalog.implications import IMPLICATIONS


def implied_add(apps: Any, schema_editor: Any) -> None:
    title_axis_value = apps.get_model("catalog", "TitleAxisValue")
    title_tag = apps.get_model("catalog", "TitleTag")
    tag_model = apps.get_model("taxonomy", "Tag")
    profiles: dict[int, tuple[int | None, dict[str, float]]] = {}
    rows = title_axis_value.objects.filter(axis__key__in=("centrality", "subgenre")).values_list(
        "title_id", "axis__key", "value__key", "value__rank", "weight"
    )
    for title_id, axis, key, rank, weight in rows:
        centrality, subgenres = profiles.get(title_id, (None, {}))
        if axis == "centrality":
            centrality = rank
        else:
            subgenres[key] = weight
        profiles[title_id] = (centrality, subgenres)
    for implication in IMPLICATIONS:
        tag = tag_model.objects.filter(slug=implication.tag).first()
        if tag is None:  # a vocabulary not synced yet: the sync's first run comes before any profile
            continue
        have = set(title_tag.objects.filter(tag=tag).values_list("title_id", flat=True))
        title_tag.objects.bulk_create(
            title_tag(title_id=pk, tag=tag, relevance=relevance, severity=tag.default_severity or "", source="implied")
            for pk, (centrality, subgenres) in sorted(profiles.items())
            if pk not in have
            and (relevance := implication.relevance_for(centrality=centrality, subgenres=subgenres)) is not None
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_content_rating_not_adult"), ("taxonomy", "0003_guidance")]
    operations = [migrations.RunPython(implied_add, migrations.RunPython.noop)]
