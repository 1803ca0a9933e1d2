"""The preference quiz as data: each question and answer says what it asks, what it means for the starter
list (a filter on one search dimension) and, for some, which avoid-rule preset it proposes.

`hard` answers are limits (endings accepted, consent, how central betrayal may be): the starter list keeps
them. The others are leanings: the list tries them first and drops them when too few titles fit. Answer keys
are the taxonomy's value keys (taxonomy.toml) wherever the question is about an axis; a test checks they
exist there."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from shuraba.core.errors import BadQuery
from shuraba.search.query import SPOILER_DIMENSIONS, Range, ValueFilter


@dataclass(frozen=True)
class Effect:
    """What one answer does to the search: include or exclude values of a dimension, or bound a range."""

    dimension: str
    include: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    range: Range | None = None


@dataclass(frozen=True)
class Answer:
    key: str
    label: str
    reason: (
        str  # the reason a starter title gets, in the reader's words ("revenge ending — you accept revenge endings")
    )
    effect: Effect | None = None
    proposes: str = ""  # an avoid-rule preset (accounts.rules.PRESETS) this answer proposes


@dataclass(frozen=True)
class Question:
    key: str  # the form field, the API field and the model field
    legend: str
    help: str
    answers: tuple[Answer, ...]
    multiple: bool
    hard: bool
    # For a multiple-choice question on one dimension: the answers chosen are one include set (any of).
    dimension: str = ""
    # Proposed when the reader chose some answers of this question but not the given one.
    proposes_if_left_out: tuple[str, str] = ("", "")

    def answer(self, key: str) -> Answer:
        return next(a for a in self.answers if a.key == key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.answers)

    @property
    def spoiler(self) -> bool:
        return self.dimension in SPOILER_DIMENSIONS


def _axis(dimension: str, key: str, label: str, reason: str) -> Answer:
    return Answer(key, label, reason, Effect(dimension, include=frozenset({key})))


QUESTIONS: tuple[Question, ...] = (
    Question(
        "motives",
        "Why do you read these stories?",
        "Choose any. They lean the starter list; when too few titles fit, they give way.",
        (
            Answer(
                "intensity",
                "For the intensity",
                "intense (3 or more) — you read for intensity",
                Effect("intensity", range=Range(low=3)),
            ),
            Answer(
                "depth",
                "For psychological depth",
                "psychological — you read for depth",
                Effect("depth", include=frozenset({"psychological"})),
            ),
            Answer(
                "catharsis",
                "For catharsis",
                "an ending that settles accounts — you read for catharsis",
                Effect("ending", include=frozenset({"revenge", "reconciliation"})),
            ),
            Answer("exploring", "To explore the genre", "a well-scored start — you are exploring the genre"),
        ),
        multiple=True,
        hard=False,
    ),
    Question(
        "endings",
        "Which endings do you accept?",
        "Choose the endings you are ready for; none chosen means any. Titles are filtered on their ending "
        "without it being shown to you if you hide spoilers.",
        (
            _axis(
                "ending",
                "reconciliation",
                "Reconciliation",
                "reconciliation ending — you accept reconciliation endings",
            ),
            _axis("ending", "revenge", "Revenge", "revenge ending — you accept revenge endings"),
            _axis("ending", "acceptance", "Acceptance", "acceptance ending — you accept acceptance endings"),
            _axis("ending", "open", "Open", "open ending — you accept open endings"),
            _axis("ending", "tragedy", "Tragedy", "tragic ending — you accept tragic endings"),
        ),
        multiple=True,
        hard=True,
        dimension="ending",
        proposes_if_left_out=("tragedy", "no-tragedy"),
    ),
    Question(
        "perspectives",
        "Whose point of view do you want to follow?",
        "Choose any; none chosen means any.",
        (
            _axis(
                "perspective",
                "betrayed",
                "The betrayed partner",
                "told by the betrayed partner — the point of view you chose",
            ),
            _axis(
                "perspective",
                "partner",
                "The straying partner",
                "told by the straying partner — the point of view you chose",
            ),
            _axis("perspective", "rival", "The rival", "told by the rival — the point of view you chose"),
            _axis(
                "perspective", "multiple", "Several of them", "told from several sides — the point of view you chose"
            ),
        ),
        multiple=True,
        hard=False,
        dimension="perspective",
    ),
    Question(
        "consent",
        "Where are your consent limits?",
        "A limit filters the starter list and can become an avoid rule if you confirm it.",
        (
            Answer("any", "No limit", "no consent limit of yours"),
            Answer(
                "no-non-consent",
                "No non-consent",
                "no non-consent — your limit",
                Effect("consent", exclude=frozenset({"non-consent"})),
            ),
            Answer(
                "no-coercion",
                "No coercion or non-consent",
                "no coercion or non-consent — your limit",
                Effect("consent", exclude=frozenset({"coercion", "non-consent"})),
                proposes="no-coercion",
            ),
            Answer(
                "no-manipulation",
                "Nothing past emotional drift (no manipulation, coercion or non-consent)",
                "no manipulation, coercion or non-consent — your limit",
                Effect("consent", exclude=frozenset({"manipulation", "coercion", "non-consent"})),
                proposes="no-coercion",
            ),
        ),
        multiple=False,
        hard=True,
    ),
    Question(
        "centrality",
        "How central may betrayal be?",
        "The most you want; “none” can become the NTR-free avoid rule if you confirm it.",
        (
            Answer("core", "Core: the story is about it", "betrayal may be core — the point of view you chose"),
            Answer(
                "major",
                "Major: a main thread",
                "betrayal at most major — your limit",
                Effect("centrality", range=Range(high=2)),
            ),
            Answer(
                "incidental",
                "Incidental: a side thread",
                "betrayal at most incidental — your limit",
                Effect("centrality", range=Range(high=1)),
            ),
            Answer(
                "none",
                "None: no infidelity at all",
                "no infidelity — your limit",
                Effect("centrality", range=Range(high=0)),
                proposes="ntr-free",
            ),
        ),
        multiple=False,
        hard=True,
    ),
    Question(
        "lengths",
        "How long?",
        "Choose any; none chosen means any.",
        (
            _axis("length", "one-shot", "A one-shot", "a one-shot — the length you chose"),
            _axis("length", "short", "Short (2 to 20 chapters)", "short — the length you chose"),
            _axis("length", "medium", "Medium (21 to 80 chapters)", "medium length — the length you chose"),
            _axis("length", "long", "Long (81 chapters or more)", "long — the length you chose"),
        ),
        multiple=True,
        hard=False,
        dimension="length",
    ),
)
QUESTION_BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}
MAX_ANSWERS = 20  # answers read per question; no question has more

Answers = dict[str, list[str]]  # question key -> chosen answer keys (one for a single-choice question)


def answers_empty() -> Answers:
    return {q.key: ([] if q.multiple else [q.answers[0].key]) for q in QUESTIONS}


def answers_read(getlist: Callable[[str], list[str]], *, keys: Mapping[str, object] | None = None) -> Answers:
    """The answers as sent (a form's or a query string's `getlist`): every key checked against the questions;
    a value that is none of a question's answers is a BadQuery naming the field and the answers it takes.
    `keys`, when given, are every field sent: one that is no question is refused too."""
    for key in keys or ():
        if key not in QUESTION_BY_KEY:
            raise BadQuery(str(key)[:40], f"no such question; the questions are {', '.join(QUESTION_BY_KEY)}")
    answers = answers_empty()
    for question in QUESTIONS:
        chosen = _split(getlist(question.key))
        if len(chosen) > MAX_ANSWERS:
            raise BadQuery(question.key, f"at most {MAX_ANSWERS} answers")
        for value in chosen:
            if value not in question.keys:
                raise BadQuery(question.key, f"no answer {value[:40]!r}; choose from {', '.join(question.keys)}")
        if not question.multiple and len(chosen) > 1:
            raise BadQuery(question.key, f"choose one of {', '.join(question.keys)}")
        if chosen:
            answers[question.key] = list(dict.fromkeys(chosen))
    return answers


def _split(values: list[str]) -> list[str]:
    """`a,b` and repeated fields alike (a query string may say either)."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def answers_stored(data: object) -> Answers:
    """A stored profile (session or database) read leniently: what no longer reads is left out."""
    answers = answers_empty()
    if not isinstance(data, dict):
        return answers
    for question in QUESTIONS:
        values = data.get(question.key)
        kept = [v for v in values if v in question.keys] if isinstance(values, list) else []
        if kept and (question.multiple or len(kept) == 1):
            answers[question.key] = kept
    return answers


def proposed_presets(answers: Answers) -> tuple[str, ...]:
    """The avoid-rule presets these answers propose, in question order."""
    found: list[str] = []
    for question in QUESTIONS:
        chosen = answers.get(question.key, [])
        found += [question.answer(k).proposes for k in chosen if question.answer(k).proposes]
        left_out, preset = question.proposes_if_left_out
        if preset and chosen and left_out not in chosen:
            found.append(preset)
    return tuple(dict.fromkeys(found))


def value_filter(effect: Effect) -> ValueFilter:
    return ValueFilter(include=effect.include, exclude=effect.exclude)
