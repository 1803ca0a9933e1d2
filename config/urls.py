from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from config.api import api
from shuraba.accounts import views as accounts
from shuraba.catalog import views as catalog
from shuraba.core import views as core
from shuraba.editorial import editing
from shuraba.editorial import views as editorial
from shuraba.feeds import feeds
from shuraba.feeds.sitemaps import sitemap_index, sitemap_section
from shuraba.library import profile_views as library_profile
from shuraba.library import views as library
from shuraba.lists import views as lists
from shuraba.pairs import views as pairs
from shuraba.preferences import views as preferences
from shuraba.recommend import views as recommend
from shuraba.reviews import views as reviews
from shuraba.search import views as search

urlpatterns = [
    path("", editorial.home, name="home"),
    path("guide/", editorial.guide_index, name="guide"),
    path("guide/new/", editing.guide_new, name="guide-new"),
    path("guide/<slug:slug>/", editorial.guide_page, name="guide-page"),
    path("guide/<slug:slug>/edit/", editing.guide_edit, name="guide-edit"),
    path("guide/<slug:slug>/history/", editing.guide_history, name="guide-history"),
    path("guide/<slug:slug>/history/<int:number>/", editing.guide_revision, name="guide-revision"),
    path("taxonomy/", editorial.taxonomy_index, name="taxonomy"),
    path("taxonomy/tags/", editorial.tag_index, name="tags"),
    path("taxonomy/tags/<slug:slug>/", editorial.tag_detail, name="tag-detail"),
    path("taxonomy/<slug:key>/", editorial.taxonomy_axis, name="taxonomy-axis"),
    path("browse/", search.browse, name="browse"),
    path("titles/<slug:slug>/", catalog.title_detail, name="title-detail"),
    path("titles/<slug:slug>/reviews/", reviews.title_reviews, name="title-reviews"),
    path("titles/<slug:slug>/review/", reviews.review_write, name="review-write"),
    path("titles/<slug:slug>/votes/", reviews.title_vote, name="title-vote"),
    path("titles/<slug:slug>/reviews/feed.rss", feeds.TitleReviewsRss(), name="title-reviews-rss"),
    path("titles/<slug:slug>/reviews/feed.atom", feeds.TitleReviewsAtom(), name="title-reviews-atom"),
    path("reviews/", reviews.reviews_index, name="reviews"),
    path("reviews/feed.rss", feeds.ReviewsRss(), name="reviews-rss"),
    path("reviews/feed.atom", feeds.ReviewsAtom(), name="reviews-atom"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review-detail"),
    path("reviews/<int:pk>/blocks/<int:number>/", reviews.review_block, name="review-block"),
    path("reviews/<int:pk>/helpful/", reviews.review_helpful, name="review-helpful"),
    path("reviews/<int:pk>/report/", reviews.review_report, name="review-report"),
    path("reviews/<int:pk>/delete/", reviews.review_delete, name="review-delete"),
    path("reviews/<int:pk>/history/", reviews.review_history, name="review-history"),
    path("moderation/", reviews.moderation, name="moderation"),
    path("moderation/log/", reviews.moderation_log, name="moderation-log"),
    path("moderation/reviews/<int:pk>/", reviews.moderation_review, name="moderation-review"),
    path("moderation/reports/<int:pk>/", reviews.moderation_report, name="moderation-report"),
    path("titles/<slug:slug>/pairs/", pairs.title_pairs, name="title-pairs"),
    path("titles/<slug:slug>/pairs/new/", pairs.pair_propose, name="pair-propose"),
    path("pairs/<int:pk>/vote/", pairs.pair_vote, name="pair-vote"),
    path("pairs/<int:pk>/reason/delete/", pairs.pair_reason_delete, name="pair-reason-delete"),
    path("lists/", lists.lists_index, name="lists"),
    path("lists/new/", lists.list_new, name="list-new"),
    path("lists/add/", lists.item_add_from_title, name="list-add-from-title"),
    path("lists/feed.rss", feeds.ListsRss(), name="lists-rss"),
    path("lists/feed.atom", feeds.ListsAtom(), name="lists-atom"),
    path("lists/<slug:slug>/", lists.list_detail, name="list-detail"),
    path("lists/<slug:slug>/edit/", lists.list_edit, name="list-edit"),
    path("lists/<slug:slug>/items/", lists.item_add, name="list-add"),
    path("lists/<slug:slug>/items/<int:pk>/", lists.item_change, name="list-item"),
    path("lists/<slug:slug>/order/", lists.items_order, name="list-order"),
    path("lists/<slug:slug>/suggest/", lists.list_suggest, name="list-suggest"),
    path("lists/<slug:slug>/suggestions/<int:pk>/", lists.suggestion_decide, name="list-suggestion"),
    path("lists/<slug:slug>/delete/", lists.list_delete, name="list-delete"),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap_section, name="sitemap-section"),
    path("quiz/", preferences.quiz, name="quiz"),
    path("quiz/starter/", preferences.starter, name="quiz-starter"),
    path("quiz/rules/", preferences.rules_confirm, name="quiz-rules"),
    path("quiz/forget/", preferences.preferences_forget, name="quiz-forget"),
    path("for-you/", recommend.for_you, name="for-you"),
    path("for-you/not-interested/", recommend.not_interested, name="for-you-not-interested"),
    path("for-you/never-creator/", recommend.never_creator, name="for-you-never-creator"),
    path("age-gate/", accounts.age_gate, name="age-gate"),
    path("settings/", accounts.reader_settings, name="settings"),
    path("settings/avoid/", accounts.avoid_rules, name="avoid-rules"),
    path("settings/avoid/preset/", accounts.avoid_preset_switch, name="avoid-preset"),
    path("settings/avoid/export.json", accounts.avoid_rules_export, name="avoid-rules-export"),
    path("settings/reveals/", accounts.title_reveal, name="settings-reveal"),
    path("settings/export.json", accounts.data_export, name="settings-export"),
    path("settings/tokens/", accounts.api_tokens, name="settings-tokens"),
    path("settings/delete/", accounts.account_delete, name="settings-delete"),
    path("library/", library.library, name="library"),
    path("library/entry/", library.library_entry, name="library-entry"),
    path("library/settings/", library.library_settings, name="library-settings"),
    path("library/titles/<slug:slug>/", library.library_edit, name="library-edit"),
    path("library/import/", library.library_import, name="library-import"),
    path("library/import/resolve/", library.library_resolve, name="library-resolve"),
    path("u/<str:name>/", library_profile.profile, name="profile"),
    path("u/<str:name>/e/<str:token>/", library_profile.entry_shared, name="entry-shared"),
    path("accounts/", include("allauth.urls")),  # sign up, sign in (/accounts/login/), email, password
    path("healthz", core.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler400 = "shuraba.core.views.bad_request"
handler404 = "shuraba.core.views.page_not_found"
handler500 = "shuraba.core.views.server_error"
