"""Pair writes, each one transaction: a reader proposes a pair with a reason (or rewrites theirs), votes on a
pair, takes their reason back; an editor may take anyone's. A pair with no reason left is gone, votes and
all. Proposing a pair is voting for it."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.accounts.policies import Visibility
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


@transaction.atomic
def pair_propose(*, user: User, visibility: Visibility, title: Title, other: Title, reason: object) -> Pair:
    """Readers of `title` may like `other` (and the other way round), for the reader's reason."""
    if title.pk == other.pk:
        raise Refused(400, "other: a title pairs with another title, not with itself")
    _seen_check(visibility, title, other)
    text = reason_clean(reason)
    low, high = sorted((title.pk, other.pk))
    now = timezone.now()
    pair, _ = Pair.objects.get_or_create(low_id=low, high_id=high, defaults={"created_at": now})
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
    """For the pair (`up`), against it, or no vote (None). One vote per reader, changed in place."""
    rows = PairVote.objects.filter(user=user)
    rate_check(rows, limit=settings.REVIEW_VOTES_PER_HOUR, what="votes", window=HOUR, per="hour")
    _vote_set(pair, user, up=up)
    return pair


def _vote_set(pair: Pair, user: User, *, up: bool | None) -> None:
    if up is None:
        PairVote.objects.filter(pair=pair, user=user).delete()
    else:
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
    """Take back a reason: the reader's own, or (an editor) `writer`'s. True when the pair went with it."""
    whose = writer or user
    if whose.pk != user.pk and not user.is_staff:
        raise Refused(403, "only editors take back another reader's reason")
    deleted, _ = PairReason.objects.filter(pair=pair, user=whose).delete()
    if not deleted:
        raise Refused(404, "there is no such reason on this pair")
    if not PairReason.objects.filter(pair=pair).exists():
        pair.delete()
        return True
    if whose.pk == user.pk:
        PairVote.objects.filter(pair=pair, user=user).delete()
        _recount(pair)
    return False
