from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from shuraba.accounts.models import User
from shuraba.catalog.models import Title
from shuraba.reviews import services
from shuraba.reviews.models import Action, ModerationEvent, Review, ReviewRevision
from tests.reviews.conftest import OPEN_SLUG, client_of, fields

SECRET = "The ending turns on the letter."


def _write(client: Client, **changes: object) -> object:
    data = {k: ("" if v is None else v) for k, v in fields(**changes).items()}
    if not data["finished"]:
        data.pop("finished")
    return client.post(f"/titles/{OPEN_SLUG}/review/", data)


def test_a_trusted_reader_publishes_through_the_form_and_others_see_it(
    make_reader: Callable[..., User], unverified: Client
) -> None:
    writer = make_reader("writer", trusted=True)
    response = _write(client_of(writer))
    assert response.status_code == 302
    review = Review.objects.get(user=writer, title__slug=OPEN_SLUG)
    assert review.state == "published"
    page = unverified.get(f"/titles/{OPEN_SLUG}/reviews/").content.decode()
    assert f'id="review-{review.pk}"' in page
    assert "like slow burns" in page
    assert "Worth it for the art alone." in page


def test_a_new_accounts_review_waits_and_only_its_writer_sees_it(
    make_reader: Callable[..., User], unverified: Client
) -> None:
    writer = make_reader("newcomer")
    _write(client_of(writer))
    review = Review.objects.get(user=writer)
    assert review.state == "pending"
    assert f'id="review-{review.pk}"' not in unverified.get(f"/titles/{OPEN_SLUG}/reviews/").content.decode()
    assert unverified.get(f"/reviews/{review.pk}/").status_code == 404
    own = client_of(writer).get(f"/titles/{OPEN_SLUG}/").content.decode()
    assert f'id="review-{review.pk}"' in own
    assert "Waiting for an editor" in own


def test_spoiler_blocks_fold_beyond_the_readers_progress_and_open_on_request(
    make_reader: Callable[..., User], unverified: Client
) -> None:
    writer = make_reader("writer", trusted=True)
    review = services.review_write(user=writer, title=Title.objects.get(slug=OPEN_SLUG), fields=fields())
    behind = client_of(make_reader("behind", chapters=3))
    caught_up = client_of(make_reader("caught", chapters=20))
    finished = client_of(make_reader("done", finished=True))
    url = f"/titles/{OPEN_SLUG}/reviews/"
    for client, sees in ((behind, False), (unverified, False), (caught_up, True), (finished, True)):
        page = client.get(url).content.decode()
        assert (SECRET in page) is sees, client
        assert "Spoiler · the resolution stage · chapter 20" in page
    folded = behind.get(url).content.decode()
    assert f'href="/reviews/{review.pk}/?open=1#review-{review.pk}-block-1"' in folded
    assert SECRET in behind.get(f"/reviews/{review.pk}/?open=1").content.decode()
    assert SECRET in unverified.get(f"/reviews/{review.pk}/blocks/1/").content.decode()
    assert unverified.get(f"/reviews/{review.pk}/blocks/2/").status_code == 404


def test_a_reader_whose_spoiler_setting_shows_everything_sees_the_blocks(make_reader: Callable[..., User]) -> None:
    writer = make_reader("writer", trusted=True)
    services.review_write(user=writer, title=Title.objects.get(slug=OPEN_SLUG), fields=fields())
    reader = make_reader("spoiled", chapters=1)
    reader.spoilers = "all"
    reader.save(update_fields=["spoilers"])
    assert SECRET in client_of(reader).get(f"/titles/{OPEN_SLUG}/reviews/").content.decode()


def test_a_block_without_a_chapter_counts_as_far_as_the_writer_had_read(make_reader: Callable[..., User]) -> None:
    writer = make_reader("writer", trusted=True)
    body = ":::spoiler drift\nShe starts to drift.\n:::"
    services.review_write(
        user=writer,
        title=Title.objects.get(slug=OPEN_SLUG),
        fields=fields(body=body, finished=False, reached_chapter=12),
    )
    assert (
        "She starts to drift."
        not in client_of(make_reader("at11", chapters=11)).get(f"/titles/{OPEN_SLUG}/reviews/").content.decode()
    )
    assert (
        "She starts to drift."
        in client_of(make_reader("at12", chapters=12)).get(f"/titles/{OPEN_SLUG}/reviews/").content.decode()
    )


