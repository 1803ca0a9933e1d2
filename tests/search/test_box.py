"""The one search box: bare words read as tags, values or title text, said next to the box with the way to
read them otherwise; errors at the box; the same box in the site header."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.test import Client

BOX_END = "<fieldset>"  # the filter column starts after the box: what precedes it is "next to the box"


def _total(client: Client, **params: str) -> int:
    return int(client.get("/api/v1/search", params).json()["total"])


def _box_part(page: str) -> str:
    return page[page.index('id="query"') : page.index(BOX_END)]


def _instead_url(page: str) -> str:
    found = re.search(r'<a href="([^"]+)">search titles for “netorare” instead</a>', page)
    assert found, "no 'search titles instead' link"
    return html_lib.unescape(found.group(1))


def test_a_vocabulary_word_is_read_as_its_value_and_said_so(unverified: Client) -> None:
    response = unverified.get("/browse/", {"query": "netorare"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>subgenre</strong>: Netorare" in _box_part(page)
    shown = int(re.search(r"<strong>(\d+)</strong> title", page).group(1))  # type: ignore[union-attr]
    assert shown == _total(unverified, subgenre="netorare") > 0
    assert "unknown tag" not in page


def test_the_instead_link_searches_titles_for_the_word_and_says_so(unverified: Client) -> None:
    page = unverified.get("/browse/", {"query": "netorare", "sort": "title"}).content.decode()
    url = _instead_url(page)
    assert "sort=title" in url
    followed = unverified.get(url)
    assert followed.status_code == 200
    text = followed.content.decode()
    assert "Titles matching “netorare”" in _box_part(text)
    assert "<strong>subgenre</strong>" not in _box_part(text)
    shown = int(re.search(r"<strong>(\d+)</strong> title", text).group(1))  # type: ignore[union-attr]
    assert shown == _total(unverified, q="netorare")


@pytest.mark.parametrize(("word", "label"), [("ntr", "subgenre</strong>: Netorare"), ("revenge", "tag</strong>: ")])
def test_an_alias_and_a_tag_are_read(unverified: Client, word: str, label: str) -> None:
    assert label in _box_part(unverified.get("/browse/", {"query": word}).content.decode())


def test_a_tag_that_is_also_a_value_offers_the_value(unverified: Client) -> None:
    box = _box_part(unverified.get("/browse/", {"query": "revenge"}).content.decode())
    found = re.search(r'<a href="([^"]+)">subgenre: Revenge</a>', box)
    assert found
    assert "query=subgenre%3Arevenge" in html_lib.unescape(found.group(1))


def test_words_that_name_nothing_search_titles(unverified: Client) -> None:
    page = unverified.get("/browse/", {"query": "spice and wolf"}).content.decode()
    assert "Titles matching “spice and wolf”" in _box_part(page)
    assert 'id="query-error"' not in page


def test_a_typo_near_a_name_offers_it(unverified: Client) -> None:
    box = _box_part(unverified.get("/browse/", {"query": "netorrare"}).content.decode())
    assert "did you mean" in box
    assert "query=subgenre%3Anetorare" in html_lib.unescape(box)


def test_an_error_is_shown_at_the_box_with_did_you_mean_without_javascript(unverified: Client) -> None:
    response = unverified.get("/browse/", {"query": "ending:!tragdy"})
    assert response.status_code == 400
    page = response.content.decode()
    box = _box_part(page)
    assert 'id="query-error"' in box
    assert "did you mean &#x27;tragedy&#x27;" in box or "did you mean 'tragedy'" in box
    assert 'aria-invalid="true"' in page[page.index('id="query"') - 200 : page.index('id="query"') + 800]
    assert 'id="browse-error"' not in page  # said once, at the box
    assert 'value="ending:!tragdy"' in page  # the text stays in the box to be corrected


def test_an_error_reaches_the_box_through_htmx(unverified: Client) -> None:
    response = unverified.get("/browse/", {"query": "ending:!tragdy"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    page = response.content.decode()
    assert re.search(r'id="query-feedback"[^>]*hx-swap-oob="true"', page)
    assert "did you mean" in page[page.index('id="query-feedback"') :]


def test_an_old_title_text_url_keeps_its_meaning_in_the_box(unverified: Client) -> None:
    page = unverified.get("/browse/", {"q": "rain"}).content.decode()
    assert 'value="q:rain"' in page
    assert "Titles matching “rain”" in _box_part(page)


@pytest.mark.parametrize("url", ["/", "/guide/", "/taxonomy/", "/lists/", "/browse/"])
def test_every_page_has_the_search_box_in_its_header(unverified: Client, url: str) -> None:
    page = unverified.get(url).content.decode()
    header = page[page.index('<header class="site">') : page.index("</header>")]
    assert re.search(r'<form[^>]*role="search"[^>]*action="/browse/"', header)
    assert re.search(r'<label for="site-query">Search</label>', header)
    assert re.search(r'<input[^>]*id="site-query"[^>]*name="query"', header)
