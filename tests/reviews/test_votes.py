"""Community classification: the consensus rule, the editor's lock and the title's history agree (a property
test over random ballots), and the title page and the search facets show a new consensus on the next request."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuraba.accounts.models import User
from shuraba.catalog.models import SOURCE_COMMUNITY, ChangeRecord, Title, TitleAxisValue
from shuraba.catalog.services import title_axis_lock
from shuraba.reviews import votes
from shuraba.reviews.consensus import ballots_chosen, consensus_of
from shuraba.reviews.models import ClassificationVote
from shuraba.reviews.services import ReviewRefused
from shuraba.taxonomy.models import Axis
from tests.reviews.conftest import OPEN_SLUG, client_of


def _voters(make_reader: Callable[..., User], count: int, *, prefix: str = "v") -> list[User]:
    users = [make_reader(f"{prefix}{i}") for i in range(count)]
    User.objects.filter(pk__in=[u.pk for u in users]).update(date_joined=timezone.now() - timedelta(days=30))
    return list(User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk"))


def _decide(kind: str, ballots: list[dict[str, float]], min_voters: int) -> Any:
    return consensus_of(kind=kind, voters=len(ballots), chosen=ballots_chosen(ballots), min_voters=min_voters)


def test_the_rule_needs_enough_voters_and_a_supermajority() -> None:
    one = [{"rival": 1.0}] * 4
    assert _decide("single", one, 5) is None
    split = [{"rival": 1.0}] * 3 + [{"betrayed": 1.0}] * 3
    assert _decide("single", split, 5) is None  # 50% is not 60%
    decided = _decide("single", [*split, {"rival": 1.0}, {"rival": 1.0}], 5)
    assert decided is not None
    assert (decided.values, decided.confidence) == ({"rival": 1.0}, 0.625)
    weighted = [{"revenge": 1.0, "netorare": 0.5}, {"revenge": 0.5}, {"revenge": 0.75}, {"netorare": 1.0}]
    both = _decide("weighted", weighted, 4)
    assert both is not None
    assert both.values == {"netorare": 0.75, "revenge": 0.75}


def test_five_aged_voters_decide_and_the_page_and_the_search_see_it_at_once(
    make_reader: Callable[..., User], unverified: Client
) -> None:
    title = Title.objects.get(slug=OPEN_SLUG)
    before = unverified.get("/api/v1/search?perspective=multiple&per_page=100").json()["total"]
    new = make_reader("newcomer")  # a fresh account's ballot waits
    votes.vote_cast(user=new, title=title, axis_key="perspective", ballot={"multiple": 1.0})
    for user in _voters(make_reader, 5):
        votes.vote_cast(user=user, title=title, axis_key="perspective", ballot={"multiple": 1.0})
    row = TitleAxisValue.objects.get(title=title, axis__key="perspective")
    assert (row.value.key, row.source) == ("multiple", SOURCE_COMMUNITY)
    record = ChangeRecord.objects.filter(title=title, field="perspective", source=SOURCE_COMMUNITY).get()
    assert record.reason == "community consensus of 5 voters"
    page = unverified.get(f"/titles/{OPEN_SLUG}/").content.decode()
    assert "5 voters (and 1 not counted yet) · the community says: Multiple" in page
    found = unverified.get("/api/v1/search?perspective=multiple&per_page=100").json()
    assert found["total"] == before + 1
    assert OPEN_SLUG in [t["slug"] for t in found["items"]]


def test_an_editors_lock_wins_over_any_number_of_votes(make_reader: Callable[..., User], editor: User) -> None:
    title = Title.objects.get(slug=OPEN_SLUG)
    current = set(
        TitleAxisValue.objects.filter(title=title, axis__key="centrality").values_list("value__key", "source")
    )
    title_axis_lock(title=title, axis_key="centrality", locked=True, actor=editor)
    for user in _voters(make_reader, 6):
        votes.vote_cast(user=user, title=title, axis_key="centrality", ballot={"core": 1.0})
    after = set(TitleAxisValue.objects.filter(title=title, axis__key="centrality").values_list("value__key", "source"))
    assert after == current
    assert not ChangeRecord.objects.filter(title=title, field="centrality", source=SOURCE_COMMUNITY).exists()


def test_only_readers_who_finished_vote_on_the_ending(make_reader: Callable[..., User]) -> None:
    title = Title.objects.get(slug=OPEN_SLUG)
    with pytest.raises(ReviewRefused, match="only readers who finished"):
        votes.vote_cast(user=make_reader("reading", chapters=3), title=title, axis_key="ending", ballot={"open": 1})
    votes.vote_cast(user=make_reader("done", finished=True), title=title, axis_key="ending", ballot={"open": 1})


@pytest.mark.parametrize(
    ("axis", "ballot", "words"),
    [
        ("intensity", {"3": 1.0}, "readers vote on centrality"),
        ("perspective", {"sideways": 1.0}, "unknown value 'sideways'"),
        ("perspective", {"rival": 1.0, "betrayed": 1.0}, "takes one value"),
        ("subgenre", {"revenge": 2.0}, "a number from 0.05 to 1"),
    ],
)
def test_a_ballot_that_does_not_read_is_refused(
    make_reader: Callable[..., User], axis: str, ballot: dict[str, float], words: str
) -> None:
    with pytest.raises(ReviewRefused, match=words):
        votes.vote_cast(user=make_reader("x"), title=Title.objects.get(slug=OPEN_SLUG), axis_key=axis, ballot=ballot)


def test_voting_through_the_title_page(make_reader: Callable[..., User]) -> None:
    client = client_of(make_reader("voter"))
    response = client.post(
        f"/titles/{OPEN_SLUG}/votes/", {"axis": "subgenre", "value": ["revenge"], "weight-revenge": "0.5"}
    )
    assert response.status_code == 302
    page = client.get(f"/titles/{OPEN_SLUG}/").content.decode()
    assert 'name="value" value="revenge" checked' in page
    assert client.post(f"/titles/{OPEN_SLUG}/votes/", {"axis": "subgenre", "value": ["x"]}).status_code == 400


def _naive(title: Title, axis: Axis) -> Any:
    """The consensus from every aged voter's whole ballot, read row by row (the rule as written)."""
    oldest = timezone.now() - timedelta(days=7)
    ballots: dict[int, dict[str, float]] = {}
    for vote in ClassificationVote.objects.filter(title=title, axis=axis.key).select_related("user"):
        if vote.user.date_joined <= oldest:
            ballots.setdefault(vote.user_id, {})[vote.value] = vote.weight
    return _decide(axis.kind, list(ballots.values()), 5)


