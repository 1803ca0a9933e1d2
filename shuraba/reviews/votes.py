"""Community classification: a reader's vote on one of a title's axes, and the consensus it may change.
Each vote is one transaction: the ballot is replaced, the consensus recounted (`consensus.py`), and when it
decides something new the title's profile is written through the catalog's own service with source
"community" (its history records the change; the change log tells the search index)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.catalog.models import SOURCE_COMMUNITY, Title, TitleAxisValue
from shuraba.catalog.services import title_axis_set
from shuraba.library.models import LibraryEntry, Status
from shuraba.reviews.consensus import Consensus, consensus_of
from shuraba.reviews.models import FINISHED_ONLY_AXES, VOTED_AXES, ClassificationVote
from shuraba.reviews.services import HOUR, ReviewRefused, rate_check
from shuraba.taxonomy.models import Axis

FINISHED = (Status.COMPLETED, Status.REREADING)


def _finished(user_ids: set[int], title_id: int) -> set[int]:
    rows = LibraryEntry.objects.filter(user_id__in=user_ids, title_id=title_id, status__in=FINISHED)
    return set(rows.values_list("user_id", flat=True))


@dataclass(frozen=True)
class Tally:
    """One axis's ballots as the consensus counts them: how many eligible voters, the weights given to each
    value by them, and how many voters in all (ballots not counted yet included)."""

    voters: int
    chosen: dict[str, list[float]]
    every_voter: int


def _eligible(title_id: int) -> QuerySet[ClassificationVote]:
    """The votes whose ballots count: old enough accounts; for the ending, voters who finished the title."""
    oldest = timezone.now() - timedelta(days=settings.VOTE_ACCOUNT_DAYS)
    finished = LibraryEntry.objects.filter(user=OuterRef("user"), title_id=title_id, status__in=FINISHED)
    rows = ClassificationVote.objects.filter(title_id=title_id, user__date_joined__lte=oldest)
    return rows.filter(~Q(axis__in=FINISHED_ONLY_AXES) | Exists(finished))


# Tallies a worker remembers, keyed by what they are counted from: the title's votes (how many, the newest)
# and a time bucket, since ballots become eligible as accounts age and as voters finish the title.
TALLY_BUCKET_S = 300
_VOTES = ClassificationVote._meta.db_table
# Two subqueries, each answered from the (title, at) index alone: the one aggregate over both columns read
# every row (2.7 ms for a title with 5,000 votes, against 0.4).
VOTES_NOW_SQL = (
    f"SELECT (SELECT COUNT(*) FROM {_VOTES} WHERE title_id = %s), (SELECT MAX(at) FROM {_VOTES} WHERE title_id = %s)"  # noqa: S608 (a table name from model meta)
)
_TALLIES: dict[tuple[Any, ...], dict[str, Tally]] = {}


def title_tally(*, title_id: int, axis_keys: tuple[str, ...], weighted: tuple[str, ...] = ()) -> dict[str, Tally]:
    """Each axis's tally, counted in the database (a title with 5,000 votes reads a few dozen rows), and
    remembered until a vote on the title changes or the time bucket turns; the weights are read only for the
    `weighted` axes, whose consensus takes their median."""
    with connection.cursor() as cursor:
        cursor.execute(VOTES_NOW_SQL, [title_id, title_id])
        count, newest = cursor.fetchone()
    key = (title_id, axis_keys, weighted, count, newest, int(time.time() // TALLY_BUCKET_S))
    held = _TALLIES.get(key)
    if held is None:
        if len(_TALLIES) > 4096:
            _TALLIES.clear()
        held = _TALLIES[key] = _tally(title_id, axis_keys, weighted)
    return held


def _tally(title_id: int, axis_keys: tuple[str, ...], weighted: tuple[str, ...]) -> dict[str, Tally]:
    eligible = _eligible(title_id).filter(axis__in=axis_keys).order_by()
    voters = dict(eligible.values_list("axis").annotate(n=Count("user", distinct=True)))
    every = ClassificationVote.objects.filter(title_id=title_id, axis__in=axis_keys).order_by()
    every_voter = dict(every.values_list("axis").annotate(n=Count("user", distinct=True)))
    chosen: dict[str, dict[str, list[float]]] = defaultdict(dict)
    plain = [key for key in axis_keys if key not in weighted]
    for axis, value, n in eligible.filter(axis__in=plain).values_list("axis", "value").annotate(n=Count("pk")):
        chosen[axis][value] = [1.0] * n
    for axis, value, weight in eligible.filter(axis__in=weighted).values_list("axis", "value", "weight"):
        chosen[axis].setdefault(value, []).append(weight)
    return {key: Tally(voters.get(key, 0), chosen[key], every_voter.get(key, 0)) for key in axis_keys}


def consensus_over(axis: Axis, tally: Tally) -> Consensus | None:
    return consensus_of(kind=axis.kind, voters=tally.voters, chosen=tally.chosen, min_voters=settings.VOTE_MIN_VOTERS)


def consensus_now(*, title_id: int, axis: Axis) -> Consensus | None:
    weighted = (axis.key,) if axis.kind == "weighted" else ()
    return consensus_over(axis, title_tally(title_id=title_id, axis_keys=(axis.key,), weighted=weighted)[axis.key])


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
    rows = ClassificationVote.objects.filter(user=user)
    rate_check(rows, limit=settings.REVIEW_VOTES_PER_HOUR, what="votes", window=HOUR, per="hour")
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
