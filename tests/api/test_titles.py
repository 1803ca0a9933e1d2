from __future__ import annotations

from django.test import Client

from shuraba.catalog.models import Title
from shuraba.search.collation import title_sort_key


def test_titles_list_pages_through_every_visible_title(unverified: Client) -> None:
    first = unverified.get("/api/v1/titles?per_page=10&sort=title").json()
    assert first["per_page"] == 10
    assert len(first["items"]) == 10
    seen = []
    for page in range(1, -(-first["total"] // 10) + 1):
        seen += [
            i["slug"] for i in unverified.get(f"/api/v1/titles?per_page=10&sort=title&page={page}").json()["items"]
        ]
    assert len(seen) == len(set(seen)) == first["total"]
    # In the title's collation order (case and accents aside), its pk breaking ties.
    named = {slug: title_sort_key(*Title.objects.values_list("title", "pk").get(slug=slug)) for slug in seen}
    assert seen == sorted(seen, key=named.__getitem__)


def test_a_former_numeric_id_redirects_to_the_slug_keeping_the_query(unverified: Client, open_title: Title) -> None:
    moved = unverified.get(f"/api/v1/titles/{open_title.pk}", {"reveal": "resolution"})
    assert moved.status_code == 308
    assert moved["Location"] == f"/api/v1/titles/by-slug/{open_title.slug}?reveal=resolution"
    by_id = unverified.get(f"/api/v1/titles/{open_title.pk}", follow=True).json()
    by_slug = unverified.get(f"/api/v1/titles/by-slug/{open_title.slug}").json()
    assert by_id == by_slug
    assert by_id["fictional_notice"]
    assert {a["kind"] for a in by_id["alt_titles"]} <= {"romaji", "english", "native", "synonym"}
    centrality = next(a for a in by_id["profile"] if a["key"] == "centrality")
    assert centrality["values"][0]["source"] in {"editor", "community", "model"}


def test_filters_combine_axes_with_and_values_with_or(unverified: Client) -> None:
    both = unverified.get("/api/v1/titles?subgenre=netorare,netori&per_page=100").json()
    one = unverified.get("/api/v1/titles?subgenre=netorare&per_page=100").json()
    narrowed = unverified.get("/api/v1/titles?subgenre=netorare&centrality=core&per_page=100").json()
    assert one["total"] <= both["total"]
    assert narrowed["total"] <= one["total"]
    assert all(i["centrality"] == "core" and "netorare" in i["subgenres"] for i in narrowed["items"])


def test_text_search_finds_titles_by_alternative_title(unverified: Client) -> None:
    title = Title.objects.filter(content_rating="teen", alt_titles__kind="native").order_by("slug").first()
    assert title is not None
    native = title.alt_titles.filter(kind="native").first()
    assert native is not None
    items = unverified.get("/api/v1/titles", {"q": native.text}).json()["items"]
    assert title.slug in [i["slug"] for i in items]


def test_taxonomy_endpoint_serves_definitions(unverified: Client) -> None:
    data = unverified.get("/api/v1/taxonomy").json()
    assert data["version"]
    axes = {a["key"]: a for a in data["axes"]}
    assert axes["ending"]["spoiler"] is True
    assert all(v["definition"] for v in axes["subgenre"]["values"])
    assert {t["kind"] for t in data["terms"]} == {"stage", "spoiler-level", "severity"}


def test_a_former_id_of_a_hidden_title_is_a_404_like_a_missing_one(unverified: Client) -> None:
    gated = Title.objects.filter(content_rating="explicit").order_by("pk").first()
    assert gated is not None
    missing = Title.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    hidden, absent = unverified.get(f"/api/v1/titles/{gated.pk}"), unverified.get(f"/api/v1/titles/{missing + 1}")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()


def test_no_response_carries_a_sequential_database_id(adult: Client, open_title: Title) -> None:
    pks = set(Title.objects.values_list("pk", flat=True))
    listed = adult.get("/api/v1/titles", {"per_page": 100}).json()["items"]
    searched = adult.get("/api/v1/search", {"per_page": 100}).json()["items"]
    detail = adult.get(f"/api/v1/titles/by-slug/{open_title.slug}").json()
    for item in [*listed, *searched, detail]:
        assert "id" not in item
        assert item["slug"]
    assert len(listed) == len(pks)
