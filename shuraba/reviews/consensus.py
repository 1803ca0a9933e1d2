"""The community's consensus on a title's axis, from readers' votes: a rule written as data, so the title
page can say why a value was (or was not) decided.

Only **eligible** ballots count: the voter's account is at least `SHURABA_VOTE_ACCOUNT_DAYS` old, and for the
ending the voter finished the title (their library says completed or re-reading). One account is one ballot,
however many values it ticks. Nothing is decided below `SHURABA_VOTE_MIN_VOTERS` eligible voters. Then:

* a single-valued axis (centrality, perspective, ending) takes the most chosen value when at least 60% of the
  voters chose it;
* a multi-valued axis (consent) takes every value at least half the voters chose;
* a weighted axis (subgenre) takes every value at least half the voters chose, weighted by the median of their
  weights (to 0.05).

The consensus's confidence is the smallest share among the values it takes. An editor's lock wins: a locked
axis is never changed by votes (the page still shows them). A consensus that no longer holds leaves the title's
value as it is; the next consensus replaces it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SINGLE_SHARE = 0.6
MULTI_SHARE = 0.5
WEIGHT_STEP = 0.05

Ballot = Mapping[str, float]  # one voter's values on one axis, with weights (1.0 unless weighted)


@dataclass(frozen=True)
class Consensus:
    values: dict[str, float]  # value key -> weight, as the title's profile stores it
    confidence: float
    voters: int

    def describe(self) -> str:
        return f"community consensus of {self.voters} voters"


def _rounded(weight: float) -> float:
    return min(1.0, max(WEIGHT_STEP, round(weight / WEIGHT_STEP) * WEIGHT_STEP))


def consensus_of(*, kind: str, voters: int, chosen: Mapping[str, Sequence[float]], min_voters: int) -> Consensus | None:
    """The consensus of `voters` eligible voters, `chosen[value]` holding the weight each voter who chose that
    value gave it (1.0 on unweighted axes), or None."""
    if voters < max(1, min_voters):
        return None
    shares = {value: len(weights) / voters for value, weights in chosen.items() if weights}
    if not shares:
        return None
    if kind in ("multi", "weighted"):
        taken = sorted(v for v, share in shares.items() if share >= MULTI_SHARE)
        if not taken:
            return None
        weighted = kind == "weighted"
        values = {v: _rounded(statistics.median(chosen[v])) if weighted else 1.0 for v in taken}
        return Consensus(values, round(min(shares[v] for v in taken), 4), voters)
    best = max(sorted(shares), key=lambda v: shares[v])
    if shares[best] < SINGLE_SHARE:
        return None
    return Consensus({best: 1.0}, round(shares[best], 4), voters)


def ballots_chosen(ballots: Sequence[Ballot]) -> dict[str, list[float]]:
    """Value -> the weights the ballots gave it: `consensus_of`'s `chosen` from whole ballots."""
    chosen: dict[str, list[float]] = defaultdict(list)
    for ballot in ballots:
        for value, weight in ballot.items():
            chosen[value].append(weight)
    return dict(chosen)
