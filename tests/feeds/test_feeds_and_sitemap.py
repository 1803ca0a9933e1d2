"""Feeds and the sitemap are read by other sites with no session: everything in them, and everything they
link to, is what an anonymous visitor who has not confirmed 18+ may see. Feeds read as feed readers read
them (feedparser, no bozo); the sitemap validates against the sitemap protocol's schema."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import xmlschema
from django.test import Client

from shuraba.accounts.models import User
from shuraba.accounts.policies import AGE_GATED_RATINGS
from shuraba.catalog.models import FormulaStage, Title
from shuraba.lists import services as lists
from shuraba.reviews import services as reviews

SCHEMA = xmlschema.XMLSchema(Path(__file__).with_name("sitemap.xsd"))
SPOILER = "The feed must never print this ending."
FEEDS = (
    "/reviews/feed.rss",
    "/reviews/feed.atom",
    "/lists/feed.rss",
    "/lists/feed.atom",
    "/titles/a-ferry-song-for-two/reviews/feed.rss",
    "/titles/a-ferry-song-for-two/reviews/feed.atom",
)


def _review(user: User, title: Title) -> None:
    body = f"Worth reading.\n\n:::spoiler resolution\n{SPOILER}\n:::"
    fields = {"score": 8, "verdict": "recommended", "body": body, "for_readers": "", "skip_if": "", "finished": True}
    reviews.review_write(user=user, title=title, fields=fields)


@pytest.fixture
def published(editor: User, gated_title: Title) -> None:
    """Reviews of an open and of a gated title (an editor's publish at once), and lists of every privacy."""
    open_title = Title.objects.get(slug="a-ferry-song-for-two")
    _review(editor, open_title)
    _review(editor, gated_title)
    for privacy in ("public", "unlisted", "private"):
        made = lists.list_create(user=editor, changes={"name": f"Editor's {privacy} list", "privacy": privacy})
        lists.item_add(user=editor, reading_list=made, title=open_title, note="Start here.")
        lists.item_add(user=editor, reading_list=made, title=gated_title, note=f"Then {gated_title.title}.")


def _markers() -> list[str]:
    gated = Title.objects.filter(content_rating__in=AGE_GATED_RATINGS)
    notes = FormulaStage.objects.exclude(spoiler="none").exclude(note="").values_list("note", flat=True)
    return [
        *(t.title for t in gated),
        *(f"/titles/{t.slug}/" for t in gated),
        *(n for n in notes if len(n) > 20),
        SPOILER,
    ]


def _clean(body: str, where: str) -> None:
    leaked = [m for m in _markers() if m in body]
    assert not leaked, f"{where} shows {leaked[:3]}"


@pytest.mark.usefixtures("published")
@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_parses_and_holds_only_what_a_visitor_may_see(unverified: Client, url: str) -> None:
    response = unverified.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries, "the fixture published something for every feed"
    _clean(response.content.decode(), url)
    for entry in parsed.entries:
        page = unverified.get(urlsplit(entry.link).path)
        assert page.status_code == 200, entry.link
        _clean(page.content.decode(), entry.link)
    assert not any("private list" in e.title or "unlisted list" in e.title for e in parsed.entries)


@pytest.mark.usefixtures("published")
def test_a_gated_titles_feed_is_a_404_even_for_an_adult(adult: Client, gated_title: Title) -> None:
    assert adult.get(f"/titles/{gated_title.slug}/reviews/").status_code == 200, "the page is theirs to see"
    assert adult.get(f"/titles/{gated_title.slug}/reviews/feed.rss").status_code == 404
    feed = adult.get("/reviews/feed.rss").content.decode()
    assert gated_title.title not in feed, "feeds are made for the public visibility whoever asks"


@pytest.mark.usefixtures("published")
def test_the_sitemap_follows_the_protocol_and_lists_only_public_pages(unverified: Client) -> None:
    index = unverified.get("/sitemap.xml")
    assert index.status_code == 200
    SCHEMA.validate(index.content.decode())
    sections = [entry["loc"] for entry in SCHEMA.to_dict(index.content.decode())["sitemap"]]
    assert len(sections) == 5, sections
    locations: list[str] = []
    for section in sections:
        response = unverified.get(urlsplit(section).path)
        assert response.status_code == 200, section
        SCHEMA.validate(response.content.decode())
        _clean(response.content.decode(), section)
        decoded = SCHEMA.to_dict(response.content.decode())
        locations += [url["loc"] for url in decoded.get("url", [])]
    paths = [urlsplit(loc).path for loc in locations]
    assert "/titles/a-ferry-song-for-two/" in paths
    assert any(p.startswith("/lists/") and p != "/lists/" for p in paths), "the public list is in it"
    assert len(paths) == len(set(paths))
    for path in paths:
        page = unverified.get(path)
        assert page.status_code == 200, path
        _clean(page.content.decode(), path)
    listed = {p for p in paths if p.startswith("/lists/") and p != "/lists/"}
    assert len(listed) == 1, "only the public list: not the unlisted or the private one"


@pytest.mark.parametrize(
    "urlset",
    [
        "<url><loc>/titles/relative/</loc></url>",
        "<url><loc>https://example.test/</loc><changefreq>often</changefreq></url>",
        "<url><loc>https://example.test/</loc><priority>2</priority></url>",
        "<url><lastmod>2026-12-01</lastmod></url>",
    ],
)
def test_the_schema_refuses_what_the_protocol_refuses(urlset: str) -> None:
    document = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urlset}</urlset>'
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        SCHEMA.validate(document)


def test_titles_lists_and_guides_carry_their_own_sharing_cards(
    unverified: Client, editor: User, open_title: Title
) -> None:
    made = lists.list_create(user=editor, changes={"name": "Cards & <links>", "intro": "Why *these*."})
    pages = {
        f"/titles/{open_title.slug}/": open_title.title,
        f"/lists/{made.slug}/": "Cards &amp; &lt;links&gt;",
        "/guide/the-formula/": "The formula",
    }
    for url, title in pages.items():
        response = unverified.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count('property="og:title"') == 1, url
        assert '<meta name="twitter:card" content="summary">' in html, url
        assert f'<meta property="og:url" content="http://testserver{url}">' in html, url
        if title:
            assert f'<meta property="og:title" content="{title}">' in html, url
    shown = unverified.get(f"/titles/{open_title.slug}/?reveal=all").content.decode()
    assert f'content="http://testserver/titles/{open_title.slug}/"' in shown, "the shared link reveals nothing"
