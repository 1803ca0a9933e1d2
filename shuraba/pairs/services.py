"""Pair writes, each one transaction: a reader proposes a pair with a reason (or rewrites theirs), votes on a
pair, takes their reason back; an editor may take anyone's. A pair with no reason left is gone, votes and
all. Proposing a pair is voting for it."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.accounts.policies import Visibility, title_hidden
from shuraba.catalog.models import Title
from shuraba.core.errors import Refused
from shuraba.core.markup import text_clean
from shuraba.pairs.models import REASON_MAX, Pair, PairReason, PairVote
from shuraba.reviews.services import rate_check, wilson_lower_bound

DAY, HOUR = timedelta(days=1), timedelta(hours=1)


def reason_clean(value: object) -> str:
    if not isinstance(value, str):
        raise Refused(400, f"reason: text, not {type(value).__name__}")
    if "\x00" in value:  # PostgreSQL keeps no NUL in text
        raise Refused(400, "reason: holds a NUL character (\\x00); remove it")
    text = text_clean(value).strip()
    if len(text) < 10:
        raise Refused(400, "reason: say in a sentence or two why readers of one would like the other")
    if len(text) > REASON_MAX:
        raise Refused(400, f"reason: at most {REASON_MAX} characters (this has {len(text)})")
    return text


def _seen_check(visibility: Visibility, *titles: Title) -> None:
    """Both titles past the reader's age gate (their avoid rules do not stop them pairing a title)."""
    if not all(visibility.rating_shown(t.content_rating) for t in titles):
        raise Refused(404, "no such title")


def _locked(pair_id: int) -> Pair:
    """The pair's row, locked for this transaction: two readers' votes or reasons on one pair take turns, so
    neither count is lost and no unique constraint is raced (PostgreSQL; SQLite writes one at a time)."""
    return Pair.objects.select_for_update().get(pk=pair_id)


@transaction.atomic
def pair_propose(*, user: User, visibility: Visibility, title: Title, other: Title, reason: object) -> Pair:
    """Readers of `title` may like `other` (and the other way round), for the reader's reason. A title the
    reader's avoid rules hide is not theirs to pair: they could not see the pair they made."""
    if title.pk == other.pk:
        raise Refused(400, "other: a title pairs with another title, not with itself")
    _seen_check(visibility, title, other)
    hidden = title_hidden(visibility, title_id=other.pk, content_rating=other.content_rating)
    if hidden is not None:
        raise Refused(400, f"other: {hidden.why} Pair it with a title you can see.")
    text = reason_clean(reason)
    low, high = sorted((title.pk, other.pk))
    now = timezone.now()
    pair = _locked(Pair.objects.get_or_create(low_id=low, high_id=high, defaults={"created_at": now})[0].pk)
    written = PairReason.objects.filter(pair=pair, user=user).first()
    if written is not None:
        written.text, written.edited_at = text, now
        written.save(update_fields=["text", "edited_at"])
    else:
        rows = PairReason.objects.filter(user=user)
        rate_check(rows, limit=settings.PAIRS_PER_DAY, what="pairs", window=DAY, per="day")
        PairReason.objects.create(pair=pair, user=user, text=text, at=now)
    _vote_set(pair, user, up=True)
    return pair


@transaction.atomic
def pair_vote(*, user: User, pair: Pair, up: bool | None) -> Pair:
    """For the pair (`up`), against it, or no vote (None). One vote per reader, changed in place; every
    change counts against the hourly limit."""
    rows = PairVote.objects.filter(user=user)
    rate_check(rows, limit=settings.REVIEW_VOTES_PER_HOUR, what="votes", window=HOUR, per="hour")
    pair = _locked(pair.pk)
    _vote_set(pair, user, up=up)
    return pair


def _vote_set(pair: Pair, user: User, *, up: bool | None) -> None:
    PairVote.objects.update_or_create(pair=pair, user=user, defaults={"up": up, "at": timezone.now()})
    _recount(pair)


def _recount(pair: Pair) -> None:
    votes = PairVote.objects.filter(pair=pair)
    pair.up = votes.filter(up=True).count()
    pair.down = votes.filter(up=False).count()
    pair.rank = wilson_lower_bound(pair.up, pair.down)
    pair.save(update_fields=["up", "down", "rank"])


@transaction.atomic
def pair_reason_delete(*, user: User, pair: Pair, writer: User | None = None) -> bool:
    """Take back a reason, with its writer's vote: the reader's own, or (an editor) `writer`'s. True when the
    pair went with it (no reason left)."""
    whose = writer or user
    if whose.pk != user.pk and not user.is_staff:
        raise Refused(403, "only editors take back another reader's reason")
    pair = _locked(pair.pk)
    deleted, _ = PairReason.objects.filter(pair=pair, user=whose).delete()
    if not deleted:
        raise Refused(404, "there is no such reason on this pair")
    return _settle(pair, whose)


def _settle(pair: Pair, gone: User) -> bool:
    """After `gone`'s reason went: the pair goes when no reason is left, else their vote goes and it recounts."""
    if not PairReason.objects.filter(pair=pair).exists():
        pair.delete()
        return True
    PairVote.objects.filter(pair=pair, user=gone).delete()
    _recount(pair)
    return False


@transaction.atomic
def pairs_forget(*, user: User) -> None:
    """Before an account is deleted: its reasons and votes go, pairs left without a reason go, the rest are
    counted again (a deletion's cascade would leave their counts and ranks stale)."""
    touched = set(PairReason.objects.filter(user=user).values_list("pair_id", flat=True))
    touched |= set(PairVote.objects.filter(user=user).values_list("pair_id", flat=True))
    PairReason.objects.filter(user=user).delete()
    for pair_id in sorted(touched):
        pair = Pair.objects.select_for_update().filter(pk=pair_id).first()
        if pair is not None:
            _settle(pair, user)
