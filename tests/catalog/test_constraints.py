"""The catalog's ranges and choices are database rules too: a raw write that breaks one is refused."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, models, transaction

from shuraba.catalog.models import FormulaStage, Title, TitleAxisValue, TitleTag

pytestmark = pytest.mark.django_db


def _raw_update(model: type[models.Model], column: str, value: object) -> None:
    """UPDATE one existing row in plain SQL, past every model and service check."""
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"the sample catalog has no {model.__name__}"
    quote = connection.ops.quote_name
    sql = f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s WHERE id = %s"  # noqa: S608 (names from model meta)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value, row.pk])


@pytest.mark.parametrize(
    ("model", "column", "value"),
    [
        (Title, "score", 101),
        (TitleTag, "relevance", 101),
        (TitleTag, "confidence", 1.5),
        (TitleTag, "confidence", -0.1),
        (TitleTag, "spoiler", "huge"),
        (TitleTag, "severity", "extreme"),
        (TitleAxisValue, "weight", 1.01),
        (TitleAxisValue, "weight", -1.0),
        (TitleAxisValue, "confidence", 2.0),
        (FormulaStage, "confidence", 1.5),
        (FormulaStage, "spoiler", "yes"),
    ],
)
def test_a_raw_write_outside_the_catalogs_rules_is_refused_by_the_database(
    model: type[models.Model], column: str, value: object
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_update(model, column, value)


@pytest.mark.parametrize(
    ("model", "column", "value"),
    [
        (Title, "score", 100),
        (Title, "score", None),
        (TitleTag, "relevance", 0),
        (TitleTag, "severity", ""),
        (TitleTag, "spoiler", "minor"),
        (TitleAxisValue, "weight", 0.0),
        (FormulaStage, "confidence", 1.0),
    ],
)
def test_the_edges_of_each_range_and_every_choice_are_allowed(
    model: type[models.Model], column: str, value: object
) -> None:
    _raw_update(model, column, value)
