"""RSS and Atom feeds (Django's syndication framework) of new public lists, new reviews and one title's
reviews. A feed is fetched by feed readers and other sites, mostly with no session, so every feed is made for
the public visibility (`policies.feed_visibility`: not confirmed 18+, the default spoiler setting) with the
requester's own avoid rules, if they have any: nothing behind the age gate and no spoiler appears in one, and
a reader's hidden titles stay hidden there too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import strip_tags

from shuraba.accounts.policies import Visibility, feed_visibility
from shuraba.accounts.viewers import visibility_from_request
from shuraba.catalog.models import Title
from shuraba.catalog.selectors import TitleNotFound
from shuraba.lists import selectors as lists
from shuraba.reviews import selectors as reviews
from shuraba.reviews.selectors import Reading, ReviewShown

FEED_SIZE = 30


@dataclass(frozen=True)
class Asked:
    """Who a feed is made for, and of which title (the title feeds)."""

    visibility: Visibility
    title: Title | None = None

    @property
    def reading(self) -> Reading:
        return Reading(visibility=self.visibility, progress=None)  # no progress: every spoiler block folded


def _asked(request: HttpRequest) -> Asked:
    return Asked(feed_visibility(visibility_from_request(request)))


def _review_text(r: ReviewShown) -> str:
    """The review as a feed shows it: its scores, who it is for, and its body with every spoiler block folded
    (a folded block's text is not in `body_html` at all)."""
    parts = [f"{r.score}/10 · {r.verdict_label}"]
    if r.for_readers:
        parts.append(f"For readers who {r.for_readers}")
    if r.skip_if:
        parts.append(f"Skip if {r.skip_if}")
    return "\n\n".join([*parts, strip_tags(str(r.body_html)).strip()])


class _Reviews(Feed):  # type: ignore[type-arg]  # django-stubs: Feed is generic over item and object
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def item_title(self, item: ReviewShown) -> str:
        return f"{item.writer} on {item.title_name}: {item.score}/10"

    def item_description(self, item: ReviewShown) -> str:
        return _review_text(item)

    def item_link(self, item: ReviewShown) -> str:
        return reverse("review-detail", args=[item.id])

    def item_pubdate(self, item: ReviewShown) -> Any:
        return item.created_at

    def item_updateddate(self, item: ReviewShown) -> Any:
        return item.updated_at

    def item_author_name(self, item: ReviewShown) -> str:
        return item.writer


class ReviewsRss(_Reviews):
    title = "shuraba: new reviews"
    description = "Structured reviews of NTR and relationship-drama manga, spoilers folded."

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Asked:
        return _asked(request)

    def link(self) -> str:
        return reverse("reviews")

    def items(self, obj: Asked) -> tuple[ReviewShown, ...]:
        return reviews.reviews_recent(reading=obj.reading, page=1, per_page=FEED_SIZE).reviews


class ReviewsAtom(ReviewsRss):
    feed_type = Atom1Feed
    subtitle = ReviewsRss.description


class TitleReviewsRss(_Reviews):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Asked:
        asked = _asked(request)
        try:
            title = reviews.review_title(visibility=asked.visibility, slug=str(kwargs.get("slug", "")))
        except TitleNotFound as exc:  # missing, gated, or hidden by the requester's rules: a feed has no interstitial
            raise Http404("No such title") from exc
        return Asked(asked.visibility, title)

    def _title(self, obj: Asked) -> Title:
        assert obj.title is not None  # noqa: S101 (get_object always sets it)
        return obj.title

    def title(self, obj: Asked) -> str:
        return f"shuraba: reviews of {self._title(obj).title}"

    def description(self, obj: Asked) -> str:
        return f"New reviews of {self._title(obj).title}, spoilers folded."

    def link(self, obj: Asked) -> str:
        return reverse("title-reviews", args=[self._title(obj).slug])

    def items(self, obj: Asked) -> tuple[ReviewShown, ...]:
        listing = reviews.title_reviews(title=self._title(obj), reading=obj.reading, sort="newest", per_page=FEED_SIZE)
        return listing.reviews


class TitleReviewsAtom(TitleReviewsRss):
    feed_type = Atom1Feed

    def subtitle(self, obj: Asked) -> str:
        return self.description(obj)


class ListsRss(Feed):  # type: ignore[type-arg]
    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    title = "shuraba: new reading lists"
    description = "New public reading lists: the editors' and readers'."

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Asked:
        return _asked(request)

    def link(self) -> str:
        return reverse("lists")

    def items(self, obj: Asked) -> tuple[lists.ListSummary, ...]:
        return lists.lists_recent(visibility=obj.visibility, limit=FEED_SIZE)

    def item_title(self, item: lists.ListSummary) -> str:
        return item.name

    def item_description(self, item: lists.ListSummary) -> str:
        who = "An editorial list" if item.kind == "editorial" else f"A list by {item.owner}"
        return f"{who} of {item.total} title{'s' * (item.total != 1)}. {item.intro_text}".strip()

    def item_link(self, item: lists.ListSummary) -> str:
        return reverse("list-detail", args=[item.slug])

    def item_pubdate(self, item: lists.ListSummary) -> Any:
        return item.created_at

    def item_updateddate(self, item: lists.ListSummary) -> Any:
        return item.updated_at


class ListsAtom(ListsRss):
    feed_type = Atom1Feed
    subtitle = ListsRss.description
