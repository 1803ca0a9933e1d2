from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from shuraba.catalog.models import TitleAxisValue
from shuraba.editorial.models import GuidePage
from shuraba.taxonomy.models import AxisValue

REQUIRED_LINK_AXES = ("subgenre", "ending", "centrality")


@pytest.mark.parametrize("axis", REQUIRED_LINK_AXES)
def test_guide_links_every_value_of_to_the_filtered_browse_page(unverified: Client, axis: str) -> None:
    html = "".join(unverified.get(f"/guide/{p.slug}/").content.decode() for p in GuidePage.objects.all())
    for key in AxisValue.objects.filter(axis__key=axis).values_list("key", flat=True):
        assert f'href="/browse/?{axis}={key}' in html, f"the guide never links {axis}={key}"


@pytest.mark.parametrize("axis", REQUIRED_LINK_AXES)
def test_every_guide_link_to_browse_works(unverified: Client, axis: str) -> None:
    for key in AxisValue.objects.filter(axis__key=axis).values_list("key", flat=True):
        assert unverified.get(f"/browse/?{axis}={key}").status_code == 200


def test_guide_covers_formula_subgenres_drama_reasons_and_getting_started(db: None) -> None:
    slugs = set(GuidePage.objects.values_list("slug", flat=True))
    assert {"the-formula", "subgenres", "ntr-vs-drama", "why-people-read", "getting-started"} <= slugs


def test_guide_markdown_is_sanitized(unverified: Client) -> None:
    page = GuidePage.objects.create(
        slug="x",
        title="X",
        summary="s",
        order=99,
        body="Hello <script>alert(1)</script> [a](javascript:alert(1)) **bold**",
    )
    html = unverified.get(f"/guide/{page.slug}/").content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html


def test_glossary_defines_every_axis_value(unverified: Client) -> None:
    html = unverified.get("/taxonomy/").content.decode()
    for value in AxisValue.objects.select_related("axis"):
        assert value.label in html, value


def test_axis_page_counts_only_visible_titles(unverified: Client, adult: Client) -> None:
    def count(client: Client) -> int:
        html = client.get("/taxonomy/subgenre/").content.decode()
        return sum(int(part.split(" title")[0].split()[-1]) for part in html.split("browse ")[1:])

    assert count(unverified) < count(adult)


def _internal_links(client: Client, page: str) -> set[str]:
    html = client.get(page).content.decode()
    return {unescape(h) for h in re.findall(r'href="(/[^"]*)"', html) if not h.startswith(("/static/", "//"))}


def test_every_link_on_the_home_page_and_in_the_guides_leads_somewhere_non_empty(unverified: Client) -> None:
    """Followed as a visitor who has not confirmed 18+: every page answers, and every search it links to finds
    something (the guide's "core but gentle" example once found nothing for such a visitor)."""
    pages = ["/", "/guide/", *(f"/guide/{p.slug}/" for p in GuidePage.objects.filter(published=True))]
    links = set().union(*(_internal_links(unverified, page) for page in pages))
    searches = {link for link in links if link.startswith("/browse/?")}
    assert len(searches) > 20
    for link in sorted(links - searches):
        assert unverified.get(link).status_code == 200, link
    for link in sorted(searches):
        found = unverified.get("/api/v1/titles?" + link.split("?", 1)[1].split("#", 1)[0])
        assert found.status_code == 200, link
        assert found.json()["total"] > 0, f"{link} finds nothing for a visitor under the age gate"


def test_the_home_page_s_starting_points_all_have_infidelity_in_them(unverified: Client) -> None:
    html = unverified.get("/").content.decode()
    gentle = html.split("Gentle starting points", 1)[1].split("<h2>", 1)[0]
    slugs = set(re.findall(r'href="/titles/([^/"]+)/"', gentle))
    assert slugs
    none = set(
        TitleAxisValue.objects.filter(axis__key="centrality", value__key="none").values_list("title__slug", flat=True)
    )
    assert not slugs & none
