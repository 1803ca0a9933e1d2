"""GET /api/v1/search/suggest: the search box's autocomplete, through the viewer's visibility."""

from __future__ import annotations

import pytest
from django.test import Client

from shuraba.accounts.policies import AGE_GATED_RATINGS
from shuraba.catalog.models import Title
from shuraba.search.schemas import SuggestOut

SUGGEST = "/api/v1/search/suggest"


def _slugs(client: Client, text: str) -> list[str]:
    response = client.get(SUGGEST, {"q": text, "limit": "20"})
    assert response.status_code == 200
    return [t["slug"] for t in response.json()["titles"]]


def test_suggestions_name_titles_and_terms_as_documented(adult: Client) -> None:
    title = Title.objects.order_by("-popularity")[0]
    data = adult.get(SUGGEST, {"q": title.title[:6]}).json()
    SuggestOut.model_validate(data)
    assert title.slug in [t["slug"] for t in data["titles"]]
    assert {t["slug"]: (t["title"], t["year"], t["format"]) for t in data["titles"]}[title.slug] == (
        title.title,
        title.start_year,
        title.format,
    )


def test_terms_start_with_the_text_and_carry_their_syntax(unverified: Client) -> None:
    terms = unverified.get(SUGGEST, {"q": "netor"}).json()["terms"]
    assert {("subgenre", "netorare", "subgenre:netorare"), ("subgenre", "netori", "subgenre:netori")} <= {
        (t["kind"], t["key"], t["syntax"]) for t in terms
    }
    assert unverified.get(SUGGEST, {"q": "ntr"}).json()["terms"][0]["key"] == "netorare"  # the alias
    tags = unverified.get(SUGGEST, {"q": "childhood f"}).json()["terms"]
    assert {"kind": "tag", "key": "childhood-friend", "label": "Childhood Friend", "syntax": "childhood-friend"} in tags


def test_limit_caps_both_lists(adult: Client) -> None:
    data = adult.get(SUGGEST, {"q": "a", "limit": "2"}).json()
    assert len(data["titles"]) == 2
    assert len(data["terms"]) <= 2


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"q": "rain", "limit": "0"}, "limit"),
        ({"q": "rain", "limit": "many"}, "limit"),
    ],
)
def test_bad_input_is_a_400_naming_it(unverified: Client, params: dict[str, str], param: str) -> None:
    response = unverified.get(SUGGEST, params)
    assert response.status_code == 400
    assert response.json()["param"].endswith(param)
    assert response.json()["detail"]


def test_a_gated_title_is_never_suggested_before_the_age_gate(unverified: Client, adult: Client) -> None:
    gated = Title.objects.filter(content_rating__in=AGE_GATED_RATINGS).order_by("slug")[0]
    assert gated.slug in _slugs(adult, gated.title[:8])
    assert gated.slug not in _slugs(unverified, gated.title[:8])
    assert gated.slug not in _slugs(unverified, gated.title)


def test_a_title_the_viewers_rules_hide_is_never_suggested(unverified: Client) -> None:
    hidden = Title.objects.filter(axis_values__axis__key="subgenre", content_rating="teen").order_by("slug").first()
    assert hidden is not None, "the sample needs an open title with an NTR subgenre"
    assert hidden.slug in _slugs(unverified, hidden.title[:8])
    unverified.post("/settings/avoid/preset/", {"preset": "ntr-free", "on": "1", "next": "/"})
    assert hidden.slug not in _slugs(unverified, hidden.title[:8])
    assert hidden.slug not in _slugs(unverified, hidden.title)