BALLOTS = st.lists(
    st.tuples(
        st.integers(0, 6),  # which voter
        st.sampled_from(["subgenre", "perspective"]),
        st.dictionaries(
            st.sampled_from(["netorare", "revenge", "betrayed", "rival"]), st.sampled_from([0.25, 0.5, 1.0]), max_size=2
        ),
        st.booleans(),  # the editor locks or unlocks the axis first
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=BALLOTS)
def test_consensus_lock_and_history_agree(make_reader: Callable[..., User], editor: User, steps: list) -> None:
    title = Title.objects.get(slug=OPEN_SLUG)
    voters = list(User.objects.filter(username__startswith="p-").order_by("pk")) or _voters(make_reader, 7, prefix="p-")
    valid = {"subgenre": {"netorare", "revenge"}, "perspective": {"betrayed", "rival"}}
    for who, axis_key, raw, toggle in steps:
        axis = Axis.objects.get(key=axis_key)
        ballot = {k: w for k, w in raw.items() if k in valid[axis_key]}
        if axis_key == "perspective":
            ballot = dict(list(ballot.items())[:1])
        if toggle:
            locked = votes.axis_locked(title_id=title.pk, axis_key=axis_key)
            title_axis_lock(title=title, axis_key=axis_key, locked=not locked, actor=editor)
        before = dict(TitleAxisValue.objects.filter(title=title, axis=axis).values_list("value__key", "weight"))
        history = ChangeRecord.objects.filter(title=title, field=axis_key, source=SOURCE_COMMUNITY).count()
        locked = votes.axis_locked(title_id=title.pk, axis_key=axis_key)
        consensus = votes.vote_cast(user=voters[who], title=title, axis_key=axis_key, ballot=ballot)
        assert consensus == votes.consensus_now(title_id=title.pk, axis=axis)
        assert consensus == _naive(title, axis)  # the database's tally is the rule over whole ballots
        after = dict(TitleAxisValue.objects.filter(title=title, axis=axis).values_list("value__key", "weight"))
        grew = ChangeRecord.objects.filter(title=title, field=axis_key, source=SOURCE_COMMUNITY).count() - history
        if locked or consensus is None:
            assert (after, grew) == (before, 0)  # a lock wins; no consensus changes nothing
        else:
            assert after == consensus.values
            assert grew in (0, 1)
            assert grew == 1 or after == before
            assert set(TitleAxisValue.objects.filter(title=title, axis=axis).values_list("source", flat=True)) == {
                SOURCE_COMMUNITY
            }


def test_votes_over_the_api(make_reader: Callable[..., User], unverified: Client) -> None:
    user = make_reader("api-voter")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/settings/")
    csrf = {"X-CSRFToken": client.cookies["csrftoken"].value}
    url = f"/api/v1/titles/{OPEN_SLUG}/votes"

    def put(axis: str, body: object) -> Any:
        return client.put(f"{url}/{axis}", json.dumps(body), content_type="application/json", headers=csrf)

    voted = put("subgenre", {"values": {"revenge": 0.5}})
    assert voted.status_code == 200
    subgenre = next(a for a in voted.json()["axes"] if a["axis"] == "subgenre")
    assert (subgenre["mine"], subgenre["waiting"]) == ({"revenge": 0.5}, 1)  # a new account's ballot waits
    assert put("subgenre", {"values": {"revenge": 5}}).status_code == 400
    assert put("subgenre", {"vote": "revenge"}).status_code == 400
    assert put("ending", {"values": {"open": 1}}).status_code == 403
    assert unverified.put(f"{url}/subgenre", "{}", content_type="application/json").status_code == 401
    ending = next(a for a in unverified.get(url).json()["axes"] if a["axis"] == "ending")
    assert (ending["hidden"], ending["counts"], ending["consensus"]) == (True, {}, [])


def test_the_ending_votes_show_when_the_title_page_reveals_the_ending(unverified: Client) -> None:
    hidden = unverified.get(f"/titles/{OPEN_SLUG}/").content.decode()
    shown = unverified.get(f"/titles/{OPEN_SLUG}/?reveal=resolution").content.decode()
    ending = 'id="vote-ending"'
    assert "the votes on this axis would tell it" in hidden.split(ending)[1]
    assert "the votes on this axis would tell it" not in shown.split(ending)[1]
