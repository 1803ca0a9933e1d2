"""Recommendations for one viewer: hard constraints first, then the blend of profile fit, the readers'
signal and popularity, then each title's reasons.

1. The universe is the visibility policy's visible set for this viewer (`search.engine.visible_slots`: the
   age gate and the avoid rules), minus the titles in their library, the titles they are not interested
   in, every title of a creator they never want, and whatever a quiz limit excludes.
2. Each remaining title scores `fit`, `collaborative` and `popularity` (each 0-1), blended by the row of
   `weights.BLEND` for what the viewer has (quiz, library, a trained model).
3. The best are kept only with at least one reason from a row: an axis value the title has, or a co-reader
   signal naming a title of the viewer's library that the viewer may see."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyroaring import BitMap

from shuraba.accounts.policies import Visibility
from shuraba.catalog.cards import CARD_FIELDS, TitleCard
from shuraba.catalog.models import Title
from shuraba.preferences.questions import Answers
from shuraba.recommend.collab import HIGH_SCORE, Model, strength
from shuraba.recommend.weights import Blend, Reason, Weight, blend_for, library_weights, quiz_weights, reason_of
from shuraba.search.cache import cache_key
from shuraba.search.engine import visible_slots
from shuraba.search.live import search_index
from shuraba.search.storage import SearchIndex, bitmaps_union, slots_array
from shuraba.taxonomy.models import AxisValue

FOR_YOU_SIZE = 20
REASONS_MAX = 4
CO_READER_MIN = 0.05  # a title's share of the collaborative score below which no co-reader is named

Library = Mapping[int, tuple[str, int | None]]  # title id -> status, score


@dataclass(frozen=True)
class Exclusions:
    """What the reader said never to propose: titles and creators (slugs)."""

    titles: frozenset[int] = frozenset()
    creators: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Recommendation:
    card: TitleCard
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Recommendations:
    items: tuple[Recommendation, ...]
    blend: Blend
    quiz: bool
    library: bool
    model_version: str


@lru_cache(maxsize=4)
def _labels_at(version: object) -> dict[tuple[str, str], str]:
    del version  # the cache key: labels are read again when the vocabulary changes
    return {(a, k): label for a, k, label in AxisValue.objects.values_list("axis__key", "key", "label")}


def value_labels(index: SearchIndex) -> dict[tuple[str, str], str]:
    return _labels_at(index.vocabulary_version)


def liked_of(library: Library) -> dict[int, float]:
    """Title id -> how much the reader liked it (collab.strength), the titles that say so only."""
    return {pk: w for pk, (status, score) in library.items() if (w := strength(status, score)) > 0}


def weights_of(index: SearchIndex, answers: Answers | None, liked: Collection[int]) -> tuple[Weight, ...]:
    slots = [index.slot_of[pk] for pk in liked if pk in index.slot_of]
    return quiz_weights(answers) + library_weights(index, slots, value_labels(index))


def matched(index: SearchIndex, weight: Weight) -> BitMap:
    """The slots a row matches, made once per row and catalog version."""
    return index.cached(cache_key("recommend-match", weight), lambda: weight.matches(index))  # type: ignore[no-any-return]


def _fit(index: SearchIndex, weights: tuple[Weight, ...]) -> np.ndarray:
    """Per slot, the share of the rows' points it earns (0-1)."""

    def compute() -> np.ndarray:
        fit = np.zeros(index.size)
        for weight in weights:
            fit[slots_array(matched(index, weight))] += weight.points
        total = sum(w.points for w in weights)
        return fit / total if total else fit

    return index.cached(cache_key("recommend-fit", weights), compute)  # type: ignore[no-any-return]


def _limited(index: SearchIndex, weights: tuple[Weight, ...]) -> BitMap:
    limits = tuple(w for w in weights if w.limit)
    return index.cached(  # type: ignore[no-any-return]
        cache_key("recommend-limits", limits), lambda: bitmaps_union(w.excluded(index) for w in limits)
    )


def _popularity(index: SearchIndex) -> np.ndarray:
    def compute() -> np.ndarray:
        values = np.log1p(np.maximum(index.columns["popularity"][: index.size], 0).astype(np.float64))
        top = values.max() if len(values) else 0.0
        return values / top if top else values

    return index.cached(cache_key("recommend-popularity"), compute)  # type: ignore[no-any-return]


def _model_slots(index: SearchIndex, model: Model) -> np.ndarray:
    """Per model column, its title's slot in this index (-1: a title the index does not hold)."""

    def compute() -> np.ndarray:
        return np.fromiter((index.slot_of.get(int(pk), -1) for pk in model.item_pks), np.int64, len(model.item_pks))

    return index.cached(cache_key("recommend-model-slots", model.version, index.size), compute)  # type: ignore[no-any-return]


def _collaborative(index: SearchIndex, model: Model, liked: dict[int, float]) -> np.ndarray:
    scores = model.scores(liked)
    out = np.zeros(index.size)
    if not len(scores):
        return out
    slots = _model_slots(index, model)
    known = slots >= 0
    out[slots[known]] = scores[known]
    top = out.max()
    return out / top if top > 0 else out


def universe_of(index: SearchIndex, visibility: Visibility, library: Collection[int], exclusions: Exclusions) -> BitMap:
    """The titles a recommendation may name: the policy's visible set minus the library and the exclusions."""
    universe = BitMap(visible_slots(index, visibility))
    universe -= BitMap(index.slot_of[pk] for pk in (*library, *exclusions.titles) if pk in index.slot_of)
    for creator in sorted(exclusions.creators):
        universe -= index.creators.get(creator) or BitMap()
    return universe


