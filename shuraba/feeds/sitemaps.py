"""`/sitemap.xml` (django.contrib.sitemaps): the pages a search engine may index, as the public visibility
sees them (`policies.feed_visibility`: not confirmed 18+; a signed-in requester's own avoid rules apply
too): titles behind the age gate, their reviews and private or unlisted lists are not in it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from shuraba.accounts import policies
from shuraba.accounts.policies import Visibility, feed_visibility
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.models import Title
from shuraba.editorial.models import GuidePage, PageKind
from shuraba.lists.models import Privacy, ReadingList
from shuraba.reviews.models import Review, State
from shuraba.taxonomy.models import Axis, Tag

PAGES = ("home", "guide", "browse", "taxonomy", "tags", "reviews", "lists")


class _Seen(Sitemap):  # type: ignore[type-arg]  # django-stubs: Sitemap is generic over its items
    """A section as one requester's feed visibility sees it."""

    def __init__(self, visibility: Visibility) -> None:
        self.visibility = visibility


class PagesSitemap(_Seen):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> tuple[str, ...]:
        return PAGES

    def location(self, item: str) -> str:
        return reverse(item)


class TitlesSitemap(_Seen):
    changefreq = "weekly"
    limit = 10_000

    def items(self) -> Any:
        return policies.titles_visible(self.visibility, Title.objects.all()).order_by("pk").only("slug", "updated_at")

    def location(self, item: Title) -> str:
        return reverse("title-detail", args=[item.slug])

    def lastmod(self, item: Title) -> datetime:
        return item.updated_at


class ReviewsSitemap(_Seen):
    changefreq = "weekly"

    def items(self) -> Any:
        shown = Review.objects.filter(state=State.PUBLISHED, title__in=policies.visible_title_ids(self.visibility))
        return shown.order_by("pk").only("pk", "updated_at")

    def location(self, item: Review) -> str:
        return reverse("review-detail", args=[item.pk])

    def lastmod(self, item: Review) -> datetime:
        return item.updated_at


class ListsSitemap(_Seen):
    changefreq = "weekly"

    def items(self) -> Any:
        return ReadingList.objects.filter(privacy=Privacy.PUBLIC).order_by("pk").only("slug", "updated_at")

    def location(self, item: ReadingList) -> str:
        return reverse("list-detail", args=[item.slug])

    def lastmod(self, item: ReadingList) -> datetime:
        return item.updated_at


class GuideSitemap(_Seen):
    changefreq = "monthly"

    def items(self) -> list[str]:
        guides = GuidePage.objects.filter(published=True, kind=PageKind.GUIDE).order_by("pk")
        pages = [reverse("guide-page", args=[p.slug]) for p in guides]
        axes = [reverse("taxonomy-axis", args=[a.key]) for a in Axis.objects.order_by("order")]
        tags = [reverse("tag-detail", args=[t.slug]) for t in Tag.objects.order_by("slug")]
        return [*pages, *axes, *tags]

    def location(self, item: str) -> str:
        return item


SECTIONS: dict[str, type[_Seen]] = {
    "pages": PagesSitemap,
    "titles": TitlesSitemap,
    "reviews": ReviewsSitemap,
    "lists": ListsSitemap,
    "guide": GuideSitemap,
}


def _sections(request: HttpRequest) -> dict[str, type[Sitemap] | Sitemap]:  # type: ignore[type-arg]
    visibility = feed_visibility(visibility_from_request(request))
    return {name: section(visibility) for name, section in SECTIONS.items()}


def sitemap_index(request: HttpRequest) -> HttpResponse:
    return sitemap_views.index(request, sitemaps=_sections(request), sitemap_url_name="sitemap-section")


def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    return sitemap_views.sitemap(request, sitemaps=_sections(request), section=section)
