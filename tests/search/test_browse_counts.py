"""Every count the browse page shows is the total its click gives: for several searches the page is
rendered, each include count (`count-<group>-<key>`, the tag picker's `count-tags-<slug>` among them), each
"exclude" option's `removes-<group>-<key>` and each "Tags in these results" badge is followed, and the
followed page's total compared with the count."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client

SEARCHES = (
    "/browse/",
    "/browse/?subgenre=revenge",
    "/browse/?include=love-triangle&min_relevance=60",
    "/browse/?include=drama,love-triangle>=60&include_mode=any",
    "/browse/?subgenre=netorare,revenge>=0.5&format=manga&ending=!tragedy",
    "/browse/?subgenre=netori&min_weight=0.5&status=!hiatus",
)
COUNT = re.compile(r'<span class="count" id="count-([a-z_]+)-([A-Za-z0-9_-]+)">(\d+)<span class="visually-hidden">')
REMOVES = re.compile(r'id="removes-([a-z_]+)-([A-Za-z0-9_-]+)"[^>]*><span aria-hidden="true">\u2212(\d+)</span>')
BADGE = re.compile(r'<a class="badge" href="([^"]+)" title="add to the search">([a-z0-9-]+) (\d+)</a>')
TOTAL = re.compile(r'<h2 id="results-count" class="results-count"><strong>(\d+)</strong> title')
CHECKED = re.compile(r'<input type="checkbox" name="([a-z_]+)" value="([^"!][^"]*)" checked>')


def _page(client: Client, url: str) -> tuple[str, int]:
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.content.decode()
    found = TOTAL.search(text)
    assert found is not None, url
    return text, int(found[1])


def _with(url: str, group: str, value: str, *, only: str | None = None) -> str:
    """The URL once a checkbox is ticked; `only`: the group's include set replaced by that one value."""
    pairs = parse_qsl(urlsplit(url).query)
    if only is not None:
        pairs = [(k, v) for k, v in pairs if k != group]
        pairs += [(group, v) for v in _values(url, group) if v.startswith("!")]
        value = only
    return "/browse/?" + urlencode([*pairs, (group, value)])


def _values(url: str, group: str) -> list[str]:
    return [w for k, v in parse_qsl(urlsplit(url).query) if k == group for w in v.split(",")]


@pytest.mark.parametrize("url", SEARCHES)
def test_every_count_on_the_browse_page_is_what_its_click_gives(adult: Client, url: str) -> None:
    text, total = _page(adult, url)
    checked = [(g, html.unescape(v)) for g, v in CHECKED.findall(text)]
    ticked = {(g, v.partition(">=")[0]): v for g, v in checked}
    counts = COUNT.findall(text)
    assert counts, url
    for group, key, count in counts:
        # a ticked value counts the results carrying it: the total of it alone in its group
        if group == "tags":  # the tag picker: ticking a tag adds it to `include` (a chosen tag shows no count)
            target = _with(url, "include", key)
        elif (group, key) in ticked:
            target = _with(url, group, "", only=ticked[group, key])
        else:
            target = _with(url, group, key)
        assert _page(adult, target)[1] == int(count), (url, group, key, target)
    removes = REMOVES.findall(text)
    assert removes, url
    for group, key, removed in removes:
        assert _page(adult, _with(url, group, f"!{key}"))[1] == total - int(removed), (url, group, key)
    badges = BADGE.findall(text)
    assert badges, url
    for href, slug, count in badges:
        assert _page(adult, html.unescape(href) if href.startswith("/") else "/browse/" + html.unescape(href))[
            1
        ] == int(count), (url, slug)


def test_the_user_report_netorare_beside_revenge_shows_what_ticking_it_gives(adult: Client) -> None:
    """With Revenge ticked, Netorare showed 8 and ticking it gave 33; Netorase showed 0 and added titles."""
    text, total = _page(adult, "/browse/?subgenre=revenge")
    shown = {key: int(n) for group, key, n in COUNT.findall(text) if group == "subgenre"}
    for key in ("netorare", "netorase"):
        ticked = _page(adult, f"/browse/?subgenre=revenge,{key}")[1]
        assert shown[key] == ticked > total


def test_a_threshold_in_the_url_stays_in_the_form(adult: Client) -> None:
    text, _ = _page(adult, "/browse/?include=love-triangle>=60&subgenre=revenge>=0.5&min_weight=0.3")
    assert 'name="include" value="love-triangle&gt;=60" checked' in text
    assert 'value="revenge&gt;=0.5" checked' in text
    assert 'name="min_weight" size="4" value="0.3"' in text
