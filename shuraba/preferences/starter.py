"""The starter list: titles that fit a reader's quiz answers, chosen by the search engine through the viewer's
visibility (age gate, avoid rules and spoiler setting: the one policy), each with the reasons it fits.

The answers become one SearchQuery: the limits (`hard` questions) always, the leanings first too; when fewer
than STARTER_SIZE titles fit, the leanings are dropped from the last question backwards and the list is
filled from the wider search. A title's reasons are the answers of the search it came from. Where several
values were accepted (endings, points of view, lengths), one narrower search per value says which one a
title has; a spoiler axis (the ending) is named only to a viewer whose setting shows spoilers."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from shuraba.accounts.policies import Visibility
from shuraba.catalog.cards import TitleCard
from shuraba.preferences.questions import QUESTIONS, Answer, Answers, Effect, Question
from shuraba.search.query import MAX_PER_PAGE, SPOILER_DIMENSIONS, Range, SearchQuery, ValueFilter
from shuraba.search.selectors import title_search

STARTER_SIZE = 12
# A title no answer narrowed to still says why it is there (an open quiz, or only "no limit" answers).
OPEN_REASON = "among the best scored — your answers leave the rest open"
SORT = "score"  # the best-scored first: a start, not a deep cut


@dataclass(frozen=True)
class Unit:
    """One answered question as the search sees it: the answers chosen and their combined effect."""

    question: Question
    answers: tuple[Answer, ...]
    effect: Effect | None


@dataclass(frozen=True)
class StarterItem:
    card: TitleCard
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class StarterList:
    items: tuple[StarterItem, ...]
    dropped: tuple[str, ...]  # the leanings (question legends) set aside to fill the list


def _units(answers: Answers) -> tuple[list[Unit], list[Unit]]:
    hard: list[Unit] = []
    soft: list[Unit] = []
    for question in QUESTIONS:
        chosen = tuple(question.answer(k) for k in answers.get(question.key, []))
        if not chosen:
            continue
        if question.dimension:  # the chosen values of one dimension: any of them
            include = frozenset(k for a in chosen for k in (a.effect.include if a.effect else ()))
            units = [Unit(question, chosen, Effect(question.dimension, include=include))]
        else:
            units = [Unit(question, (a,), a.effect) for a in chosen]
        (hard if question.hard else soft).extend(units)
    return hard, soft


def _query(units: list[Unit], per_page: int) -> SearchQuery | None:
    """The units' effects together, or None when two of them cannot both hold (catharsis and tragedy only)."""
    values: dict[str, ValueFilter] = {}
    ranges: dict[str, Range] = {}
    for effect in (u.effect for u in units if u.effect):
        if effect.range is not None:
            old = ranges.get(effect.dimension, Range())
            low = max((x for x in (old.low, effect.range.low) if x is not None), default=None)
            high = min((x for x in (old.high, effect.range.high) if x is not None), default=None)
            ranges[effect.dimension] = Range(low, high)
            continue
        old_filter = values.get(effect.dimension, ValueFilter())
        include = (
            old_filter.include & effect.include
            if old_filter.include and effect.include
            else (old_filter.include or effect.include)
        )
        if (old_filter.include or effect.include) and not include:
            return None
        values[effect.dimension] = ValueFilter(include=include, exclude=old_filter.exclude | effect.exclude)
    return SearchQuery.build(values=values, ranges=ranges, sort=SORT, per_page=per_page)


def starter_list(*, visibility: Visibility, answers: Answers, exclude_ids: Collection[int] = ()) -> StarterList:
    """`exclude_ids`: titles not to propose (the reader's library)."""
    hard, soft = _units(answers)
    per_page = min(MAX_PER_PAGE, STARTER_SIZE + len(exclude_ids))
    items: list[StarterItem] = []
    seen = set(exclude_ids)
    dropped: list[str] = []
    for kept in range(len(soft), -1, -1):
        units = hard + soft[:kept]
        query = _query(units, per_page)
        if query is not None:
            fresh = [
                c for c in title_search(visibility=visibility, query=query, facets=False).items if c.id not in seen
            ]
            fresh = fresh[: STARTER_SIZE - len(items)]
            reasons = _reasons(visibility, units, query, [c.id for c in fresh])
            items += [StarterItem(card, reasons[card.id]) for card in fresh]
            seen.update(c.id for c in fresh)
        if len(items) >= STARTER_SIZE or kept == 0:
            break
        dropped.append(soft[kept - 1].question.legend)
    return StarterList(items=tuple(items), dropped=tuple(dict.fromkeys(dropped)))


def _reasons(
    visibility: Visibility, units: list[Unit], query: SearchQuery, ids: list[int]
) -> dict[int, tuple[str, ...]]:
    reasons: dict[int, list[str]] = {pk: [] for pk in ids}
    for unit in units:
        if unit.question.dimension and len(unit.answers) > 1:
            _attributed(visibility, unit, query, reasons)
        elif unit.effect is not None or unit.question.key == "motives":
            reason = _say(visibility, unit, unit.answers[0])
            if reason is not None:
                for pk in ids:
                    reasons[pk].append(reason)
    return {pk: tuple(r) or (OPEN_REASON,) for pk, r in reasons.items()}


def _attributed(visibility: Visibility, unit: Unit, query: SearchQuery, reasons: dict[int, list[str]]) -> None:
    """Which of the accepted values each title has: one search per value, narrowed to it."""
    dimension = unit.question.dimension
    if _hidden(visibility, dimension):
        if unit.question.hard:  # every title of the list has one: the same words on each tell nothing
            for said in reasons.values():
                said.append(f"its {dimension} is one you accept (not shown: you hide spoilers)")
        return
    values = dict(query.values)
    for answer in unit.answers:
        values[dimension] = ValueFilter(include=frozenset({answer.key}), exclude=values[dimension].exclude)
        narrow = SearchQuery.build(values=values, ranges=dict(query.ranges), sort=SORT, per_page=MAX_PER_PAGE)
        found = {c.id for c in title_search(visibility=visibility, query=narrow, facets=False).items}
        reason = _say(visibility, unit, answer)
        if reason is not None:
            for pk in found & set(reasons):
                reasons[pk].append(reason)


def _hidden(visibility: Visibility, dimension: str) -> bool:
    return dimension in SPOILER_DIMENSIONS and not visibility.axis_counted(spoiler=True)


def _say(visibility: Visibility, unit: Unit, answer: Answer) -> str | None:
    """The reason an answer gives, or None. A leaning on a spoiler axis the reader hides says nothing: it is
    given up first when the list runs short (a soft answer), so its words would sit only on the titles whose
    hidden value fits it, which would tell the value. A limit holds for every title, so its words may stay."""
    effect = answer.effect or unit.effect
    if effect is not None and _hidden(visibility, effect.dimension):
        if not unit.question.hard:
            return None
        if unit.question.dimension:
            return f"its {effect.dimension} is one you accept (not shown: you hide spoilers)"
        return f"fits your answer “{answer.label}” (its ending is not shown: you hide spoilers)"
    return answer.reason
