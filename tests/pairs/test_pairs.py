"""'If you liked X, try Y': pairs on both titles' pages and over the API, through the one policy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from shuraba.accounts.models import User
from shuraba.accounts.policies import Visibility
from shuraba.catalog.models import Title
from shuraba.pairs import services
from shuraba.pairs.models import Pair, PairReason, PairVote
from tests.lists.conftest import client_of, tragic_and_not

REASON = "Both stay with the one who was left, and neither hurries the ending."


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body) if body is not None else ""
    return getattr(client, method)(url, data=data, content_type="application/json")


def _rules(client: Client, *rules: str) -> None:
    assert _send(client, "put", "/api/v1/me/avoid-rules", {"rules": list(rules), "presets": []}).status_code == 200


def _propose(user: User, title: Title, other: Title, reason: str = REASON) -> Pair:
    adult = Visibility(hidden_ratings=frozenset())  # past the age gate
    return services.pair_propose(user=user, visibility=adult, title=title, other=other, reason=reason)


def test_a_pair_proposed_on_one_title_shows_on_both_with_its_reason(reader: User, reader_client: Client) -> None:
    _, (one, two) = tragic_and_not(2)
    sent = reader_client.post(f"/titles/{one.slug}/pairs/new/", {"other": two.title, "reason": REASON})
    assert sent.status_code == 302
    pair = Pair.objects.get()
    assert sent["Location"] == f"/titles/{one.slug}/#pair-{pair.pk}"
    assert (pair.up, pair.down) == (1, 0)  # proposing is voting for it
    for here, there in ((one, two), (two, one)):
        html = Client().get(f"/titles/{here.slug}/").content.decode()
        section = html[html.index('id="pairs"') :]
        assert f'href="/titles/{there.slug}/"' in section
        assert REASON in section
        assert "1 for, 0 against" in section


def test_votes_rank_pairs_best_first_and_a_vote_can_be_taken_back(reader: User, editor: User) -> None:
    _, (one, two, three) = tragic_and_not(3)
    weak, strong = _propose(reader, one, two), _propose(editor, one, three)
    voter = User.objects.create_user("voter", password="a-long-voter-password")
    voting = client_of(voter)
    assert voting.post(f"/pairs/{strong.pk}/vote/", {"vote": "for", "back": one.slug}).status_code == 302
    assert voting.post(f"/pairs/{weak.pk}/vote/", {"vote": "against", "back": one.slug}).status_code == 302
    body = Client().get(f"/api/v1/titles/{one.slug}/pairs").json()
    assert [p["id"] for p in body["pairs"]] == [strong.pk, weak.pk]
    assert [(p["votes_for"], p["votes_against"]) for p in body["pairs"]] == [(2, 0), (1, 1)]
    voting.post(f"/pairs/{weak.pk}/vote/", {"vote": "none", "back": one.slug})
    assert PairVote.objects.get(user=voter, pair=weak).up is None  # taken back (the row stays for the limit)
    assert Pair.objects.get(pk=weak.pk).down == 0
    assert voting.get(f"/api/v1/titles/{one.slug}/pairs").json()["pairs"][0]["my_vote"] == "for"


def test_a_pair_whose_other_title_the_rules_hide_is_left_out_and_counted(reader: User, editor: User) -> None:
    (tragic,), (one, two) = tragic_and_not(1)[0], tragic_and_not(2)[1]
    _propose(editor, one, tragic, "Readers who want the worst outcome, told plainly, find it in the other.")
    _propose(editor, one, two)
    reader_client = client_of(reader)
    _rules(reader_client, "ending:tragedy")
    body = reader_client.get(f"/api/v1/titles/{one.slug}/pairs").json()
    assert [p["title"] for p in body["pairs"]] == [two.slug]
    assert (body["total"], body["hidden_by_rules"]) == (1, 1)
    assert body["hidden_per_rule"] == [{"rule": "ending:tragedy", "count": 1}]
    html = reader_client.get(f"/titles/{one.slug}/").content.decode()
    assert "1 pair left out: your avoid rules hide the other title." in html
    assert tragic.title not in json.dumps(body, ensure_ascii=False)
    assert f"/titles/{tragic.slug}/" not in html
    assert "worst outcome" not in html
    # the hidden title's own pairs answer as the title does: hidden by the rule, no pair named
    assert reader_client.get(f"/api/v1/titles/{tragic.slug}/pairs").status_code == 403


def test_a_pair_with_a_title_behind_the_age_gate_is_neither_shown_nor_counted(
    editor: User, gated_title: Title, unverified: Client, adult: Client
) -> None:
    _, (one,) = tragic_and_not(1)
    pair = _propose(editor, one, gated_title)
    body = unverified.get(f"/api/v1/titles/{one.slug}/pairs").json()
    assert (body["pairs"], body["total"], body["hidden_by_rules"]) == ([], 0, 0)
    assert gated_title.title not in unverified.get(f"/titles/{one.slug}/").content.decode()
    assert unverified.get(f"/api/v1/titles/{gated_title.slug}/pairs").status_code == 404
    assert [p["id"] for p in adult.get(f"/api/v1/titles/{one.slug}/pairs").json()["pairs"]] == [pair.pk]


def test_a_reader_cannot_pair_a_title_behind_their_age_gate(reader_client: Client, gated_title: Title) -> None:
    _, (one,) = tragic_and_not(1)
    sent = _send(
        reader_client, "post", f"/api/v1/titles/{one.slug}/pairs", {"other": gated_title.slug, "reason": REASON}
    )
    assert sent.status_code == 400  # not found by that name, as if it did not exist
    assert not Pair.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"other": "__self__", "reason": REASON}, 400, "not with itself"),
        ({"other": "__two__", "reason": "good"}, 400, "a sentence or two"),
        ({"other": "__two__", "reason": "x" * 1001}, 400, "at most 1000 characters"),
        ({"other": "__two__", "reason": "A fine reason\x00 with a NUL."}, 400, "NUL"),
        ({"other": "__two__", "reason": 5}, 400, "reason: text"),
        ({"other": "__two__", "reason": REASON, "score": 3}, 400, "other and reason"),
        ({"other": 7, "reason": REASON}, 400, "slug or name"),
        ({"other": "no-such-title-anywhere-qq", "reason": REASON}, 400, "nothing is called"),
        ("not json", 400, "not JSON"),
    ],
)
def test_a_bad_proposal_is_a_4xx_naming_the_field_and_saves_nothing(
    reader_client: Client, body: Any, status: int, words: str
) -> None:
    _, (one, two) = tragic_and_not(2)
    if isinstance(body, dict):
        body = {
            k: {"__self__": one.slug, "__two__": two.slug}.get(v, v) if isinstance(v, str) else v
            for k, v in body.items()
        }
    sent = _send(reader_client, "post", f"/api/v1/titles/{one.slug}/pairs", body)
    assert sent.status_code == status, sent.content
    assert words in sent.json()["detail"]
    assert not Pair.objects.exists()
    assert not PairReason.objects.exists()


def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(reader_client: Client) -> None:
    _, (one,) = tragic_and_not(1)
    sent = reader_client.post(f"/titles/{one.slug}/pairs/new/", {"other": one.slug, "reason": "Typed words here."})
    assert sent.status_code == 400
    html = sent.content.decode()
    assert "not with itself" in html
    assert "Typed words here." in html
    assert not Pair.objects.exists()


def test_writes_need_a_reader_and_the_api_says_how(unverified: Client) -> None:
    _, (one,) = tragic_and_not(1)
    sent = _send(unverified, "post", f"/api/v1/titles/{one.slug}/pairs", {"other": "x", "reason": REASON})
    assert sent.status_code == 401
    assert sent.json()["detail"].startswith("sign in to ")
    assert unverified.post(f"/titles/{one.slug}/pairs/new/", {"other": "x"}).status_code == 302
    assert _send(unverified, "put", "/api/v1/pairs/1/vote", {"vote": "for"}).status_code == 401


@override_settings(PAIRS_PER_DAY=2)
def test_the_daily_limit_answers_429_and_a_rewrite_does_not_count(reader: User, reader_client: Client) -> None:
    _, (one, two, three, four) = tragic_and_not(4)
    url = f"/api/v1/titles/{one.slug}/pairs"
    for other in (two, three, two):  # the third rewrites the first's reason
        assert _send(reader_client, "post", url, {"other": other.slug, "reason": REASON}).status_code == 201
    refused = _send(reader_client, "post", url, {"other": four.slug, "reason": REASON})
    assert refused.status_code == 429
    assert "2 pairs per day" in refused.json()["detail"]
    assert PairReason.objects.filter(user=reader).count() == 2


def test_taking_the_last_reason_back_removes_the_pair_and_an_editor_may_remove_any(
    reader: User, editor: User, reader_client: Client
) -> None:
    _, (one, two) = tragic_and_not(2)
    pair = _propose(reader, one, two)
    _propose(editor, one, two, "Another reader's reason, with its own words.")
    assert _send(reader_client, "delete", f"/api/v1/pairs/{pair.pk}/reason").status_code == 204
    assert Pair.objects.get(pk=pair.pk).up == 1  # the reader's vote went with their reason
    assert _send(reader_client, "delete", f"/api/v1/pairs/{pair.pk}/reason").status_code == 404
    other = client_of(User.objects.create_user("other", password="a-long-other-password"))
    refused = other.post(f"/pairs/{pair.pk}/reason/delete/", {"writer": "ed", "back": one.slug})
    assert refused.status_code == 403
    assert PairReason.objects.filter(pair=pair).exists()
    gone = client_of(editor).post(f"/pairs/{pair.pk}/reason/delete/", {"writer": "ed", "back": two.slug})
    assert gone["Location"] == f"/titles/{two.slug}/#pairs"
    assert not Pair.objects.filter(pk=pair.pk).exists()


def test_a_vote_returns_only_to_one_of_the_pairs_titles(reader: User, reader_client: Client) -> None:
    _, (one, two) = tragic_and_not(2)
    pair = _propose(reader, one, two)
    sent = reader_client.post(f"/pairs/{pair.pk}/vote/", {"vote": "for", "back": "https://evil.example/"})
    assert sent["Location"].startswith(f"/titles/{pair.low.slug}/")
    assert reader_client.post(f"/pairs/{pair.pk}/vote/", {"vote": "maybe"}).status_code == 400
    assert reader_client.post("/pairs/999999/vote/", {"vote": "for"}).status_code == 404


def test_the_pairs_page_lists_every_pair_and_the_export_carries_the_readers(
    reader: User, reader_client: Client
) -> None:
    _, titles = tragic_and_not(7)
    for other in titles[1:]:
        _propose(reader, titles[0], other)
    html = Client().get(f"/titles/{titles[0].slug}/pairs/").content.decode()
    assert all(f'href="/titles/{t.slug}/"' in html for t in titles[1:])
    page = Client().get(f"/titles/{titles[0].slug}/").content.decode()
    assert f"All {len(titles) - 1} suggestions" in page
    exported = reader_client.get("/settings/export.json").json()["pairs"]
    assert len(exported["reasons"]) == len(exported["votes"]) == len(titles) - 1
    assert exported["reasons"][0]["reason"] == REASON


def test_a_reason_is_measured_as_kept_so_a_browsers_line_ends_do_not_refuse_it(reader_client: Client) -> None:
    _, (one, two) = tragic_and_not(2)
    typed = "Line.\r\n" * 160  # 1,120 characters as a browser sends them, 960 as kept
    sent = reader_client.post(f"/titles/{one.slug}/pairs/new/", {"other": two.slug, "reason": typed})
    assert sent.status_code == 302
    assert PairReason.objects.get().text == ("Line.\n" * 160).strip()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('{"vote": []}', "for"),
        ('{"vote": {"a": 1}}', "for"),
        ('{"vote": "yes"}', "for"),
        ('{"vote": "\\ud800"}', "broken character"),
    ],
)
def test_a_bad_vote_is_a_400(reader: User, reader_client: Client, body: str, words: str) -> None:
    _, (one, two) = tragic_and_not(2)
    pair = _propose(reader, one, two)
    sent = _send(reader_client, "put", f"/api/v1/pairs/{pair.pk}/vote", body)
    assert sent.status_code == 400
    assert words in sent.json()["detail"]


def test_a_broken_character_in_a_proposal_is_a_400_not_a_server_error(reader_client: Client) -> None:
    _, (one, two) = tragic_and_not(2)
    url = f"/api/v1/titles/{one.slug}/pairs"
    for body in ('{"other": "\\ud800", "reason": "long enough"}', '{"other": "%s", "reason": "ok \\udfff ok ok"}'):
        sent = _send(reader_client, "post", url, body.replace("%s", two.slug))
        assert sent.status_code == 400
        assert "broken character" in sent.json()["detail"]
    assert not Pair.objects.exists()


def test_a_reader_cannot_pair_a_title_their_rules_hide(reader_client: Client) -> None:
    (tragic,), (one,) = tragic_and_not(1)
    _rules(reader_client, "ending:tragedy")
    sent = _send(reader_client, "post", f"/api/v1/titles/{one.slug}/pairs", {"other": tragic.slug, "reason": REASON})
    assert sent.status_code == 400
    assert "Hidden by your avoid rule “ending:tragedy”" in sent.json()["detail"]
    assert not Pair.objects.exists()


def test_a_title_the_rules_hide_is_never_offered_by_name(reader_client: Client) -> None:
    """Typing part of a name several titles share offers only those the reader's rules show."""
    _rules(reader_client, "ending:tragedy")
    tragic_names = set(_tragic_names())
    cases = 0
    for name in sorted(tragic_names):
        for word in (w for w in name.split() if len(w) >= 4):
            body = {"other": word, "reason": REASON}
            sent = _send(reader_client, "post", f"/api/v1/titles/{OPEN}/pairs", body)
            detail = sent.json().get("detail", "") if sent.status_code == 400 else ""
            if "could be several titles" in detail:
                cases += 1
                assert not [n for n in tragic_names if n in detail], detail
                if name.casefold() != word.casefold():
                    assert "your avoid rules hide" in detail or name not in detail
    assert cases, "the sample needs a word several titles share, one of them tragic"


