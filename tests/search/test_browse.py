from __future__ import annotations

from django.test import Client

from tests.search.formhtml import page_read


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


def test_ratings_behind_the_age_gate_are_named_not_offered_as_zero(unverified: Client, adult: Client) -> None:
    """A visitor under the gate saw "Explicit 0" and "Unknown 0", as if the catalog had none."""
    html = unverified.get("/browse/").content.decode()
    assert 'value="explicit"' not in html
    assert 'id="count-content_rating-explicit"' not in html
    assert 'id="count-content_rating-unknown"' not in html
    assert 'id="count-content_rating-teen"' in html
    assert "Explicit, Unknown (treated as explicit): behind the age gate" in html
    assert 'href="/age-gate/?next=/browse/"' in html
    past = adult.get("/browse/").content.decode()
    assert 'id="count-content_rating-explicit"' in past
    assert "behind the age gate" not in past


def test_a_gated_rating_asked_for_in_the_url_keeps_its_checkbox(unverified: Client) -> None:
    html = unverified.get("/browse/", {"content_rating": "!explicit"}).content.decode()
    box = next(c for c in page_read(html).controls if c.attrs.get("value") == "!explicit")
    assert box.name == "Exclude Explicit"
    assert "checked" in box.attrs
    assert "Unknown (treated as explicit): behind the age gate" in html


def test_each_exclude_box_is_named_for_what_it_excludes(unverified: Client) -> None:
    html = unverified.get("/browse/").content.decode()
    names = {c.attrs.get("value"): c.name for c in page_read(html).controls if c.attrs.get("name") == "subgenre"}
    assert names["!netorare"] == "Exclude Netorare"
    assert names["netorare"] == "Include Netorare"


def test_a_wrong_value_is_named_beside_the_form_and_the_other_filters_stay(unverified: Client) -> None:
    response = unverified.get("/browse/", {"year_min": "abc", "subgenre": "revenge"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<form id="filters" class="filters"' in html  # the form, not an error page without it
    assert 'role="alert" id="browse-error"' in html
    assert "<strong>year_min</strong>" in html
    assert "Searched without it." in html
    assert 'name="subgenre" value="revenge" checked' in html  # the rest of the search is kept
    assert 'id="count-subgenre-revenge"' in html


def test_with_htmx_the_error_comes_as_a_422_fragment_that_htmx_swaps_in(unverified: Client) -> None:
    response = unverified.get("/browse/", {"year_min": "abc"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422  # base.html's responseHandling swaps 422 (and drops other 4xx)
    html = response.content.decode()
    assert "<form" not in html
    assert 'role="alert" id="browse-error"' in html
    assert "HX-Push-Url" not in response


def test_a_page_past_the_last_says_so_and_shows_the_first(unverified: Client) -> None:
    response = unverified.get("/browse/", {"page": "999"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<strong>page</strong>: page 999 is past the last page" in html
    assert 'class="card"' in html
