"""A source may raise a model's or the community's content rating, never lower it (importers/upsert.py); the
rating `not-adult` (AniList's bound, at most mature) is as strict as mature, so a source's explicit raises it
and the age gate then hides the title."""

from __future__ import annotations

import pytest

from shuraba.accounts import policies
from shuraba.accounts.policies import PUBLIC
from shuraba.catalog import services as catalog
from shuraba.catalog.models import Title
from shuraba.importers.merge import rating_raises
from shuraba.importers.runs import records_import
from shuraba.search.engine import engine_search
from shuraba.search.live import search_index
from shuraba.search.query import SearchQuery
from shuraba.search.reference import reference_search
from tests.importers.factories import record

pytestmark = pytest.mark.django_db


def _import(**fields: object) -> Title:
    given = record(source="mangadex", source_id="5", title="Tsuma no Uso", **fields)
    records_import(records=[given], source="mangadex")
    return Title.objects.get(source_snapshots__source="mangadex", source_snapshots__source_id="5")


@pytest.mark.parametrize("owner", ["model", "community"])
def test_a_source_saying_explicit_raises_a_not_adult_title_and_the_age_gate_hides_it(owner: str) -> None:
    title = _import(content_rating="teen")
    catalog.title_update(title=title, changes={"content_rating": "not-adult"}, source=owner)
    title.refresh_from_db()
    assert policies.title_hidden(PUBLIC, title_id=title.pk, content_rating=title.content_rating) is None
    title = _import(is_adult=True)
    assert title.content_rating == "explicit"
    assert policies.title_hidden(PUBLIC, title_id=title.pk, content_rating=title.content_rating) is not None
    query = SearchQuery(q="tsuma no uso")
    assert title.pk not in engine_search(search_index(), query, PUBLIC).pks
    assert title.pk not in reference_search(query, PUBLIC).pks


def test_a_source_saying_mature_or_milder_leaves_a_not_adult_title_alone() -> None:
    title = _import(content_rating="teen")
    catalog.title_update(title=title, changes={"content_rating": "not-adult"}, source="model")
    title = _import(content_rating="mature")
    assert title.content_rating == "not-adult"


@pytest.mark.parametrize(
    ("old", "new", "raises"),
    [
        ("not-adult", "explicit", True),
        ("not-adult", "mature", False),
        ("not-adult", "teen", False),
        ("teen", "not-adult", False),  # a bound is not a rating that raises another
        ("mature", "explicit", True),
        ("explicit", "mature", False),
        ("unknown", "explicit", False),  # unknown is already treated as explicit
    ],
)
def test_rating_raises_orders_not_adult_as_mature(old: str, new: str, raises: bool) -> None:
    assert rating_raises(old, new) is raises