def test_a_body_that_does_not_read_is_a_400_on_the_form_and_nothing_is_saved(
    make_reader: Callable[..., User],
) -> None:
    writer = make_reader("writer", trusted=True)
    response = _write(client_of(writer), body=":::spoiler\nunclosed", score=11)
    assert response.status_code == 400
    page = response.content.decode()
    assert "the spoiler block opened here is not closed" in page
    assert "a whole number from 1 to 10" in page
    assert "unclosed" in page  # what was typed is kept in the form
    assert not Review.objects.filter(user=writer, title__slug=OPEN_SLUG).exists()


def test_editing_keeps_one_review_and_adds_to_its_history(make_reader: Callable[..., User]) -> None:
    writer = make_reader("writer", trusted=True)
    client = client_of(writer)
    _write(client)
    _write(client, score=6, verdict="mixed")
    review = Review.objects.get(user=writer, title__slug=OPEN_SLUG)
    assert (review.score, review.verdict) == (6, "mixed")
    assert [r.fields["score"] for r in ReviewRevision.objects.filter(review=review)] == [6, 8]
    history = client.get(f"/reviews/{review.pk}/history/")
    assert history.status_code == 200
    assert client_of(make_reader("other")).get(f"/reviews/{review.pk}/history/").status_code == 404


def test_an_editor_rejects_with_a_reason_the_writer_reads_and_the_log_keeps(
    make_reader: Callable[..., User], editor_client: Client, editor: User
) -> None:
    writer = make_reader("newcomer")
    _write(client_of(writer))
    review = Review.objects.get(user=writer)
    queue = editor_client.get("/moderation/")
    assert queue.status_code == 200
    assert f'id="review-{review.pk}"' in queue.content.decode()
    assert SECRET in queue.content.decode()  # an editor judges the whole text
    response = editor_client.post(
        f"/moderation/reviews/{review.pk}/", {"action": "reject", "reason": "Mark the ending as a spoiler."}
    )
    assert response.status_code == 302
    seen = client_of(writer).get(f"/titles/{OPEN_SLUG}/reviews/").content.decode()
    assert 'Rejected by an editor: <span dir="auto">Mark the ending as a spoiler.</span>' in seen
    event = ModerationEvent.objects.filter(review=review, action=Action.REJECTED).get()
    assert (event.actor, event.reason) == (editor, "Mark the ending as a spoiler.")
    assert "Mark the ending as a spoiler." in editor_client.get("/moderation/log/").content.decode()
    assert editor_client.post(f"/moderation/reviews/{review.pk}/", {"action": "reject"}).status_code == 400


def test_a_rejected_review_edited_by_a_trusted_writer_waits_again(
    make_reader: Callable[..., User], editor: User
) -> None:
    writer = make_reader("writer", trusted=True)
    review = services.review_write(user=writer, title=Title.objects.get(slug=OPEN_SLUG), fields=fields())
    services.review_reject(editor=editor, review=review, reason="no")
    _write(client_of(writer), score=5)
    assert Review.objects.get(pk=review.pk).state == "pending"


def test_the_moderation_pages_are_not_there_for_readers(make_reader: Callable[..., User], unverified: Client) -> None:
    reader = client_of(make_reader("reader1"))
    for url in ("/moderation/", "/moderation/log/"):
        assert reader.get(url).status_code == 404
        assert unverified.get(url).status_code == 302  # sign in first
    assert reader.post("/moderation/reviews/1/", {"action": "approve"}).status_code == 404


def test_a_report_reaches_the_queue_and_upholding_it_takes_the_review_down(
    make_reader: Callable[..., User], editor_client: Client, unverified: Client
) -> None:
    writer = make_reader("writer", trusted=True)
    review = services.review_write(user=writer, title=Title.objects.get(slug=OPEN_SLUG), fields=fields())
    reporter = client_of(make_reader("reporter"))
    response = reporter.post(f"/reviews/{review.pk}/report/", {"reason": "unmarked-spoiler", "note": "para 1"})
    assert response.status_code == 200
    assert reporter.post(f"/reviews/{review.pk}/report/", {"reason": "spam"}).status_code == 409
    assert reporter.post(f"/reviews/{review.pk}/report/", {"reason": "nonsense"}).status_code == 400
    assert "para 1" in editor_client.get("/moderation/").content.decode()
    editor_client.post(f"/moderation/reviews/{review.pk}/", {"action": "reject", "reason": "Unmarked spoilers."})
    assert unverified.get(f"/reviews/{review.pk}/").status_code == 404
    assert review.reports.get().state == "upheld"


