"""How well the suggestion model predicts editors' values, on a held-out share of editor-classified titles.

On the shipped sample catalog the titles are fictional, so the number measures the pipeline (features,
training, prediction) and not accuracy on real manga.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from shuraba.importers.suggest import MIN_CONFIDENCE, MULTI_AXES, SINGLE_AXES, Suggester, TrainingSet, training_set_load


@dataclass(frozen=True)
class AxisScore:
    axis: str
    trained_on: int
    tested_on: int
    accuracy: float  # share of held-out titles where the prediction equals the editor's value(s)
    baseline: float  # the same for always predicting the training set's most common value(s)


def _split(data: TrainingSet, ids: list[int]) -> TrainingSet:
    keep = set(ids)
    part = TrainingSet(features={t: f for t, f in data.features.items() if t in keep})
    for axis, labels in data.labels.items():
        part.labels[axis] = {t: v for t, v in labels.items() if t in keep}
    return part


def _predicted(axis: str, votes: dict[str, dict[str, float]]) -> frozenset[str]:
    scores = votes.get(axis, {})
    if axis in MULTI_AXES:
        return frozenset(v for v, p in scores.items() if p >= MIN_CONFIDENCE)
    return frozenset([max(sorted(scores), key=lambda v: scores[v])]) if scores else frozenset()


def suggestions_evaluate(*, test_share: float = 0.25, seed: int = 0) -> list[AxisScore]:
    """Train on the rest, predict the held-out titles (by title, seeded), compare with the editors' values."""
    data = training_set_load()
    ids = sorted({t for labels in data.labels.values() for t in labels})
    random.Random(seed).shuffle(ids)  # noqa: S311 (a reproducible split, not a secret)
    cut = max(1, round(len(ids) * test_share))
    train, test = _split(data, ids[cut:]), _split(data, ids[:cut])
    suggester = Suggester.train(train)
    scores = []
    for axis in (*SINGLE_AXES, *MULTI_AXES):
        truth = {t: frozenset(v) for t, v in test.labels.get(axis, {}).items()}
        if not truth:
            continue
        titles = sorted(truth)
        votes = suggester.votes([test.features.get(t, {}) for t in titles])
        common = Counter(frozenset(v) for v in train.labels.get(axis, {}).values()).most_common(1)
        majority = common[0][0] if common else frozenset()
        hits = sum(_predicted(axis, v) == truth[t] for t, v in zip(titles, votes, strict=True))
        base = sum(majority == truth[t] for t in titles)
        trained = len(train.labels.get(axis, {}))
        scores.append(AxisScore(axis, trained, len(titles), hits / len(titles), base / len(titles)))
    return scores