def recommendations_for(
    *,
    visibility: Visibility,
    answers: Answers | None,
    library: Library,
    exclusions: Exclusions,
    model: Model,
    limit: int = FOR_YOU_SIZE,
) -> Recommendations:
    index = search_index()
    liked = liked_of(library)
    value_labels(index)  # the labels' one query, before the lock
    with index.lock:  # the index's caches and cards are read under its lock (search.cache)
        items = _ranked(
            index,
            visibility=visibility,
            answers=answers,
            library=library,
            exclusions=exclusions,
            model=model,
            liked=liked,
            limit=limit,
        )
    blend = blend_for(quiz=answers is not None, library=bool(liked), model=not model.empty)
    return Recommendations(_described(items), blend, answers is not None, bool(liked), model.version)


def _ranked(
    index: SearchIndex,
    *,
    visibility: Visibility,
    answers: Answers | None,
    library: Library,
    exclusions: Exclusions,
    model: Model,
    liked: dict[int, float],
    limit: int,
) -> list[Recommendation]:
    """Under the index's lock: the best titles with their reasons (a card gone from the index is skipped)."""
    weights = weights_of(index, answers, liked)
    with_model = not model.empty and bool(liked)
    blend = blend_for(quiz=answers is not None, library=bool(liked), model=not model.empty)
    universe = universe_of(index, visibility, library, exclusions) - _limited(index, weights)
    candidates = slots_array(universe)
    fit = _fit(index, weights)[candidates]
    cf = _collaborative(index, model, liked)[candidates] if with_model else np.zeros(len(candidates))
    keep = (fit > 0) | (cf > 0)  # a title with neither has no reason to give
    candidates, fit, cf = candidates[keep], fit[keep], cf[keep]
    total = blend.fit * fit + blend.collaborative * cf + blend.popularity * _popularity(index)[candidates]
    best = _best(total, limit * 2)  # positions in candidates: only these few become Python objects
    co_read = candidates[best[cf[best] >= CO_READER_MIN]].tolist()
    named = _co_readers(index, model, visibility, library, co_read)
    items: list[Recommendation] = []
    for slot, score in zip(candidates[best].tolist(), total[best].tolist(), strict=True):
        card = card_of_slot(index, slot)
        if card is None:
            continue
        reasons = _reasons(index, visibility, weights, slot)
        if slot in named:
            reasons = (named[slot], *reasons)
        if reasons:
            items.append(Recommendation(card, round(score, 4), reasons[:REASONS_MAX]))
        if len(items) == limit:
            break
    return items


def _best(total: np.ndarray, count: int) -> np.ndarray:
    """The positions of the `count` highest totals, best first (a partition, then a sort of those only)."""
    if len(total) > count:
        chosen = np.argpartition(-total, count)[:count]
        return chosen[np.argsort(-total[chosen], kind="stable")]
    return np.argsort(-total, kind="stable")


def _reasons(index: SearchIndex, visibility: Visibility, weights: tuple[Weight, ...], slot: int) -> tuple[Reason, ...]:
    labels = value_labels(index)
    found: list[Reason] = []
    for weight in sorted(weights, key=lambda w: -w.points):
        if weight.points <= 0 or slot not in matched(index, weight):
            continue
        value = weight.value_of(index, slot)
        if value is None:
            continue
        reason = reason_of(weight, value, labels.get((weight.dimension, value), value), visibility)
        if reason is not None and reason not in found:
            found.append(reason)
    return tuple(found)


def _co_readers(
    index: SearchIndex, model: Model, visibility: Visibility, library: Library, slots: list[int]
) -> dict[int, Reason]:
    """Per slot, the reader's own title most co-read with it, named only when the viewer may see it."""
    if not slots or model.empty:
        return {}
    seen = visible_slots(index, visibility)
    shown = [t for t in library if t in index.slot_of and index.slot_of[t] in seen]
    high = [t for t in shown if (library[t][1] or 0) >= HIGH_SCORE]
    pks = [int(index.columns["pk"][s]) for s in slots]
    found = model.co_readers(pks, high, shown)
    reasons: dict[int, Reason] = {}
    for slot, pk in zip(slots, pks, strict=True):
        if pk not in found:
            continue
        scored_high, other = found[pk]
        name = index.titles[index.slot_of[other]]
        text = f"readers who scored {name} 8+ scored it 8+" if scored_high else f"readers of {name} read it too"
        reasons[slot] = Reason("co-reader", text, title=_slug(index, other))
    return reasons


def _slug(index: SearchIndex, pk: int) -> str:
    card = index.cards[index.slot_of[pk]]
    return str(card[CARD_FIELDS.index("slug")]) if card else ""


def card_of_slot(index: SearchIndex, slot: int) -> TitleCard | None:
    """The slot's card, or None for a title removed from the index since its slot was read."""
    card = index.cards[slot]
    if card is None:
        return None
    return TitleCard(id=int(index.columns["pk"][slot]), description="", **dict(zip(CARD_FIELDS, card, strict=True)))


def _described(items: list[Recommendation]) -> tuple[Recommendation, ...]:
    """The cards' descriptions (long prose the index does not keep) in one query."""
    texts = dict(Title.objects.filter(pk__in=[i.card.id for i in items]).values_list("pk", "description"))
    return tuple(
        Recommendation(TitleCard(**{**i.card.__dict__, "description": texts.get(i.card.id, "")}), i.score, i.reasons)
        for i in items
    )