OPEN = "a-ferry-song-for-two"


def _tragic_names() -> list[str]:
    tragic, _ = tragic_and_not(1)
    teen = Title.objects.filter(content_rating__in=["teen", "all-ages", "mature"])
    return list(
        teen.filter(axis_values__axis__key="ending", axis_values__value__key="tragedy").values_list("title", flat=True)
    ) or [tragic[0].title]


def test_only_an_editor_may_name_another_writer_and_no_one_learns_which_names_exist(
    reader: User, reader_client: Client
) -> None:
    _, (one, two) = tragic_and_not(2)
    pair = _propose(reader, one, two)
    for name in ("ed", "no-such-reader-anywhere", "bad\x00name"):
        refused = reader_client.post(f"/pairs/{pair.pk}/reason/delete/", {"writer": name})
        assert refused.status_code == 403, name


def test_an_editors_removal_takes_the_writers_vote_with_the_reason(reader: User, editor: User) -> None:
    _, (one, two) = tragic_and_not(2)
    pair = _propose(reader, one, two)
    _propose(editor, one, two, "The editor's own reason, long enough.")
    assert Pair.objects.get(pk=pair.pk).up == 2
    services.pair_reason_delete(user=editor, pair=pair, writer=reader)
    assert (Pair.objects.get(pk=pair.pk).up, PairVote.objects.filter(user=reader).exists()) == (1, False)


