"""Community classification: a reader's vote on one of a title's axes, and the consensus it may change.
Each vote is one transaction: the ballot is replaced, the consensus recounted (`consensus.py`), and when it
decides something new the title's profile is written through the catalog's own service with source
"community" (its history records the change; the change log tells the search index)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.catalog.models import SOURCE_COMMUNITY, Title, TitleAxisValue
from shuraba.catalog.services import title_axis_set
from shuraba.library.models import LibraryEntry, Status
from shuraba.reviews.consensus import Ballot, Consensus, consensus_of
from shuraba.reviews.models import FINISHED_ONLY_AXES, VOTED_AXES, ClassificationVote
from shuraba.reviews.services import ReviewRefused, _limit_check, _window
from shuraba.taxonomy.models import Axis

FINISHED = (Status.COMPLETED, Status.REREADING)


def _finished(user_ids: set[int], title_id: int) -> set[int]:
    rows = LibraryEntry.objects.filter(user_id__in=user_ids, title_id=title_id, status__in=FINISHED)
    return set(rows.values_list("user_id", flat=True))


def ballots_eligible(*, title_id: int, axis_key: str) -> dict[int, Ballot]:
    """Voter id -> ballot, for the ballots the consensus counts (old enough accounts; finished for the ending)."""
    oldest = timezone.now() - timedelta(days=settings.VOTE_ACCOUNT_DAYS)
    rows = ClassificationVote.objects.filter(title_id=title_id, axis=axis_key, user__date_joined__lte=oldest)
    ballots: dict[int, dict[str, float]] = defaultdict(dict)
    for user_id, value, weight in rows.values_list("user_id", "value", "weight"):
        ballots[user_id][value] = weight
    if axis_key in FINISHED_ONLY_AXES:
        finished = _finished(set(ballots), title_id)
        ballots = defaultdict(dict, {u: b for u, b in ballots.items() if u in finished})
    return dict(ballots)


def consensus_now(*, title_id: int, axis: Axis) -> Consensus | None:
    ballots = list(ballots_eligible(title_id=title_id, axis_key=axis.key).values())
    return consensus_of(kind=axis.kind, ballots=ballots, min_voters=settings.VOTE_MIN_VOTERS)


def _axis(axis_key: str) -> Axis:
    if axis_key not in VOTED_AXES:
        raise ReviewRefused(400, f"readers vote on {', '.join(VOTED_AXES)}, not {axis_key[:40]!r}")
    return Axis.objects.prefetch_related("values").get(key=axis_key)


def _ballot_check(axis: Axis, ballot: Mapping[str, float]) -> dict[str, float]:
    known = {v.key for v in axis.values.all()}
    unknown = sorted(set(ballot) - known)
    if unknown:
        raise ReviewRefused(
            400, f"{axis.key}: unknown value {unknown[0][:40]!r}; use one of {', '.join(sorted(known))}"
        )
    if not axis.is_multi and len(ballot) > 1:
        raise ReviewRefused(400, f"{axis.key} takes one value")
    checked = {}
    for value, given in ballot.items():
        weight = given if axis.kind == "weighted" else 1.0
        if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0.05 <= float(weight) <= 1.0:
            raise ReviewRefused(400, f"{axis.key}: the weight of {value} is a number from 0.05 to 1")
        checked[value] = float(weight)
    return checked


@transaction.atomic
def vote_cast(*, user: User, title: Title, axis_key: str, ballot: Mapping[str, float]) -> Consensus | None:
    """Replace the reader's ballot on one axis (an empty ballot withdraws it) and apply the consensus."""
    axis = _axis(axis_key)
    checked = _ballot_check(axis, ballot)
    if axis_key in FINISHED_ONLY_AXES and checked and not _finished({user.pk}, title.pk):
        raise ReviewRefused(
            403, "only readers who finished the title vote on its ending: mark it completed in your library"
        )
    hour = timedelta(hours=1)
    count, oldest = _window(ClassificationVote.objects.filter(user=user), window=hour)
    _limit_check(count, settings.REVIEW_VOTES_PER_HOUR, what="votes", per="hour", oldest=oldest, window=hour)
    ClassificationVote.objects.filter(user=user, title=title, axis=axis_key).delete()
    now = timezone.now()
    ClassificationVote.objects.bulk_create(
        ClassificationVote(user=user, title=title, axis=axis_key, value=v, weight=w, at=now) for v, w in checked.items()
    )
    return consensus_apply(title=title, axis=axis)


def axis_locked(*, title_id: int, axis_key: str) -> bool:
    return TitleAxisValue.objects.filter(title_id=title_id, axis__key=axis_key, locked=True).exists()


def consensus_apply(*, title: Title, axis: Axis) -> Consensus | None:
    """Write the consensus to the title's profile unless an editor locked the axis; returns the consensus."""
    consensus = consensus_now(title_id=title.pk, axis=axis)
    if consensus is None or axis_locked(title_id=title.pk, axis_key=axis.key):
        return consensus
    title_axis_set(
        title=title,
        axis_key=axis.key,
        values=consensus.values,
        source=SOURCE_COMMUNITY,
        confidence=consensus.confidence,
        reason=consensus.describe(),
    )
    return consensus
