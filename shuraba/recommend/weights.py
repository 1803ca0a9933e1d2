"""Scoring as data: every weight is a row that describes itself, so every reason comes from a row.

A `Weight` names one dimension of the search index (an axis: `ending`, `consent`, `intensity`...), which
titles it matches (one of `keys`, none of `absent`, or a rank between `low` and `high`), how many points a
match is worth, and what it says to the reader ("{value} ending", where {value} is the title's own value).
A weight on a spoiler axis (ending, revelation) still ranks, but says nothing to a viewer whose spoiler
setting hides it (as a filter filters silently: a stand-in reason shown on exactly the titles whose
ending the row accepts would name that ending). A `limit` also excludes what it does not match, before scoring.

Rows come from two places: the quiz's answers (`quiz_weights`) and the reader's library (`library_weights`:
the values shared by the titles they liked). The blend of fit, the collaborative signal and popularity is
`BLEND`, one row per cold-start case (docs/recommendations.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pyroaring import BitMap

from shuraba.accounts.policies import Visibility
from shuraba.preferences.questions import QUESTIONS, Answers
from shuraba.search.query import PROFILE_DIMENSIONS, SPOILER_DIMENSIONS
from shuraba.search.storage import SearchIndex, bitmaps_union

RANKED = ("intensity", "centrality")  # kept as numbers in the index
# The axes a library's liked titles are read on (what a title's story is, not its catalog facts).
LIBRARY_AXES = (*PROFILE_DIMENSIONS, "length")
LIBRARY_SHARE = 0.3  # a value the reader liked in at least this share of their liked titles...
LIBRARY_AT_LEAST = 2  # ...and in at least this many of them becomes a weight
QUIZ_POINTS = 1.0
LIMIT_POINTS = 0.5  # a limit kept is worth less than a leaning met: every candidate keeps it


@dataclass(frozen=True)
class Weight:
    dimension: str
    points: float
    says: str  # the reason, "{value}" standing for the title's own value on this dimension
    keys: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()
    low: int | None = None
    high: int | None = None
    source: str = "quiz"  # quiz | library
    limit: bool = False

    @property
    def spoiler(self) -> bool:
        return self.dimension in SPOILER_DIMENSIONS

    @property
    def ranked(self) -> bool:
        return self.dimension in RANKED

    def describe(self) -> str:
        """The row in a sentence (docs, admin-free debugging): what matches, its points, its words."""
        if self.ranked:
            what = f"{self.dimension} {self.low if self.low is not None else '…'}-{self.high or '…'}"
        elif self.absent:
            what = f"{self.dimension} none of {', '.join(sorted(self.absent))}"
        else:
            what = f"{self.dimension} one of {', '.join(sorted(self.keys))}"
        return f"{what}: {self.points:g} points{' (a limit)' if self.limit else ''}, says “{self.says}”"

    def matches(self, index: SearchIndex) -> BitMap:
        """The slots this row scores."""
        if self.ranked:
            return bitmaps_union(
                bitmap
                for (name, value), bitmap in index.numbers.items()
                if name == self.dimension and _within(value, self.low, self.high)
            )
        if self.absent:
            known = bitmaps_union(b for (d, _), b in index.values.items() if d == self.dimension)
            return known - self.excluded(index)
        return bitmaps_union(index.values.get((self.dimension, k)) or BitMap() for k in sorted(self.keys))

    def excluded(self, index: SearchIndex) -> BitMap:
        """For a limit: the slots it excludes (a title with no value on an include or rank limit is out; on an
        `absent` limit only a title that has one of the values is)."""
        if self.absent:
            return bitmaps_union(index.values.get((self.dimension, k)) or BitMap() for k in sorted(self.absent))
        return index.live - self.matches(index)

    def value_of(self, index: SearchIndex, slot: int) -> str | None:
        """The title's own value this row matched (a key, or a rank as text)."""
        if self.ranked:
            found = [v for (n, v), b in index.numbers.items() if n == self.dimension and slot in b]
            inside = [v for v in found if _within(v, self.low, self.high)]
            return str(max(inside)) if inside else None
        pool = self.keys or {k for (d, k) in index.values if d == self.dimension} - self.absent
        return next((k for k in sorted(pool) if slot in (index.values.get((self.dimension, k)) or ())), None)