def test_helpful_votes_rank_and_a_writer_cannot_vote_on_their_own(make_reader: Callable[..., User]) -> None:
    writer = make_reader("writer", trusted=True)
    review = services.review_write(user=writer, title=Title.objects.get(slug=OPEN_SLUG), fields=fields())
    assert client_of(writer).post(f"/reviews/{review.pk}/helpful/", {"helpful": "yes"}).status_code == 403
    voter = client_of(make_reader("voter"))
    assert voter.post(f"/reviews/{review.pk}/helpful/", {"helpful": "yes"}).status_code == 302
    assert voter.post(f"/reviews/{review.pk}/helpful/", {"helpful": "no"}).status_code == 302
    review.refresh_from_db()
    assert (review.helpful_yes, review.helpful_no) == (0, 1)
    assert voter.post(f"/reviews/{review.pk}/helpful/", {"helpful": "maybe"}).status_code == 400


def test_the_writes_rate_limit_answers_429_and_saves_nothing(
    make_reader: Callable[..., User], settings: object
) -> None:
    settings.REVIEW_WRITES_PER_HOUR = 2  # type: ignore[attr-defined]
    writer = make_reader("writer", trusted=True)  # its first review was one write
    client = client_of(writer)
    assert _write(client).status_code == 302
    response = _write(client, score=3)
    assert response.status_code == 429
    assert "you have reached 2 review writes per hour; try again in" in response.content.decode()
    assert Review.objects.get(user=writer, title__slug=OPEN_SLUG).score == 8


def test_review_lists_leave_out_titles_the_readers_rules_hide_and_say_how_many(
    make_reader: Callable[..., User],
) -> None:
    writer = make_reader("writer", trusted=True)
    review = services.review_write(user=writer, title=Title.objects.get(slug=OPEN_SLUG), fields=fields())
    client = client_of(make_reader("avoider"))
    assert f'id="review-{review.pk}"' in client.get("/reviews/").content.decode()
    assert client.post("/settings/avoid/", {"rules": "long-distance-relationship"}).status_code == 302
    listing = client.get("/reviews/").content.decode()
    assert f'id="review-{review.pk}"' not in listing
    assert "A Ferry Song" not in listing
    assert "1 review of titles your avoid rules hide is not listed." in listing
    assert client.get("/api/v1/reviews").json()["hidden_by_rules"] == 1
    hidden = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Hidden by your avoid rules" in hidden
    assert f'href="/titles/{OPEN_SLUG}/?show=once"' in hidden  # the title page's own "show it once"
    assert "Hidden by your avoid rules" in client.get(f"/titles/{OPEN_SLUG}/reviews/").content.decode()
    assert client.get(f"/reviews/{review.pk}/blocks/1/").status_code == 404
    assert client.get(f"/api/v1/reviews/{review.pk}").status_code == 403  # as the catalog's API: the rule named


def test_the_data_export_holds_the_readers_reviews_as_written_and_deletion_keeps_the_log(
    make_reader: Callable[..., User], editor: User
) -> None:
    writer = make_reader("writer")
    client = client_of(writer)
    _write(client)
    review = Review.objects.get(user=writer, title__slug=OPEN_SLUG)
    services.review_reject(editor=editor, review=review, reason="Tag the drift block.")
    data = client.get("/settings/export.json").json()["reviews"]
    mine = next(r for r in data["reviews"] if r["title"] == OPEN_SLUG)
    assert (mine["body"], mine["state"], mine["rejection_reason"]) == (
        fields()["body"],
        "rejected",
        "Tag the drift block.",
    )
    assert data["left_out"] == {"age_gate": 0}
    assert client.post("/settings/delete/", {"password": "a-long-reader-password"}).status_code == 302
    assert not Review.objects.filter(pk=review.pk).exists()
    kept = ModerationEvent.objects.get(action=Action.REJECTED, reason="Tag the drift block.")
    assert (kept.review, kept.review_label) == (None, "writer on A Ferry Song for Two")
