"""Every public URL pattern, with concrete URLs to visit. A new pattern without an entry fails the walks."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.editorial.models import GuidePage
from shuraba.library.models import LibraryEntry
from shuraba.taxonomy.models import Axis, Tag

# Patterns that are not pages a reader walks: the admin has its own tests; sign-out and the settings
# writes take POST; allauth's code flows (sign-in, reauthentication codes) are off and only redirect.
NOT_WALKED = {
    "admin",
    "api-root",
    "account_logout",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_confirm_login_code",
    "settings-reveal",
    "settings-delete",
    "avoid-preset",  # the status bar's preset switch takes POST
    "library-entry",  # the library's writes take POST
    "library-settings",
    "library-resolve",
    "review-helpful",  # the reviews' writes take POST
    "title-vote",
    "review-delete",
    "moderation-review",
    "moderation-report",
    "list-add-from-title",  # the lists' writes take POST
    "list-add",
    "list-item",
    "list-order",
    "list-suggest",
    "list-suggestion",
    "list-delete",
    "pair-propose",  # the pairs' writes take POST
    "pair-vote",
    "pair-reason-delete",
    "quiz-rules",  # the quiz's writes take POST
    "quiz-forget",
    "for-you-not-interested",  # the recommendations' writes take POST
    "for-you-never-creator",
}
OPEN_SAMPLE_SLUG = "a-ferry-song-for-two"  # a teen-rated sample title: every viewer may see it
# Pages for a signed-in reader: an anonymous visitor is sent to sign in; `signed_in_urls` walks them.
SIGNED_IN_ONLY = {
    "account_email",
    "account_change_password",
    "account_set_password",
    "account_reauthenticate",
    "settings-export",
    "settings-tokens",
    "library",
    "library-edit",
    "library-import",
    "review-write",
    "review-report",
    "review-history",
    "moderation",
    "moderation-log",
    "list-new",
    "list-edit",
    "guide-new",
    "guide-edit",
    "guide-history",
    "guide-revision",
}
# Of those, the pages that are not every reader's: a review's history (its writer's and the editors') and
# moderation and the guide's editing pages (the editors'): a reader who is signed in gets a 404.
NOT_EVERY_READERS = {
    "review-history",
    "moderation",
    "moderation-log",
    "list-edit",
    "guide-new",
    "guide-edit",
    "guide-history",
    "guide-revision",
}

# The signed-in reader's API: a visitor is answered 401 in JSON (an API does not redirect to a page).
# Pattern -> the method it is walked with, its one URL.
SIGNED_IN_API = {
    "api-1:library_get": ("get", "/api/v1/me/library"),
    "api-1:entry_add": ("post", "/api/v1/me/library"),
    "api-1:library_import": ("post", "/api/v1/me/library/import"),
    "api-1:library_export_xml": ("get", "/api/v1/me/library/export.xml"),
    "api-1:library_export_json": ("get", "/api/v1/me/library/export.json"),
    "api-1:entry_update": ("patch", "/api/v1/me/library/no-such-title"),
    "api-1:entry_delete": ("delete", "/api/v1/me/library/no-such-title"),
    "api-1:review_create": ("post", f"/api/v1/titles/{OPEN_SAMPLE_SLUG}/reviews"),
    "api-1:review_update": ("patch", "/api/v1/reviews/1"),
    "api-1:review_delete": ("delete", "/api/v1/reviews/1"),
    "api-1:review_helpful": ("put", "/api/v1/reviews/1/helpful"),
    "api-1:review_report": ("post", "/api/v1/reviews/1/reports"),
    "api-1:title_vote": ("put", f"/api/v1/titles/{OPEN_SAMPLE_SLUG}/votes/subgenre"),
    "api-1:list_create": ("post", "/api/v1/lists"),
    "api-1:list_update": ("patch", "/api/v1/lists/no-such-list"),
    "api-1:list_delete": ("delete", "/api/v1/lists/no-such-list"),
    "api-1:item_add": ("post", "/api/v1/lists/no-such-list/items"),
    "api-1:item_update": ("patch", f"/api/v1/lists/no-such-list/items/{OPEN_SAMPLE_SLUG}"),
    "api-1:item_remove": ("delete", f"/api/v1/lists/no-such-list/items/{OPEN_SAMPLE_SLUG}"),
    "api-1:items_order": ("put", "/api/v1/lists/no-such-list/order"),
    "api-1:suggestions": ("get", "/api/v1/lists/no-such-list/suggestions"),
    "api-1:suggestion_make": ("post", "/api/v1/lists/no-such-list/suggestions"),
    "api-1:suggestion_decide": ("put", "/api/v1/lists/no-such-list/suggestions/1"),
    "api-1:pair_propose": ("post", f"/api/v1/titles/{OPEN_SAMPLE_SLUG}/pairs"),
    "api-1:pair_vote": ("put", "/api/v1/pairs/1/vote"),
    "api-1:pair_reason_delete": ("delete", "/api/v1/pairs/1/reason"),
    "api-1:not_interested_post": ("post", f"/api/v1/me/recommendations/{OPEN_SAMPLE_SLUG}/not-interested"),
    "api-1:not_interested_delete": ("delete", f"/api/v1/me/recommendations/{OPEN_SAMPLE_SLUG}/not-interested"),
}


def url_patterns() -> Iterator[tuple[str, str]]:
    def walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str | None) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif namespace != "admin" and pattern.name not in NOT_WALKED:
                yield (f"{namespace}:{pattern.name}" if namespace else str(pattern.name)), prefix + str(pattern.pattern)

    yield from walk(get_resolver().url_patterns, "/", None)


def signed_in_urls() -> dict[str, list[str]]:
    """The pages of SIGNED_IN_ONLY: walked by signed-in readers, redirects to sign in for everyone else."""
    return {
        "account_email": ["/accounts/email/"],
        "account_change_password": ["/accounts/password/change/"],
        "account_set_password": ["/accounts/password/set/"],
        "account_reauthenticate": ["/accounts/reauthenticate/"],
        "settings-export": ["/settings/export.json"],
        "settings-tokens": ["/settings/tokens/"],
        "library": ["/library/", "/library/?sort=score&status=reading&status=completed", "/library/?hidden=yes"],
        "library-edit": [f"/library/titles/{OPEN_SAMPLE_SLUG}/"],
        "library-import": ["/library/import/"],
        "review-write": [f"/titles/{OPEN_SAMPLE_SLUG}/review/"],
        "review-report": [f"/reviews/{_walk_reviews()[0]}/report/"],
        "review-history": [f"/reviews/{_walk_reviews()[0]}/history/"],
        "moderation": ["/moderation/"],
        "moderation-log": ["/moderation/log/"],
        "list-new": ["/lists/new/"],
        "list-edit": [f"/lists/{_walk_lists()[0]}/edit/"],
        "guide-new": ["/guide/new/"],
        "guide-edit": ["/guide/the-formula/edit/"],
        "guide-history": ["/guide/the-formula/history/"],
        "guide-revision": ["/guide/the-formula/history/1/"],
    }


# A fictional reader whose profile the walks visit: public entries (one behind the age gate, so the walks
# check it stays out of an unverified visitor's profile), an unlisted and a private one.
WALK_READER = "walk-reader"
WALK_ENTRIES = (  # (rating, privacy, share token, score)
    ("teen", "public", "walk-public", 8),
    ("mature", "public", "walk-public-2", 5),
    ("explicit", "public", "walk-public-gated", 9),
    ("all-ages", "unlisted", "walk-unlisted", 7),
    ("teen", "private", "walk-private", 3),
)


def _walk_reader() -> str:
    user, _ = User.objects.get_or_create(username=WALK_READER)
    now = timezone.now()
    for i, (rating, privacy, token, score) in enumerate(WALK_ENTRIES):
        title = Title.objects.filter(content_rating=rating).order_by("slug")[i]
        defaults = {"privacy": privacy, "score": score, "share_token": token, "created_at": now, "updated_at": now}
        LibraryEntry.objects.get_or_create(user=user, title=title, defaults=defaults)
    return f"/u/{WALK_READER}/"


WALK_REVIEW_SPOILER = "The walk's review gives its ending away here."


def _walk_reviews() -> tuple[int, int]:
    """Two published reviews by the walk reader, each with a spoiler block: of an open title and of one
    behind the age gate (the walks check the second is nowhere for an unverified visitor)."""
    from shuraba.reviews.models import Review  # noqa: PLC0415 (urlmap is imported before the apps are ready)

    user, _ = User.objects.get_or_create(username=WALK_READER)
    now = timezone.now()
    ids = []
    for title in (
        Title.objects.get(slug=OPEN_SAMPLE_SLUG),
        Title.objects.filter(content_rating="explicit").order_by("slug")[0],
    ):
        body = f"A careful review.\n\n:::spoiler resolution ch. 5\n{WALK_REVIEW_SPOILER}\n:::"
        defaults = {
            "score": 7,
            "verdict": "mixed",
            "body": body,
            "state": "published",
            "created_at": now,
            "updated_at": now,
            "published_at": now,
        }
        review, _ = Review.objects.get_or_create(user=user, title=title, defaults=defaults)
        ids.append(review.pk)
    return ids[0], ids[1]


WALK_LIST_PUBLIC, WALK_LIST_UNLISTED = "walk-list-public", "walk-list-unlisted"


def _walk_lists() -> tuple[str, str]:
    """The walk reader's public and unlisted lists, each holding an open title and one behind the age gate,
    the gated one's note naming it (the walks check neither reaches an unverified visitor)."""
    from shuraba.lists.models import ListItem, ReadingList  # noqa: PLC0415 (imported before the apps are ready)

    user, _ = User.objects.get_or_create(username=WALK_READER)
    gated = Title.objects.filter(content_rating="explicit").order_by("slug")[0]
    for slug, privacy in ((WALK_LIST_PUBLIC, "public"), (WALK_LIST_UNLISTED, "unlisted")):
        made, _ = ReadingList.objects.get_or_create(
            slug=slug, defaults={"name": f"The walk's {privacy} list", "privacy": privacy, "owner": user}
        )
        ListItem.objects.get_or_create(
            reading_list=made, title=Title.objects.get(slug=OPEN_SAMPLE_SLUG), defaults={"position": 1, "note": "Open."}
        )
        ListItem.objects.get_or_create(
            reading_list=made, title=gated, defaults={"position": 2, "note": f"Then {gated.title}."}
        )
    return WALK_LIST_PUBLIC, WALK_LIST_UNLISTED


