"""The guide pages, the home page and the glossary describe only what exists: every feature they name links
to it, and the link answers with the feature really there ("for you" and recommendations too, now built)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from shuraba.editorial.models import GuidePage
from shuraba.taxonomy.models import Axis

pytestmark = pytest.mark.django_db

# A feature as the prose names it -> (where it lives, what its page shows when it is really there).
FEATURES = {
    r"\bavoid rules?\b": ("/settings/avoid/", 'name="rules"'),
    r"\bquiz\b": ("/quiz/", 'class="quiz"'),
    r"\breading lists?\b": ("/lists/", "Reading lists"),
    r"\breviews?\b": ("/reviews/", "Reviews"),
    r"\b(feeds|rss|atom)\b|\ba feed\b": ("/lists/feed.rss", "<rss"),  # "feed" alone is a verb too
    r"\bspoiler settings?\b": ("/settings/", "Spoiler"),
    r"\bage gate\b": ("/age-gate/", "18"),
    r"\bfor you\b|\brecommendations?\b|\brecommend(s|ed)? (you|for)\b": ("/for-you/", "<h1>For you</h1>"),
}


def _pages() -> list[str]:
    guides = [f"/guide/{p.slug}/" for p in GuidePage.objects.filter(published=True)]
    axes = [f"/taxonomy/{key}/" for key in Axis.objects.values_list("key", flat=True)]
    return ["/", "/guide/", "/taxonomy/", *axes, *guides]


def _main(html: str) -> str:
    """The page's own content, without the header and footer every page shares."""
    return html.split("<main", 1)[-1].split("</main>", 1)[0]


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _links(html: str) -> set[str]:
    return {unescape(h).split("#", 1)[0] for h in re.findall(r'href="(/[^"]*)"', html)}


def test_every_feature_a_guide_names_links_to_it_and_is_really_there(unverified: Client) -> None:
    named: set[str] = set()
    for page in _pages():
        html = _main(unverified.get(page).content.decode())
        text, links = _text(html).casefold(), _links(html)
        for pattern, (path, _) in FEATURES.items():
            if re.search(pattern, text):
                named.add(path)
                assert any(link.startswith(path) for link in links), f"{page} names {pattern} without a link to {path}"
    assert {"/settings/avoid/", "/quiz/"} <= named
    for path in sorted(named):
        response = unverified.get(path)
        assert response.status_code == 200, path
        marker = next(m for p, m in FEATURES.values() if p == path)
        assert marker in response.content.decode(), f"{path} does not show the feature ({marker!r})"