def test_a_deleted_account_leaves_no_stale_count_and_no_reasonless_pair(reader: User, editor: User) -> None:
    _, (one, two, three) = tragic_and_not(3)
    alone, shared = _propose(reader, one, two), _propose(reader, one, three)
    _propose(editor, one, three, "Another reader agrees, in words.")
    services.pair_vote(user=editor, pair=alone, up=False)
    client = client_of(reader)
    assert client.post("/settings/delete/", {"password": "a-long-reader-password"}).status_code == 302
    assert not Pair.objects.filter(pk=alone.pk).exists()
    assert (Pair.objects.get(pk=shared.pk).up, Pair.objects.get(pk=shared.pk).down) == (1, 0)


@override_settings(REVIEW_VOTES_PER_HOUR=3)
def test_a_vote_taken_back_still_counts_against_the_hourly_limit(reader: User, editor: User) -> None:
    _, titles = tragic_and_not(5)
    pairs = [_propose(editor, titles[0], other) for other in titles[1:]]
    voter = client_of(reader)
    for pair in pairs[:3]:
        assert voter.post(f"/pairs/{pair.pk}/vote/", {"vote": "for"}).status_code == 302
    assert voter.post(f"/pairs/{pairs[0].pk}/vote/", {"vote": "none"}).status_code == 429
    assert voter.post(f"/pairs/{pairs[3].pk}/vote/", {"vote": "for"}).status_code == 429
    assert Pair.objects.get(pk=pairs[3].pk).up == 1
