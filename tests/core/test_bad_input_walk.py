"""Every URL pattern with garbage: a 4xx with a message, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.urlmap import concrete_urls, url_patterns

PATTERNS = sorted(name for name, _ in url_patterns())
GARBAGE_QUERIES = [
    "zzz=1",
    "page=-1",
    "page=0",
    "page=99999999999999999999",
    "page=abc",
    "per_page=1000",
    "sort=%00",
    "sort=' OR 1=1 --",
    "reveal=everything",
    "reveal=%ff%fe",
    "q=" + "x" * 500,
    "subgenre=netorare,%E2%98%83",
    "tag=" + ",".join(f"t{i}" for i in range(30)),
    "intensity_min=9",
    "centrality=core&centrality=",
    "ending[]=tragedy",
]
GARBAGE_PATHS = [
    "/titles/%E2%98%83-does-not-exist/",
    "/titles/" + "a" * 300 + "/",
    "/guide/nope/",
    "/taxonomy/nope/",
    "/taxonomy/tags/nope/",
    "/api/v1/titles/0",
    "/api/v1/titles/99999999999999999999999",
    "/api/v1/titles/-1",
    "/api/v1/titles/abc",
    "/api/v1/titles/by-slug/nope",
    "/api/v1/nope",
    "/nope/",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_garbage_parameters_never_cause_a_server_error(unverified: Client, pattern: str) -> None:
    url = concrete_urls()[pattern][0]
    for query in GARBAGE_QUERIES:
        response = unverified.get(f"{url}{'&' if '?' in url else '?'}{query}")
        assert response.status_code < 500, (url, query, response.status_code)


@pytest.mark.parametrize("path", GARBAGE_PATHS)
def test_unknown_addresses_are_404(unverified: Client, path: str) -> None:
    assert unverified.get(path).status_code == 404


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/browse/?sort=sideways", "sort"),
        ("/browse/?subgenre=netorear", "subgenre"),
        ("/browse/?page=abc", "page"),
        ("/browse/?page=40", "page"),
        ("/browse/?tag=not-a-tag", "tag"),
        ("/browse/?colour=red", "colour"),
        ("/titles/{slug}/?reveal=everything", "reveal"),
        ("/?utm=1", "utm"),
    ],
)
def test_bad_query_parameters_are_400_pages_naming_the_parameter(
    unverified: Client, open_title: object, url: str, param: str
) -> None:
    response = unverified.get(url.format(slug=open_title.slug))  # type: ignore[attr-defined]
    assert response.status_code == 400
    assert f"<strong>{param}</strong>" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("sort=sideways", "sort"),
        ("per_page=101", "per_page"),
        ("ending=happy", "ending"),
        ("page=999", "page"),
        ("tag=nope", "tag"),
        ("intensity_max=0", "intensity_max"),
    ],
)
def test_bad_api_parameters_are_400_json_naming_the_parameter(unverified: Client, query: str, param: str) -> None:
    response = unverified.get(f"/api/v1/titles?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["param"] == param
    assert body["detail"]


def test_forms_refuse_garbage_with_400(unverified: Client) -> None:
    for url, data in [
        ("/age-gate/", {"confirm": "maybe"}),
        ("/settings/", {"reveal_spoilers": "sometimes"}),
        ("/settings/", {"spoilers": "major"}),
        ("/settings/", {}),
        ("/age-gate/", {}),
    ]:
        response = unverified.post(url, data)
        assert response.status_code == 400, url
        assert 'role="alert"' in response.content.decode()


def test_age_gate_ignores_an_offsite_next_url(unverified: Client) -> None:
    response = unverified.post("/age-gate/", {"confirm": "yes", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_methods_other_than_get_are_refused_on_pages(unverified: Client) -> None:
    assert unverified.post("/browse/").status_code == 405
    assert unverified.delete("/api/v1/titles").status_code == 405
