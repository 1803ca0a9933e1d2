from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shuraba.taxonomy.models import Axis, Tag, TagCategory, TaxonomyState, Term

router = Router(tags=["taxonomy"])


class ValueDef(Schema):
    key: str
    label: str
    definition: str
    rank: int | None


class AxisDef(Schema):
    key: str
    label: str
    kind: str
    spoiler: bool
    warning: bool
    definition: str
    values: list[ValueDef]


class TermDef(Schema):
    kind: str
    key: str
    label: str
    definition: str


class CategoryDef(Schema):
    key: str
    label: str
    definition: str


class TagDef(Schema):
    slug: str
    name: str
    category: str
    definition: str
    default_severity: str


class TaxonomyOut(Schema):
    version: str | None
    axes: list[AxisDef]
    terms: list[TermDef]
    tag_categories: list[CategoryDef]
    tags: list[TagDef]


@router.get("/taxonomy", response=TaxonomyOut, summary="The whole vocabulary with definitions")
def taxonomy(request: HttpRequest) -> dict[str, Any]:
    state = TaxonomyState.objects.first()
    return {
        "version": state.version if state else None,
        "axes": [
            {
                "key": a.key,
                "label": a.label,
                "kind": a.kind,
                "spoiler": a.spoiler,
                "warning": a.warning,
                "definition": a.definition,
                "values": [
                    {"key": v.key, "label": v.label, "definition": v.definition, "rank": v.rank} for v in a.values.all()
                ],
            }
            for a in Axis.objects.prefetch_related("values")
        ],
        "terms": list(Term.objects.values("kind", "key", "label", "definition")),
        "tag_categories": list(TagCategory.objects.values("key", "label", "definition")),
        "tags": [
            {
                "slug": t.slug,
                "name": t.name,
                "category": t.category.key,
                "definition": t.definition,
                "default_severity": t.default_severity,
            }
            for t in Tag.objects.select_related("category")
        ],
    }
