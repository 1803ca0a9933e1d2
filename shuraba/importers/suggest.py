"""Classification suggestions for imported titles: centrality, subgenres, ending and content rating.

Two voices, combined per value: the alias table's evidence (a source's Netorare tag at rank 80 says
"subgenre netorare") and a scikit-learn model trained on titles an editor has classified, reading a
title's tags and their relevance. Suggestions wait in a queue; only an editor's accept writes them,
and then with the suggestion's own source ("model" or "import:<source>"), never as an editor fact.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from shuraba.catalog.models import (
    SOURCE_EDITOR,
    SOURCE_IMPORT_PREFIX,
    SOURCE_MODEL,
    ChangeRecord,
    Title,
    TitleAxisValue,
    TitleTag,
)
from shuraba.core.changelog import changes_announce
from shuraba.importers.merge import RATING_ORDER, RATING_RANK
from shuraba.importers.models import ClassificationSuggestion, ImportRun, SuggestionStatus
from shuraba.taxonomy.models import Tag

if TYPE_CHECKING:
    from shuraba.importers.upsert import Plan

SINGLE_AXES = ("centrality", "ending", "content-rating")
MULTI_AXES = ("subgenre",)
AXES = (*SINGLE_AXES, *MULTI_AXES)
MIN_CONFIDENCE = 0.5  # below this a suggestion is noise an editor should not have to read
MIN_TRAINING = 8  # titles per axis (and two classes at least) before the model speaks for that axis
EvidenceRow = tuple[str, str, float, str, str]  # axis, value, weight, reason, source
_TRAINED: dict[str, Suggester] = {}


@dataclass(frozen=True)
class Draft:
    axis: str
    values: dict[str, float]
    confidence: float
    reasons: str
    source: str


@dataclass
class TrainingSet:
    """Editor-classified titles: tag relevances, and per axis the editor's value(s)."""

    features: dict[int, dict[str, int]] = field(default_factory=dict)
    labels: dict[str, dict[int, set[str]]] = field(default_factory=lambda: defaultdict(dict))

    def fingerprint(self) -> tuple[object, ...]:
        features = sorted((t, sorted(f.items())) for t, f in self.features.items())
        labels = sorted((axis, sorted((t, sorted(v)) for t, v in by.items())) for axis, by in self.labels.items())
        return (tuple(map(repr, features)), tuple(map(repr, labels)))


def training_set_load(*, exclude: Iterable[int] = ()) -> TrainingSet:
    data = TrainingSet()
    excluded = set(exclude)
    rows = TitleAxisValue.objects.filter(source=SOURCE_EDITOR, axis__key__in=AXES).values_list(
        "title_id", "axis__key", "value__key"
    )
    for title_id, axis, value in rows:
        if title_id not in excluded:
            data.labels[axis].setdefault(title_id, set()).add(value)
    for title_id, rating in _editor_ratings().items():
        if title_id not in excluded:
            data.labels["content-rating"][title_id] = {rating}
    ids = {t for labels in data.labels.values() for t in labels}
    data.features = tags_load(ids)
    return data


def _editor_ratings() -> dict[int, str]:
    """Titles whose content rating an editor set: created by an editor, or rated by one since."""
    owner: dict[int, str] = {}
    history = ChangeRecord.objects.filter(entity="title", field__in=("created", "content_rating")).order_by("at", "pk")
    for title_id, source in history.values_list("title_id", "source"):
        owner[title_id] = source
    editor = [pk for pk, source in owner.items() if source == SOURCE_EDITOR]
    ratings = Title.objects.filter(pk__in=editor, content_rating__in=RATING_ORDER).values_list("pk", "content_rating")
    return dict(ratings)