def _walk_pairs() -> None:
    """The walk reader's pairs of the open sample title: with another open title, and with one behind the age
    gate whose reason names it (the walks check neither the title nor the reason reaches an unverified visitor)."""
    from shuraba.pairs.models import Pair, PairReason  # noqa: PLC0415 (imported before the apps are ready)

    user, _ = User.objects.get_or_create(username=WALK_READER)
    here = Title.objects.get(slug=OPEN_SAMPLE_SLUG)
    gated = Title.objects.filter(content_rating="explicit").order_by("slug")[0]
    other = Title.objects.filter(content_rating="teen").exclude(pk=here.pk).order_by("slug")[0]
    now = timezone.now()
    for there, reason in ((other, "Both are quiet about it."), (gated, f"Then {gated.title}, for the same reasons.")):
        low, high = sorted((here.pk, there.pk))
        pair, _ = Pair.objects.get_or_create(low_id=low, high_id=high, defaults={"created_at": now, "up": 1})
        PairReason.objects.get_or_create(pair=pair, user=user, defaults={"text": reason, "at": now})


def planted_queries() -> dict[str, tuple[str, str]]:
    """Texts typed into the search box or the autocomplete that find one hidden title for a viewer who may see
    it (tests/accounts/test_visibility_walk.py checks each finds it): name -> (text, the title's slug). None is
    a marker of the walks itself (a gated title's name, slug or alternative title), so an echo of the text is
    no leak: the name of a creator credited only on gated titles, a one-letter typo of a gated title's word,
    and the opening words of open titles the walk's avoid rules hide (NTR-free; ending:tragedy)."""
    from shuraba.catalog.models import Creator  # noqa: PLC0415 (urlmap is imported before the apps are ready)
    from shuraba.search.normalize import text_words  # noqa: PLC0415 (the same reason)

    gated = Title.objects.filter(content_rating="explicit").order_by("slug")
    creator = (
        Creator.objects.filter(credits__title__in=gated)
        .exclude(credits__title__content_rating__in=("all-ages", "teen", "mature"))
        .order_by("slug")
        .first()
    )
    assert creator is not None, "the sample needs a creator credited only on gated titles"
    typo_title = next(t for t in gated if any(len(w) >= 6 and w.isalpha() for w in text_words(t.title)))
    word = max((w for w in text_words(typo_title.title) if w.isalpha()), key=len)
    ntr = Title.objects.filter(content_rating="teen", axis_values__axis__key="subgenre").order_by("slug")[0]
    tragic = Title.objects.filter(
        content_rating="teen", axis_values__axis__key="ending", axis_values__value__key="tragedy"
    ).order_by("slug")[0]
    return {
        "gated creator": (creator.name, creator.credits.filter(title__in=gated).order_by("title__slug")[0].title.slug),
        "gated typo": (word[:-2] + word[-1], typo_title.slug),  # one letter left out: a typo the search forgives
        "ntr-free hides": (" ".join(text_words(ntr.title)[:3]), ntr.slug),
        "no-tragedy hides": (" ".join(text_words(tragic.title)[:3]), tragic.slug),
    }


