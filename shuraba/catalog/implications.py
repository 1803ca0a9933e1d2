"""Tags a title's own profile implies, as data: one table, applied by the catalog's writes of the profile.

The Infidelity warning means a partner strays without the other's knowledge or agreement (its definition in
taxonomy.toml, which states this implication too). A profile at centrality incidental or more says a partner
strays; unless the title's primary subgenre is netorase (weight 0.5 or more: the partner knows and agrees),
it carries the warning, so excluding infidelity excludes NTR everywhere (search, avoid rules, the policy).
The implied row is an ordinary tag assignment with the source `implied`: the engine and the SQL reference
read it alike, a reader's page marks it "implied by the profile", an editor's own row of the tag is never
touched, and the row goes when the profile stops implying it. When any other source's row of the tag is removed
(an import drops it, an editor deletes it), the implied row takes its place if the profile still implies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Implication:
    tag: str
    at_least: int  # centrality rank from which the profile implies the tag
    unless_subgenre: str  # ...unless this subgenre is primary
    unless_weight: float
    relevance: Mapping[int, int]  # centrality rank -> the implied assignment's relevance

    def relevance_for(self, *, centrality: int | None, subgenres: Mapping[str, float]) -> int | None:
        """The implied assignment's relevance, or None when the profile does not imply the tag."""
        if centrality is None or centrality < self.at_least:
            return None
        if subgenres.get(self.unless_subgenre, 0.0) >= self.unless_weight:
            return None
        return self.relevance[centrality]

    def describe(self) -> str:
        return (
            f"implied by the profile: centrality incidental or more, and {self.unless_subgenre} "
            f"not the primary subgenre"
        )


INFIDELITY = Implication("infidelity", 1, "netorase", 0.5, relevance={1: 40, 2: 70, 3: 90})
IMPLICATIONS = (INFIDELITY,)
IMPLYING_AXES = frozenset({"centrality", "subgenre"})
# Removing another source's row of one of these tags may leave the profile's implication unmet: re-apply it.
IMPLIED_TAGS = frozenset(implication.tag for implication in IMPLICATIONS)