def tags_load(title_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = defaultdict(dict)
    ids = list(title_ids)
    for title_id, slug, relevance in TitleTag.objects.filter(title_id__in=ids).values_list(
        "title_id", "tag__slug", "relevance"
    ):
        result[title_id][slug] = relevance
    return {pk: result.get(pk, {}) for pk in ids}


@dataclass
class AxisModel:
    """One classifier: a single-valued axis, or one subgenre value (yes/no)."""

    model: LogisticRegression
    classes: tuple[str, ...]
    trained_on: int


class Suggester:
    """Trained once per run from the editor-classified titles in the database."""

    def __init__(self, vocabulary: Sequence[str], models: Mapping[str, AxisModel]) -> None:
        self.vocabulary = tuple(vocabulary)
        self.column = {slug: i for i, slug in enumerate(self.vocabulary)}
        self.models = dict(models)

    # --- training --------------------------------------------------------------------------------

    @classmethod
    def train(cls, data: TrainingSet | None = None) -> Suggester:
        """Fit the models on `data` (default: the editor-classified titles in the database).

        Fitting is deterministic, so a model is reused while the training data stays the same
        (an editor's change to a value, a tag or a rating changes the data and retrains).
        """
        data = data or training_set_load()
        vocabulary = sorted(Tag.objects.values_list("slug", flat=True))
        key = hashlib.sha256(repr((vocabulary, data.fingerprint())).encode()).hexdigest()
        if key not in _TRAINED:
            _TRAINED.clear()  # one model per process is enough: runs train once each
            _TRAINED[key] = cls._fitted(vocabulary, data)
        return _TRAINED[key]

    @classmethod
    def _fitted(cls, vocabulary: list[str], data: TrainingSet) -> Suggester:
        suggester = cls(vocabulary, {})
        for axis in SINGLE_AXES:
            labels = {t: next(iter(v)) for t, v in data.labels.get(axis, {}).items() if len(v) == 1}
            suggester._fit(axis, labels, data.features)
        for axis in MULTI_AXES:
            labelled = data.labels.get(axis, {})
            values = sorted({v for vs in labelled.values() for v in vs})
            for value in values:
                labels = {t: ("yes" if value in vs else "no") for t, vs in labelled.items()}
                suggester._fit(f"{axis}:{value}", labels, data.features)
        return suggester

    def _fit(self, name: str, labels: Mapping[int, str], features: Mapping[int, Mapping[str, int]]) -> None:
        ids = sorted(labels)
        targets = [labels[t] for t in ids]
        if len(ids) < MIN_TRAINING or len(set(targets)) < 2:
            return
        matrix = self.matrix(features.get(t, {}) for t in ids)
        model = LogisticRegression(max_iter=2000, class_weight="balanced").fit(matrix, targets)
        self.models[name] = AxisModel(model, tuple(str(c) for c in model.classes_), len(ids))

    def matrix(self, rows: Iterable[Mapping[str, int]]) -> np.ndarray[Any, np.dtype[np.float64]]:
        rows = list(rows)
        matrix = np.zeros((len(rows), len(self.vocabulary)))
        for i, tags in enumerate(rows):
            for slug, relevance in tags.items():
                if slug in self.column:
                    matrix[i, self.column[slug]] = relevance / 100.0
        return matrix

    # --- predicting ------------------------------------------------------------------------------

    def votes(self, rows: Sequence[Mapping[str, int]]) -> list[dict[str, dict[str, float]]]:
        """For each title's tags: axis -> value -> model probability (one predict call per model)."""
        result: list[dict[str, dict[str, float]]] = [defaultdict(dict) for _ in rows]
        if not rows or not self.models:
            return result
        matrix = self.matrix(rows)
        for name, axis_model in self.models.items():
            probabilities = axis_model.model.predict_proba(matrix)
            axis, _, value = name.partition(":")
            for j, cls in enumerate(axis_model.classes):
                if value and cls != "yes":
                    continue
                for i, probability in enumerate(probabilities[:, j]):
                    result[i][axis][value or cls] = float(probability)
        return result

    def why(self, axis: str, value: str, tags: Mapping[str, int]) -> str:
        """The tags that pushed the model towards `value` most, and what it learned from."""
        axis_model = self.models.get(f"{axis}:{value}") or self.models[axis]
        cls = "yes" if f"{axis}:{value}" in self.models else value
        coef = axis_model.model.coef_
        index = axis_model.classes.index(cls)
        weights = (coef[0] if index == 1 else -coef[0]) if coef.shape[0] == 1 else coef[index]
        contributions = weights * self.matrix([tags])[0]
        top = [self.vocabulary[i] for i in np.argsort(contributions)[::-1][:3] if contributions[i] > 0]
        basis = f"tags {', '.join(top)}" if top else "the absence of telling tags"
        return f"{basis}; trained on {axis_model.trained_on} editor-classified titles"

    def drafts(
        self,
        *,
        tags: Mapping[str, int],
        votes: Mapping[str, Mapping[str, float]],
        evidence: Sequence[EvidenceRow],
        rating: str,
    ) -> list[Draft]:
        """Suggestions for one title: model votes and the alias table's evidence, combined per value.

        `rating` is the strictest content rating the sources support; no suggestion goes below a source's
        explicit rating.
        """
        found: dict[str, dict[str, float]] = defaultdict(dict)
        said: dict[tuple[str, str], list[str]] = defaultdict(list)
        sources: dict[tuple[str, str], str] = {}
        for axis, value, weight, reason, source in evidence:
            if weight > found[axis].get(value, 0.0):
                found[axis][value] = weight
                sources[(axis, value)] = f"{SOURCE_IMPORT_PREFIX}{source}"
            said[(axis, value)].append(f"{reason} ({source}, weight {weight:.2f})")
        drafts = []
        for axis in AXES:
            chosen = _choose(axis, found.get(axis, {}), votes.get(axis, {}))
            if not chosen or (axis == "content-rating" and _milder(next(iter(chosen)), rating)):
                continue
            drafts.append(
                self._draft(
                    axis=axis,
                    chosen=chosen,
                    tags=tags,
                    evidence=found.get(axis, {}),
                    votes=votes.get(axis, {}),
                    said=said,
                    sources=sources,
                )
            )
        return drafts

    def _draft(
        self,
        *,
        axis: str,
        chosen: Mapping[str, float],
        tags: Mapping[str, int],
        evidence: Mapping[str, float],
        votes: Mapping[str, float],
        said: Mapping[tuple[str, str], list[str]],
        sources: Mapping[tuple[str, str], str],
    ) -> Draft:
        reasons: list[str] = []
        source = SOURCE_MODEL
        for value in sorted(chosen):
            reasons.extend(f"{value}: {text}" for text in said.get((axis, value), []))
            if value in votes:
                reasons.append(f"{value}: model probability {votes[value]:.2f} from {self.why(axis, value, tags)}")
            if evidence.get(value, 0.0) >= votes.get(value, 0.0):
                source = sources.get((axis, value), source)
        values = dict.fromkeys(chosen, 1.0) if axis in SINGLE_AXES else {v: round(w, 2) for v, w in chosen.items()}
        return Draft(axis, values, round(max(chosen.values()), 3), "\n".join(reasons), source)

    # --- queueing --------------------------------------------------------------------------------

    def queue(self, *, plan: Plan, pks: Mapping[int, int], run: ImportRun) -> int:
        """Queue drafts for the titles a chunk touched; return how many suggestions were queued or changed."""
        keys = sorted(plan.titles)
        titles = {pks[key]: key for key in keys}
        current = _current_values(titles)
        pending, rejected = _existing_suggestions(titles)
        votes = self.votes([plan.final_tags.get(key, {}) for key in keys])
        new: list[ClassificationSuggestion] = []
        changed: list[ClassificationSuggestion] = []
        for key, title_votes in zip(keys, votes, strict=True):
            pk = pks[key]
            drafts = self.drafts(
                tags=plan.final_tags.get(key, {}),
                votes=title_votes,
                evidence=plan.evidence.get(key, []),
                rating=plan.rating[key].value,
            )
            for draft in drafts:
                if draft.axis == "content-rating":
                    state = ({plan.titles[key].content_rating}, key in plan.guarded_rating)
                else:
                    state = current.get((pk, draft.axis), (set(), False))
                if state[1] or set(draft.values) == state[0]:
                    continue  # an editor's or locked value, or already what we would suggest
                if (pk, draft.axis, _values_key(draft.values)) in rejected:
                    continue  # an editor said no to exactly this
                _queue_one(pk, draft=draft, pending=pending.get((pk, draft.axis)), run=run, new=new, changed=changed)
        ClassificationSuggestion.objects.bulk_create(new)
        ClassificationSuggestion.objects.bulk_update(changed, ["values", "confidence", "reasons", "source", "run"])
        # A pending suggestion is evidence for avoid rules (search index facts): the titles changed.
        changes_announce(title_ids=sorted({s.title_id for s in (*new, *changed)}))
        return len(new) + len(changed)


def _milder(value: str, rating: str) -> bool:
    """Would suggesting `value` go below a source's explicit rating?"""
    return rating == "explicit" and RATING_RANK.get(value, RATING_RANK["explicit"]) < RATING_RANK["explicit"]


def _choose(axis: str, evidence: Mapping[str, float], votes: Mapping[str, float]) -> dict[str, float]:
    """Value -> confidence. Evidence e and model probability p for a value combine as 1 - (1 - e)(1 - p)."""
    scores = {v: 1 - (1 - evidence.get(v, 0.0)) * (1 - votes.get(v, 0.0)) for v in set(evidence) | set(votes)}
    if axis in MULTI_AXES:
        return {v: s for v, s in sorted(scores.items()) if s >= MIN_CONFIDENCE}
    if not scores:
        return {}
    best = max(sorted(scores), key=lambda v: scores[v])
    return {best: scores[best]} if scores[best] >= MIN_CONFIDENCE else {}


def _values_key(values: Mapping[str, float]) -> str:
    return ",".join(sorted(values))


def _current_values(titles: Mapping[int, int]) -> dict[tuple[int, str], tuple[set[str], bool]]:
    """(title, axis) -> (value keys, whether an editor set or locked them)."""
    current: dict[tuple[int, str], tuple[set[str], bool]] = {}
    rows = TitleAxisValue.objects.filter(title_id__in=list(titles), axis__key__in=AXES).values_list(
        "title_id", "axis__key", "value__key", "source", "locked"
    )
    for title_id, axis, value, source, locked in rows:
        values, guarded = current.get((title_id, axis), (set(), False))
        current[(title_id, axis)] = (values | {value}, guarded or locked or source == SOURCE_EDITOR)
    return current


def _existing_suggestions(
    titles: Mapping[int, int],
) -> tuple[dict[tuple[int, str], ClassificationSuggestion], set[tuple[int, str, str]]]:
    pending, rejected = {}, set()
    for s in ClassificationSuggestion.objects.filter(title_id__in=list(titles)).exclude(
        status=SuggestionStatus.ACCEPTED
    ):
        if s.status == SuggestionStatus.PENDING:
            pending[(s.title_id, s.axis)] = s
        else:
            rejected.add((s.title_id, s.axis, _values_key(s.values)))
    return pending, rejected


def _queue_one(
    pk: int,
    *,
    draft: Draft,
    pending: ClassificationSuggestion | None,
    run: ImportRun,
    new: list[ClassificationSuggestion],
    changed: list[ClassificationSuggestion],
) -> None:
    values = {"values": draft.values, "confidence": draft.confidence, "reasons": draft.reasons, "source": draft.source}
    if pending is None:
        new.append(ClassificationSuggestion(title_id=pk, axis=draft.axis, run=run if run.pk else None, **values))
    elif any(getattr(pending, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(pending, k, v)
        pending.run = run if run.pk else None
        changed.append(pending)
