from __future__ import annotations

from django.test import Client


def test_browse_shows_the_text_form_and_a_shareable_link(unverified: Client) -> None:
    html = unverified.get("/browse/", {"subgenre": "netorare", "ending": "!tragedy"}).content.decode()
    assert "ending:!tragedy subgenre:netorare" in html
    assert 'href="/browse/?subgenre=netorare&amp;ending=%21tragedy"' in html or "link to this search" in html


def test_browse_counts_facets_except_spoilers(unverified: Client) -> None:
    html = unverified.get("/browse/").content.decode()
    assert 'id="count-subgenre-netorare"' in html
    assert 'id="count-ending-' not in html
    assert "hidden by your settings" in html


def test_htmx_requests_get_the_results_and_out_of_band_counts(unverified: Client) -> None:
    response = unverified.get("/browse/", {"subgenre": "netorare", "q": ""}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<form" not in html
    assert 'hx-swap-oob="true"' in html
    assert response["HX-Push-Url"] == "/browse/?subgenre=netorare"


def test_guide_links_still_filter(unverified: Client) -> None:
    for url in (
        "/browse/?centrality=none",
        "/browse/?intensity_max=2",
        "/browse/?content_rating=teen",
        "/browse/?tag=drama",
    ):
        assert unverified.get(url).status_code == 200, url