def _within(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


@dataclass(frozen=True)
class Reason:
    """One reason a title is proposed: an axis value it has (`dimension`, `value`; value empty when the viewer
    hides that spoiler axis) or a co-reader signal (`title`: the slug of the co-read title named)."""

    kind: str  # axis | co-reader
    text: str
    dimension: str = ""
    value: str = ""
    title: str = ""


def reason_of(weight: Weight, value: str, label: str, visibility: Visibility) -> Reason | None:
    """What a matched row says to this viewer: its words with the title's value, or, on a spoiler axis the
    viewer hides, nothing (any words there would appear exactly on the titles with an accepted value)."""
    if weight.spoiler and not visibility.axis_counted(spoiler=True):
        return None
    return Reason("axis", weight.says.replace("{value}", label), weight.dimension, value)


@dataclass(frozen=True)
class Blend:
    """How fit, the collaborative signal and popularity add up in one cold-start case."""

    case: str
    fit: float
    collaborative: float
    popularity: float

    def describe(self) -> str:
        return (
            f"{self.case}: {self.fit:g} x profile fit + {self.collaborative:g} x readers' signal + "
            f"{self.popularity:g} x popularity"
        )


BLEND: Mapping[str, Blend] = {
    b.case: b
    for b in (
        Blend("quiz only", fit=0.85, collaborative=0.0, popularity=0.15),
        Blend("library", fit=0.15, collaborative=0.80, popularity=0.05),
        Blend("quiz and library", fit=0.45, collaborative=0.45, popularity=0.10),
        Blend("no model yet", fit=0.85, collaborative=0.0, popularity=0.15),
    )
}


def blend_for(*, quiz: bool, library: bool, model: bool) -> Blend:
    if library and not model:
        return BLEND["no model yet"]
    if quiz and library:
        return BLEND["quiz and library"]
    return BLEND["library"] if library else BLEND["quiz only"]


def quiz_weights(answers: Answers | None) -> tuple[Weight, ...]:
    """One row per chosen answer that says something about a title; a limit's answers are limits too."""
    if not answers:
        return ()
    rows: list[Weight] = []
    for question in QUESTIONS:
        chosen = [question.answer(k) for k in answers.get(question.key, [])]
        effects = [(a, a.effect) for a in chosen if a.effect is not None]
        if question.hard and question.dimension and effects:  # accepted values: one limit, any of them
            keys = frozenset(k for _, e in effects for k in e.include)
            rows.append(Weight(question.dimension, 0.0, "", keys=keys, limit=True))
        for answer, effect in effects:
            limit = question.hard and not question.dimension
            points = LIMIT_POINTS if question.hard else QUIZ_POINTS
            if effect.range is not None:
                says = f"{effect.dimension} {{value}} — {answer.reason.split(' — ')[-1]}"
                rows.append(
                    Weight(effect.dimension, points, says, low=effect.range.low, high=effect.range.high, limit=limit)
                )
            else:
                rows.append(
                    Weight(
                        effect.dimension,
                        points,
                        answer.reason,
                        keys=effect.include,
                        absent=effect.exclude,
                        limit=limit,
                    )
                )
    return tuple(rows)


def library_weights(
    index: SearchIndex, liked: Iterable[int], labels: Mapping[tuple[str, str], str]
) -> tuple[Weight, ...]:
    """The values the reader's liked titles (index slots) share: one row each, worth the share of liked
    titles that have it."""
    slots = list(liked)
    if len(slots) < LIBRARY_AT_LEAST:
        return ()
    members = BitMap(slots)
    counts: Counter[tuple[str, str]] = Counter()
    for (dimension, key), bitmap in index.values.items():
        if dimension in LIBRARY_AXES:
            counts[(dimension, key)] = bitmap.intersection_cardinality(members)
    rows: list[Weight] = []
    for (dimension, key), count in sorted(counts.items()):
        if count < LIBRARY_AT_LEAST or count / len(slots) < LIBRARY_SHARE:
            continue
        label = labels.get((dimension, key), key)
        says = f"{label} {dimension if dimension in ('ending', 'revelation') else ''}".strip()
        says = f"{says} — like {count} titles you liked"
        rows.append(
            Weight(
                dimension,
                round(count / len(slots), 3),
                says,
                keys=frozenset({key}),
                source="library",
            )
        )
    return tuple(rows)
