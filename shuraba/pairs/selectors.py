"""Pair reads. A title's pairs pass the one visibility policy through the other title: one behind the
viewer's age gate is neither shown nor counted, one their avoid rules hide is not shown (nor its reasons)
and is counted ("1 pair left out by your avoid rules"), never named."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef

from shuraba.accounts.models import User
from shuraba.accounts.policies import Hidden, RuleCount, Visibility
from shuraba.catalog.cards import TitleCard
from shuraba.catalog.models import Title
from shuraba.pairs.models import Pair, PairReason, PairVote
from shuraba.search.shown import cards_of, titles_split

TITLE_PAGE_PAIRS = 5
TITLE_PAGE_REASONS = 3


class PairNotFound(LookupError):
    """No such pair, or one whose titles the viewer may not both see: a 404 alike."""


@dataclass(frozen=True)
class ReasonShown:
    writer: str
    text: str
    at: datetime
    edited: bool
    mine: bool


@dataclass(frozen=True)
class PairShown:
    id: int
    card: TitleCard  # the other title
    up: int
    down: int
    reasons: tuple[ReasonShown, ...]  # oldest first: the proposer's is the first
    my_vote: bool | None  # the viewer's vote: for, against, none
    mine: bool  # the viewer wrote one of the reasons


@dataclass(frozen=True)
class PairsShown:
    pairs: tuple[PairShown, ...]  # best first (the votes' Wilson lower bound)
    total: int  # pairs the viewer may see, all of them, `pairs` may be the first few
    note: Hidden | None  # what the viewer's avoid rules left out; None without rules


# A title's pairs that have a reason, best first: plain SQL, as the ORM took two milliseconds to write it
# for every title page (most of which have no pair).
TITLE_PAIRS_SQL = f"""
SELECT p.id, p.low_id, p.high_id, p.up, p.down FROM {Pair._meta.db_table} p
WHERE (p.low_id = %s OR p.high_id = %s)
  AND EXISTS (SELECT 1 FROM {PairReason._meta.db_table} r WHERE r.pair_id = p.id)
ORDER BY p.rank DESC, p.up DESC, p.id
"""  # noqa: S608 (table names from the models, values as parameters)


def _reasoned() -> Exists:
    return Exists(PairReason.objects.filter(pair=OuterRef("pk")))


def title_pairs(
    *, visibility: Visibility, title_id: int, user: User | None = None, limit: int | None = TITLE_PAGE_PAIRS
) -> PairsShown:
    """The pairs of a title the viewer may see (the title itself is theirs to see: the caller checked)."""
    with connection.cursor() as cursor:
        cursor.execute(TITLE_PAIRS_SQL, [title_id, title_id])
        rows: list[tuple[int, int, int, int, int]] = cursor.fetchall()
    if not rows:  # most titles: one query, nothing else to read
        return PairsShown(pairs=(), total=0, note=_rules_note(visibility, {}) if visibility.rules else None)
    others = [high if low == title_id else low for _, low, high, _, _ in rows]
    ratings = dict(Title.objects.filter(pk__in=others).values_list("pk", "content_rating"))
    split = titles_split(visibility, others, ratings)
    shown_ids = set(split.shown)
    kept = [(row, other) for row, other in zip(rows, others, strict=True) if other in shown_ids]
    first = kept if limit is None else kept[:limit]
    cards = cards_of([other for _, other in first], split.cards)
    pair_ids = [row[0] for row, _ in first]
    reasons = _reasons(pair_ids, user) if pair_ids else {}
    votes = (
        dict(PairVote.objects.filter(user=user, pair_id__in=pair_ids).values_list("pair_id", "up"))
        if user and pair_ids
        else {}
    )
    pairs = tuple(
        PairShown(
            id=pk, card=cards[other], up=up, down=down, reasons=tuple(reasons.get(pk, ())),
            my_vote=votes.get(pk), mine=any(r.mine for r in reasons.get(pk, ())),
        )
        for (pk, _, _, up, down), other in first
    )  # fmt: skip
    return PairsShown(
        pairs=pairs, total=len(kept), note=_rules_note(visibility, split.rules) if visibility.rules else None
    )


def _reasons(pair_ids: list[int], user: User | None) -> dict[int, list[ReasonShown]]:
    reasons: defaultdict[int, list[ReasonShown]] = defaultdict(list)
    rows = PairReason.objects.filter(pair_id__in=pair_ids).order_by("at", "pk")
    for pair_id, writer_id, name, text, at, edited_at in rows.values_list(
        "pair_id", "user_id", "user__username", "text", "at", "edited_at"
    ):
        mine = user is not None and writer_id == user.pk
        reasons[pair_id].append(ReasonShown(writer=name, text=text, at=at, edited=edited_at is not None, mine=mine))
    return reasons


def _rules_note(visibility: Visibility, hiding: dict[int, tuple[str, ...]]) -> Hidden:
    per_rule: dict[str, int] = {}
    for names in hiding.values():
        for name in names:
            per_rule[name] = per_rule.get(name, 0) + 1
    total = len(hiding)
    if total:
        why = f"{total} {'pair' if total == 1 else 'pairs'} left out: your avoid rules hide the other title."
    else:
        why = "Your avoid rules left out no pair here."
    order = [r.name for r in visibility.rules]
    counts = tuple(RuleCount(name, per_rule[name], 0) for name in order if name in per_rule)
    return Hidden("rules", why, total, counts)


def pair_get(*, visibility: Visibility, pk: int) -> Pair:
    """A pair whose two titles the viewer may see (past the gate, and neither hidden by their rules)."""
    pair = Pair.objects.select_related("low", "high").filter(_reasoned(), pk=pk).first()
    if pair is None:
        raise PairNotFound(pk)
    ids = [pair.low_id, pair.high_id]
    ratings = {pair.low_id: pair.low.content_rating, pair.high_id: pair.high.content_rating}
    if len(titles_split(visibility, ids, ratings).shown) != len(ids):
        raise PairNotFound(pk)
    return pair


def pairs_export(*, user: User, visibility: Visibility) -> dict[str, list[dict[str, object]]]:
    """What the reader wrote and voted (the data export), each pair by its two titles' slugs; a pair with a
    title behind their age gate stays out, as everywhere."""

    def seen(pair: Pair) -> bool:
        return visibility.rating_shown(pair.low.content_rating) and visibility.rating_shown(pair.high.content_rating)

    reasons = PairReason.objects.filter(user=user).select_related("pair__low", "pair__high").order_by("at")
    votes = PairVote.objects.filter(user=user).select_related("pair__low", "pair__high").order_by("at")
    return {
        "reasons": [
            {"titles": [r.pair.low.slug, r.pair.high.slug], "reason": r.text, "at": r.at.isoformat()}
            for r in reasons
            if seen(r.pair)
        ],
        "votes": [
            {
                "titles": [v.pair.low.slug, v.pair.high.slug],
                "vote": "for" if v.up else "against",
                "at": v.at.isoformat(),
            }
            for v in votes
            if v.up is not None and seen(v.pair)
        ],
    }