def _planted(url: str, param: str) -> list[str]:
    return [f"{url}{param}={quote(text)}" for text, _ in planted_queries().values()]


def gated_urls() -> set[str]:
    """URLs about a title behind the age gate whose address does not end in its slug: 404 when gated."""
    gated_review = _walk_reviews()[1]
    gated = Title.objects.filter(content_rating="explicit").order_by("slug")[0].slug
    return {
        f"/reviews/{gated_review}/",
        f"/reviews/{gated_review}/blocks/1/",
        f"/titles/{gated}/reviews/",
        f"/api/v1/reviews/{gated_review}",
        f"/api/v1/titles/{gated}/reviews",
        f"/api/v1/titles/{gated}/votes",
        f"/titles/{gated}/pairs/",
        f"/api/v1/titles/{gated}/pairs",
    }


def concrete_urls() -> dict[str, list[str]]:
    """Pattern name -> URLs to visit, covering every title, tag, axis and guide page."""
    titles = list(Title.objects.order_by("pk"))
    profile = _walk_reader()
    open_review, gated_review = _walk_reviews()
    gated = Title.objects.filter(content_rating="explicit").order_by("slug")[0].slug
    _walk_pairs()
    return {
        "title-pairs": [f"/titles/{OPEN_SAMPLE_SLUG}/pairs/", f"/titles/{gated}/pairs/"],
        "api-1:title_pairs": [f"/api/v1/titles/{OPEN_SAMPLE_SLUG}/pairs", f"/api/v1/titles/{gated}/pairs"],
        "title-reviews": [
            f"/titles/{OPEN_SAMPLE_SLUG}/reviews/",
            f"/titles/{gated}/reviews/",
            f"/titles/{OPEN_SAMPLE_SLUG}/reviews/?sort=newest&page=1",
        ],
        "reviews": ["/reviews/", "/reviews/?picks=1", "/reviews/?page=1"],
        "review-detail": [f"/reviews/{open_review}/", f"/reviews/{gated_review}/"],
        "review-block": [f"/reviews/{gated_review}/blocks/1/"],
        "api-1:title_reviews": [f"/api/v1/titles/{OPEN_SAMPLE_SLUG}/reviews", f"/api/v1/titles/{gated}/reviews"],
        "api-1:reviews_recent": ["/api/v1/reviews", "/api/v1/reviews?picks=true"],
        "api-1:title_votes": [f"/api/v1/titles/{OPEN_SAMPLE_SLUG}/votes", f"/api/v1/titles/{gated}/votes"],
        "api-1:review_get": [f"/api/v1/reviews/{open_review}", f"/api/v1/reviews/{gated_review}"],
        "lists": ["/lists/", "/lists/?q=walk", "/lists/?kind=reader&starter=1&page=1"],
        "list-detail": [f"/lists/{slug}/" for slug in _walk_lists()],
        "lists-rss": ["/lists/feed.rss"],
        "lists-atom": ["/lists/feed.atom"],
        "reviews-rss": ["/reviews/feed.rss"],
        "reviews-atom": ["/reviews/feed.atom"],
        # Feeds are made for the public visibility whoever asks: a gated title's is a 404 to adults too
        # (tests/feeds), so the walks read the open title's.
        "title-reviews-rss": [f"/titles/{OPEN_SAMPLE_SLUG}/reviews/feed.rss"],
        "title-reviews-atom": [f"/titles/{OPEN_SAMPLE_SLUG}/reviews/feed.atom"],
        "sitemap": ["/sitemap.xml"],
        "sitemap-section": [f"/sitemap-{name}.xml" for name in ("pages", "titles", "reviews", "lists", "guide")],
        "api-1:lists_index": ["/api/v1/lists", "/api/v1/lists?starter=true&kind=reader"],
        "api-1:list_get": [f"/api/v1/lists/{slug}" for slug in _walk_lists()],
        "home": ["/"],
        "guide": ["/guide/"],
        "guide-page": [f"/guide/{p.slug}/" for p in GuidePage.objects.all()],
        "taxonomy": ["/taxonomy/"],
        "tags": ["/taxonomy/tags/"],
        "tag-detail": [f"/taxonomy/tags/{t.slug}/" for t in Tag.objects.all()],
        "taxonomy-axis": [f"/taxonomy/{a.key}/" for a in Axis.objects.all()],
        "browse": [
            "/browse/",
            *[f"/browse/?per_page=100&page=1&sort={s}" for s in ("title", "score", "year")],
            "/browse/?per_page=100&ending=tragedy,reconciliation",
            "/browse/?per_page=100&query=q:a",
            *_planted("/browse/?per_page=100&", "query"),
        ],
        "title-detail": [f"/titles/{t.slug}/" for t in titles],
        "profile": [profile, f"{profile}?page=1"],
        "entry-shared": [f"{profile}e/walk-public/", f"{profile}e/walk-unlisted/"],
        "age-gate": ["/age-gate/"],
        "settings": ["/settings/"],
        "avoid-rules": ["/settings/avoid/"],
        "avoid-rules-export": ["/settings/avoid/export.json"],
        "api-1:avoid_rules_get": ["/api/v1/me/avoid-rules"],
        "api-1:avoid_rules_put": ["/api/v1/me/avoid-rules"],
        "quiz": ["/quiz/", "/quiz/?endings=tragedy,revenge&consent=no-coercion&centrality=major"],
        "quiz-starter": [  # the starter list: every answer open, then answers that name spoiler values
            "/quiz/starter/",
            "/quiz/starter/?endings=tragedy,reconciliation,revenge&perspectives=betrayed,rival&lengths=short,long",
            "/quiz/starter/?motives=catharsis,intensity,depth,exploring&centrality=core",
            "/quiz/starter/?endings=tragedy&perspectives=betrayed",  # what the walk's rules hide would fit
        ],
        "api-1:preferences_get": ["/api/v1/me/preferences"],
        "api-1:preferences_put": ["/api/v1/me/preferences"],
        "for-you": ["/for-you/"],
        "api-1:recommendations_get": ["/api/v1/me/recommendations", "/api/v1/me/recommendations?limit=50"],
        "account_login": ["/accounts/login/"],
        "account_signup": ["/accounts/signup/"],
        "account_inactive": ["/accounts/inactive/"],
        "account_email_verification_sent": ["/accounts/confirm-email/"],
        "account_confirm_email": ["/accounts/confirm-email/not-a-key/"],
        "account_reset_password": ["/accounts/password/reset/"],
        "account_reset_password_done": ["/accounts/password/reset/done/"],
        "account_reset_password_from_key": ["/accounts/password/reset/key/1-not-a-key/"],
        "account_reset_password_from_key_done": ["/accounts/password/reset/key/done/"],
        **signed_in_urls(),
        **{name: [url] for name, (_, url) in SIGNED_IN_API.items()},
        "healthz": ["/healthz"],
        "api-1:openapi-json": ["/api/v1/openapi.json"],
        "api-1:openapi-view": ["/api/v1/docs"],
        "api-1:titles_list": ["/api/v1/titles?per_page=100", "/api/v1/titles?per_page=100&sort=score"],
        "api-1:title_by_id": [f"/api/v1/titles/{t.pk}" for t in titles],
        "api-1:title_by_slug": [f"/api/v1/titles/by-slug/{t.slug}" for t in titles],
        "api-1:taxonomy": ["/api/v1/taxonomy"],
        # A gated title's first letters (its whole name would be echoed back as `q`), and an open one's.
        "api-1:suggest": [
            f"/api/v1/search/suggest?q={quote(Title.objects.filter(content_rating='explicit').order_by('slug')[0].title[:5])}",
            f"/api/v1/search/suggest?q={quote(titles[0].title[:5])}&limit=20",
            "/api/v1/search/suggest?q=a&limit=20",
            *_planted("/api/v1/search/suggest?limit=20&", "q"),
        ],
        "api-1:search": [
            "/api/v1/search?per_page=100",
            "/api/v1/search?per_page=100&ending=tragedy",
            "/api/v1/search?per_page=100&query=drama%20-infidelity%20ending:!open",
            "/api/v1/search?per_page=100&q=a&sort=title",
            *_planted("/api/v1/search?per_page=100&", "query"),
        ],
    }
