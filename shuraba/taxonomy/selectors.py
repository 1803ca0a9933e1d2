"""Reads of the vocabulary with the catalog's counts, as a visibility sees them (the glossary pages)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from shuraba.accounts import policies
from shuraba.accounts.policies import NOTHING_REVEALED, Visibility
from shuraba.taxonomy.models import Axis, Tag


def axis_value_counts(*, visibility: Visibility, axis: Axis) -> dict[str, int] | None:
    """How many visible titles carry each value of an axis; None where the counts would print a spoiler."""
    if not policies.axis_shown(visibility, NOTHING_REVEALED, axis_key=axis.key, spoiler=axis.spoiler):
        return None
    visible = Q(title_values__title__in=policies.visible_title_ids(visibility))
    return dict(axis.values.annotate(n=Count("title_values", filter=visible)).values_list("key", "n"))


def tags_counted(*, visibility: Visibility) -> QuerySet[Tag]:
    """Every tag with `n`: the visible titles carrying it at a spoiler level the visibility shows."""
    visible = Q(title_tags__title__in=policies.visible_title_ids(visibility))
    shown = visible & policies.assignments_shown_q(visibility, prefix="title_tags__")
    return Tag.objects.select_related("category").annotate(n=Count("title_tags", filter=shown))
