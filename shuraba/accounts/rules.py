"""Avoid rules: a reader's persistent "never show me this", as data (DESIGN §3).

A rule is one line of the query syntax's words (search/syntax.py), read as a conjunction: every word must
hold for a title to be hidden, and words marked as exceptions let a title through again.

    subgenre:netorare consent:coercion,non-consent -revenge     netorare with coercion, unless tagged revenge
    centrality:>=major ending:tragedy                           central betrayal that ends in tragedy
    warning:*>=graphic                                          any content warning at graphic severity
    creator:some-creator                                        anything by this creator
    preset:ntr-free unclassified:allow                          a preset, in its relaxed form

Words: a tag (slug or quoted name, `tag>=60` for a minimum relevance); `-tag` an exception; a dimension
with values (`ending:tragedy,open`, `subgenre:*` for any value, `subgenre:netorare>=0.5` for a minimum
weight, `consent:!mutual` an exception); a range (`centrality:>=major`, `intensity:4..`, `year:..1990`);
`warning:slug` or `warning:*`, optionally `>=severity`; `creator:slug,slug`; `preset:name`; and
`unclassified:allow`, which relaxes the rule (below). A reader's rules combine with OR.

Strict and relaxed. A real catalog is mostly unclassified, so a rule over a profile axis is strict by
default: a title with no value on that axis counts as matching (it is hidden, and the hidden count says
"not classified yet"), exactly as an unknown rating counts as explicit. (A title at centrality "none" has
no NTR subgenre by definition: it is classified on the subgenre axis, filters.KNOWN_EMPTY_WHEN.)
`unclassified:allow` relaxes it: an unclassified title then matches only on evidence, a pending
classification suggestion for a matching value or, on the NTR axes (centrality, subgenre), an infidelity tag.

Rules match every assignment, spoiler-level ones included; they are enforced by the visibility policy
(accounts/policies.py), which holds them as `AvoidRule` values inside a `Visibility`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.text import slugify
from pyroaring import BitMap

from shuraba.accounts.policies import EVERYTHING, PUBLIC, visible_title_ids
from shuraba.catalog.models import Creator, Severity
from shuraba.core.errors import BadQuery
from shuraba.search.cache import cache_key
from shuraba.search.filters import (
    AllOf,
    AnyOf,
    AxisUnknown,
    CreatorIs,
    Filter,
    InRange,
    Not,
    Suggested,
    TagHas,
    ValueIn,
    WarningAtLeast,
    WeightAtLeast,
)
from shuraba.search.query import DIMENSIONS, NUMERIC_FIELDS, PROFILE_DIMENSIONS, RANGE_AXES, Range
from shuraba.search.syntax import TOKEN, range_parse, unquote
from shuraba.search.vocab import Vocabulary, vocabulary
from shuraba.taxonomy.models import WARNING_CATEGORY, Tag

if TYPE_CHECKING:
    from shuraba.search.storage import SearchIndex

MAX_RULES = 20
MAX_RULE_LENGTH = 500
MAX_WORDS = 30
SEVERITIES = tuple(Severity.values)  # mildest first
EVIDENCE_TAG = "infidelity"  # an imported Netorare, Netori or Cheating tag maps to it (importers/aliases.toml)
EVIDENCE_AXES = ("centrality", "subgenre")
KEYS = (*DIMENSIONS, *RANGE_AXES, *NUMERIC_FIELDS, "tag", "warning", "creator", "preset", "unclassified")


class RuleError(BadQuery):
    """A rule that does not read: names the rule (1-based), the word and its position in the line."""

    def __init__(self, message: str, *, rule: int, token: str, position: int, param: str = "rules") -> None:
        super().__init__(param, f"rule {rule}, at position {position} ({token[:60]!r}): {message}")
        self.rule, self.token, self.position = rule, token, position


# --- presets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    lines: tuple[str, ...]  # clauses, combined with OR
    why: str


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "ntr-free",
            "NTR-free",
            ("centrality:>=incidental", "subgenre:*", "warning:infidelity"),
            "infidelity in them (centrality incidental or more), any NTR subgenre, or an infidelity warning",
        ),
        Preset(
            "no-coercion",
            "No coercion or non-consent",
            ("consent:coercion,non-consent",),
            "consent coercion or non-consent",
        ),
        Preset("no-tragedy", "No tragic endings", ("ending:tragedy",), "a tragic ending"),
        Preset("no-graphic", "No graphic warnings", ("warning:*>=graphic",), "any content warning at graphic severity"),
    )
}


# --- one parsed clause --------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """A conjunction: every `positive` holds and no `exception` does. Axis positives carry their axis, so
    the strict and relaxed forms can add "or not classified yet"."""

    positives: tuple[tuple[str | None, Filter, frozenset[str]], ...]  # (profile axis or None, filter, keys)
    exceptions: tuple[Filter, ...]
    words: tuple[str, ...]  # canonical words, sorted: the clause's identity
    english: str

    def filter(self, *, form: str) -> Filter:
        """`exact`: classified matches only; `strict`: unclassified counts; `relaxed`: unclassified on evidence."""
        parts: list[Filter] = []
        for axis, f, keys in self.positives:
            if axis is None or form == "exact":
                parts.append(f)
            elif form == "strict":
                parts.append(AnyOf((f, AxisUnknown(axis))))
            else:
                evidence: list[Filter] = [Suggested(axis, keys)]
                if axis in EVIDENCE_AXES:
                    evidence.append(TagHas(EVIDENCE_TAG, every_assignment=True))
                parts.append(AnyOf((f, AllOf((AxisUnknown(axis), AnyOf(tuple(evidence)))))))
        if self.exceptions:
            parts.append(Not(AnyOf(self.exceptions)))
        return AllOf(tuple(parts)) if len(parts) > 1 else parts[0]

    @property
    def has_axis(self) -> bool:
        return any(axis is not None for axis, _, _ in self.positives)


@dataclass
class _Words:
    positives: list[tuple[str | None, Filter, frozenset[str]]] = field(default_factory=list)
    exceptions: list[Filter] = field(default_factory=list)
    canonical: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)
    unless: list[str] = field(default_factory=list)
    relaxed: bool = False
    preset: Preset | None = None


# A rating that says only "at most mature" may be any rating up to mature: a rule hiding one of them hides it
# too (strict, as an unknown rating counts as explicit); an exception or a search filter names it exactly.
RATING_BOUNDS = {"not-adult": frozenset({"all-ages", "teen", "mature"})}


def _rating_bounds(key: str, include: set[str]) -> frozenset[str]:
    if key != "content_rating":
        return frozenset()
    return frozenset(bound for bound, within in RATING_BOUNDS.items() if include & within)


def _closest(vocab: Vocabulary, word: str, choices: Iterable[str]) -> str:
    return vocab.closest(word, tuple(choices))


def _split_minimum(raw: str) -> tuple[str, str | None]:
    name, sep, minimum = raw.partition(">=")
    return (name, minimum) if sep else (raw, None)


class _Reader:
    def __init__(self, vocab: Vocabulary, *, rule: int, warnings: frozenset[str], creators: frozenset[str]) -> None:
        self.vocab, self.rule, self.warnings, self.creators = vocab, rule, warnings, creators
        self.token, self.position = "", 0

    def fail(self, message: str) -> RuleError:
        return RuleError(message, rule=self.rule, token=self.token, position=self.position)

    def tag(self, word: str) -> str:
        slug = slugify(word)
        if slug not in self.vocab.tags:
            raise self.fail(f"unknown tag {word[:60]!r}{_closest(self.vocab, slug, self.vocab.tags)}")
        return slug

    def tag_word(self, raw: str, words: _Words, *, exception: bool) -> None:
        name, minimum = _split_minimum(raw)
        slug = self.tag(unquote(name))
        if exception:
            if minimum is not None:
                raise self.fail("an exception names a tag without a relevance")
            words.exceptions.append(TagHas(slug, every_assignment=True))
            words.canonical.append(f"-{slug}")
            words.unless.append(f"tagged {slug}")
            return
        least = 0
        if minimum is not None:
            if not (minimum.isascii() and minimum.isdigit() and len(minimum) <= 3 and int(minimum) <= 100):
                raise self.fail("a tag's minimum relevance is a whole number from 0 to 100, as in cheating>=60")
            least = int(minimum)
        words.positives.append((None, TagHas(slug, least, every_assignment=True), frozenset()))
        words.canonical.append(f"{slug}>={least}" if least else slug)
        words.english.append(f"tagged {slug}" + (f" at relevance {least} or more" if least else ""))

    def dimension(self, key: str, raw: str, words: _Words) -> None:
        include: set[str] = set()
        exclude: set[str] = set()
        weight: dict[str, float] = {}
        for part in raw.split(","):
            negate = part.startswith("!")
            word, minimum = _split_minimum(part[1:] if negate else part)
            if not word:
                raise self.fail(f"an empty value in {key}")
            if word == "*":
                if negate or minimum is not None:
                    raise self.fail(f"{key}:* means any value; it takes no ! and no minimum")
                include.update(self.vocab.values[key] if key in PROFILE_DIMENSIONS else ())
                if key not in PROFILE_DIMENSIONS:
                    raise self.fail(f"{key}:* would hide every title; name the values")
                continue
            try:
                value = self.vocab.value(key, word, param="rules")
            except BadQuery as exc:
                raise self.fail(exc.message) from exc
            if minimum is not None:
                if key != "subgenre" or negate:
                    raise self.fail("only a subgenre takes a minimum weight, as in subgenre:netorare>=0.5")
                try:
                    least = float(minimum)
                except ValueError:
                    least = -1.0
                if not 0 <= least <= 1:
                    raise self.fail("a subgenre's minimum weight is a number from 0 to 1, as in >=0.5")
                weight[value] = least
            (exclude if negate else include).add(value)
        if include:
            plain = frozenset(include - set(weight)) | _rating_bounds(key, include)
            parts: list[Filter] = [ValueIn(key, plain)] if plain else []
            parts += [WeightAtLeast(k, w) for k, w in sorted(weight.items())]
            f = parts[0] if len(parts) == 1 else AnyOf(tuple(parts))
            axis = key if key in PROFILE_DIMENSIONS else None
            words.positives.append((axis, f, frozenset(include)))
            every = key in PROFILE_DIMENSIONS and include == set(self.vocab.values[key])
            shown = ["*"] if every else [f"{v}>={weight[v]:g}" if v in weight else v for v in sorted(include)]
            words.canonical.append(f"{key}:{','.join(shown)}")
            label = key.replace("_", " ")
            bounds = sorted(_rating_bounds(key, include) - include)
            words.english.append(
                (
                    f"any {label}"
                    if every
                    else f"{label} "
                    + " or ".join(f"{v} (weight {weight[v]:g}+)" if v in weight else v for v in sorted(include))
                )
                + "".join(f" (or {b}, which may be {' or '.join(sorted(include & RATING_BOUNDS[b]))})" for b in bounds)
            )
        if exclude:
            words.exceptions.append(ValueIn(key, frozenset(exclude)))
            words.canonical.append(f"{key}:{','.join('!' + v for v in sorted(exclude))}")
            words.unless.append(f"{key.replace('_', ' ')} {' or '.join(sorted(exclude))}")

    def range(self, key: str, raw: str, words: _Words) -> None:
        try:
            r = range_parse(key, raw, self.vocab, param="rules")
        except BadQuery as exc:
            raise self.fail(exc.message) from exc
        if r.is_empty():
            raise self.fail(f"{key} range is empty")
        axis = key if key in RANGE_AXES else None
        keys = frozenset(k for k, rank in self.vocab.ranks.get(key, {}).items() if r.contains(rank))
        words.positives.append((axis, InRange(key, r), keys))
        words.canonical.append(f"{key}:{_range_text(r, self.vocab.ranks.get(key, {}))}")
        words.english.append(_range_english(key, r, self.vocab))

    def warning(self, raw: str, words: _Words) -> None:
        name, minimum = _split_minimum(raw)
        if minimum is None:
            severity = SEVERITIES[0]
        elif minimum in SEVERITIES:
            severity = minimum
        else:
            raise self.fail(f"unknown severity {minimum[:40]!r}; use {', '.join(SEVERITIES)}")
        if name == "*":
            slugs = sorted(self.warnings)
        else:
            slug = slugify(unquote(name))
            if slug not in self.warnings:
                raise self.fail(f"{name[:60]!r} is not a content warning{_closest(self.vocab, slug, self.warnings)}")
            slugs = [slug]
        milder = SEVERITIES[: SEVERITIES.index(severity)]
        parts = tuple(WarningAtLeast(slug, severity, milder) for slug in slugs)
        words.positives.append((None, parts[0] if len(parts) == 1 else AnyOf(parts), frozenset()))
        words.canonical.append(f"warning:{name if name == '*' else slugs[0]}" + (f">={severity}" if milder else ""))
        what = "any content warning" if name == "*" else f"a {slugs[0]} warning"
        words.english.append(what + (f" at {severity} severity or worse" if milder else ""))

    def creator(self, raw: str, words: _Words) -> None:
        slugs = set()
        for part in raw.split(","):
            slug = slugify(unquote(part))
            if slug not in self.creators:
                raise self.fail(f"unknown creator {part[:60]!r}{_closest(self.vocab, slug, _creators_hinted())}")
            slugs.add(slug)
        words.positives.append((None, CreatorIs(frozenset(slugs)), frozenset()))
        words.canonical.append(f"creator:{','.join(sorted(slugs))}")
        words.english.append("by " + " or ".join(sorted(slugs)))

    def word(self, match: re.Match[str], words: _Words) -> None:
        negate, key, raw = match.group(1), match.group(2), match.group(3)
        self.token = match.group(0).strip()
        self.position = match.start(1) if negate else match.start(2 if key else 3)
        if raw.startswith('"') and (len(raw) < 2 or not raw.endswith('"')):
            raise self.fail("unclosed quote")
        if key is None or key == "tag":
            self.tag_word(raw, words, exception=bool(negate))
            return
        if negate:
            raise self.fail(f"use {key}:!value for an exception")
        key = {"rating": "content_rating", "content-rating": "content_rating"}.get(key, key.replace("-", "_"))
        value = unquote(raw)
        if key in DIMENSIONS:
            self.dimension(key, value, words)
        elif key in RANGE_AXES or key in NUMERIC_FIELDS:
            self.range(key, value, words)
        elif key == "warning":
            self.warning(value, words)
        elif key == "creator":
            self.creator(value, words)
        elif key == "unclassified":
            if value not in ("allow", "hide"):
                raise self.fail("unclassified takes allow (relaxed) or hide (strict, the default)")
            words.relaxed = value == "allow"
        elif key == "preset":
            if value not in PRESETS:
                raise self.fail(
                    f"unknown preset {value[:40]!r}{_closest(self.vocab, value, PRESETS)}; presets: "
                    + ", ".join(PRESETS)
                )
            words.preset = PRESETS[value]
        else:
            hint = _closest(self.vocab, key, KEYS)
            raise self.fail(
                f"unknown key {key[:40]!r}{hint}" if hint else f"unknown key {key[:40]!r}; keys: {', '.join(KEYS)}"
            )


def _range_text(r: Range, ranks: dict[str, int]) -> str:
    """`>=incidental`, `core`, `2..4`, `..1990`: value names where the axis has them (they read back)."""
    names = {rank: name for name, rank in ranks.items()}

    def show(n: int) -> str:
        return names.get(n, str(n))

    if r.low is not None and r.low == r.high:
        return show(r.low)
    if r.high is None and r.low is not None:
        return f">={show(r.low)}"
    if r.low is None and r.high is not None:
        return f"<={show(r.high)}"
    return f"{show(r.low)}..{show(r.high)}"  # type: ignore[arg-type]


def _range_english(key: str, r: Range, vocab: Vocabulary) -> str:
    names = {rank: name for name, rank in vocab.ranks.get(key, {}).items()}

    def show(n: int | None) -> str:
        return names.get(n, str(n)) if n is not None else ""

    if r.low is not None and r.high is not None:
        return f"{key} {show(r.low)}" if r.low == r.high else f"{key} {show(r.low)} to {show(r.high)}"
    return f"{key} {show(r.low)} or more" if r.low is not None else f"{key} {show(r.high)} or less"


def _clause(words: _Words) -> Clause:
    english = ", ".join(words.english)
    if words.unless:
        english += ", unless " + " or ".join(words.unless)
    return Clause(
        positives=tuple(words.positives),
        exceptions=tuple(words.exceptions),
        words=tuple(sorted(words.canonical)),
        english=english,
    )


# --- a rule -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AvoidRule:
    """One of a reader's rules, canonical: the clauses (OR), the form, a name. Two rules written
    differently but meaning the same have the same `key`, so their caches are shared."""

    clauses: tuple[Clause, ...]
    relaxed: bool
    name: str
    text: str  # canonical text, one line (what `rule_parse` reads back)
    why: str = ""
    broken: bool = False  # a stored rule that no longer reads: it hides everything until fixed

    @cached_property
    def key(self) -> tuple[object, ...]:
        return ("broken",) if self.broken else (tuple(sorted(c.words for c in self.clauses)), self.relaxed)

    @property
    def has_axis(self) -> bool:
        return any(c.has_axis for c in self.clauses)

    def describe(self) -> str:
        if self.broken:
            return f"{self.name}: this rule no longer reads ({self.why}); it hides everything until you fix it"
        what = self.why or " or ".join(c.english for c in self.clauses)
        if not self.has_axis:
            return f"Hides titles with {what}."
        form = (
            "titles not classified yet are hidden only on evidence (a pending suggestion or an infidelity tag)"
            if self.relaxed
            else "titles not classified yet count as matching"
        )
        return f"Hides titles with {what}; {form}."

    def filter(self, *, form: str | None = None) -> Filter:
        """The rule as a filter: its own form (strict or relaxed), or `exact` (classified matches only)."""
        form = form or ("relaxed" if self.relaxed else "strict")
        parts = tuple(c.filter(form=form) for c in self.clauses)
        return parts[0] if len(parts) == 1 else AnyOf(parts)

    def bitmap(self, index: SearchIndex, *, form: str | None = None) -> BitMap:
        """Every slot the rule hides, once per rule and catalog version (index caches drop on change)."""
        if self.broken:
            return index.live
        which = form or ("relaxed" if self.relaxed else "strict")
        bitmap: BitMap = index.cached(
            cache_key("rule", self.key, which), lambda: BitMap(self.filter(form=which).bitmap(index, EVERYTHING))
        )
        return bitmap

    def condition(self, *, form: str | None = None) -> Q:
        """The titles the rule hides, as a condition on titles (the SQL side of the same rule)."""
        if self.broken:
            return Q()
        return self.filter(form=form).condition(EVERYTHING)


def _rule_read(
    line: str, vocab: Vocabulary, *, rule: int, warnings: frozenset[str], creators: frozenset[str]
) -> AvoidRule:
    line = line.strip()
    if len(line) > MAX_RULE_LENGTH:
        raise RuleError(f"a rule is at most {MAX_RULE_LENGTH} characters", rule=rule, token=line[:20], position=0)
    reader, words, position, count = _Reader(vocab, rule=rule, warnings=warnings, creators=creators), _Words(), 0, 0
    while position < len(line) and line[position:].strip():
        match = TOKEN.match(line, position)
        if match is None or match.end() == position:
            raise RuleError("cannot read this", rule=rule, token=line[position : position + 20], position=position)
        count += 1
        if count > MAX_WORDS:
            raise RuleError(f"a rule has at most {MAX_WORDS} words", rule=rule, token=match.group(0), position=position)
        reader.word(match, words)
        position = match.end()
    if words.preset is not None:
        if words.positives or words.exceptions:
            raise RuleError(
                "a preset stands alone on its line (with unclassified:allow to relax it)",
                rule=rule,
                token=line[:40],
                position=0,
            )
        return preset_rule(words.preset, relaxed=words.relaxed, vocab=vocab)
    if not words.positives:
        raise RuleError(
            "a rule needs something to avoid (a tag, a value, a range, a warning or a creator), not only exceptions",
            rule=rule,
            token=line[:40] or "(empty)",
            position=0,
        )
    clause = _clause(words)
    text = " ".join([*clause.words, *(["unclassified:allow"] if words.relaxed else [])])
    return AvoidRule(clauses=(clause,), relaxed=words.relaxed, name=" ".join(line.split()), text=text)


def preset_rule(preset: Preset, *, relaxed: bool = False, vocab: Vocabulary | None = None) -> AvoidRule:
    vocab = vocab or vocabulary()
    warnings, creators = _names()
    clauses = []
    for number, line in enumerate(preset.lines, start=1):
        reader, words = _Reader(vocab, rule=number, warnings=warnings, creators=creators), _Words()
        for match in TOKEN.finditer(line):
            reader.word(match, words)
        clauses.append(_clause(words))
    text = f"preset:{preset.key}" + (" unclassified:allow" if relaxed else "")
    name = preset.name + (" (relaxed)" if relaxed else "")
    return AvoidRule(clauses=tuple(clauses), relaxed=relaxed, name=name, text=text, why=preset.why)


@lru_cache(maxsize=4)
def _names_at(version: object) -> tuple[frozenset[str], frozenset[str]]:
    warnings = frozenset(Tag.objects.filter(category__key=WARNING_CATEGORY).values_list("slug", flat=True))
    return warnings, frozenset(Creator.objects.values_list("slug", flat=True))


@lru_cache(maxsize=4)
def _creators_hinted_at(version: object) -> frozenset[str]:
    credited = visible_title_ids(PUBLIC)
    return frozenset(Creator.objects.filter(credits__title__in=credited).values_list("slug", flat=True))


def _creators_hinted() -> frozenset[str]:
    """The creators an unknown creator's "did you mean" may name: those credited on a title anyone may see.
    The hint is the same for every reader, so one credited only behind the age gate is never named (its
    name would tell a visitor who has not confirmed 18+ that such a title exists)."""
    from shuraba.core.changelog import changelog_newest  # noqa: PLC0415 (creators change with the catalog)

    return _creators_hinted_at(changelog_newest())


def _names() -> tuple[frozenset[str], frozenset[str]]:
    from shuraba.core.changelog import changelog_newest  # noqa: PLC0415 (creators change with the catalog)

    return _names_at(changelog_newest())


@dataclass(frozen=True)
class RuleSet:
    """A reader's rules as written (lines and preset keys) and as read (canonical rules, sorted by key)."""

    lines: tuple[str, ...] = ()
    presets: tuple[str, ...] = ()
    rules: tuple[AvoidRule, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rules)

    def as_json(self) -> dict[str, list[str]]:
        return {"rules": list(self.lines), "presets": list(self.presets)}


NO_RULES = RuleSet()


def _numbered(lines: Sequence[str]) -> list[tuple[int, str]]:
    """The non-blank lines, numbered as the reader sees them (blank ones count)."""
    return [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()]


def _ruleset(lines: Sequence[str], presets: Sequence[str], read: list[AvoidRule]) -> RuleSet:
    """The rules as written and as read: one per canonical key, in a stable order."""
    unique = {rule.key: rule for rule in read}
    return RuleSet(
        lines=tuple(lines),
        presets=tuple(dict.fromkeys(presets)),
        rules=tuple(unique[k] for k in sorted(unique, key=repr)),
    )


def rules_parse(lines: Sequence[str], presets: Sequence[str] = ()) -> RuleSet:
    """Read a reader's rules; raise RuleError (naming the rule, word and position) on the first bad one."""
    vocab = vocabulary()
    numbered = _numbered(lines)
    if len(numbered) + len(presets) > MAX_RULES:
        raise BadQuery("rules", f"at most {MAX_RULES} rules (presets included), got {len(numbered) + len(presets)}")
    unknown = [p for p in presets if p not in PRESETS]
    if unknown:
        raise BadQuery(
            "presets",
            f"unknown preset {str(unknown[0])[:40]!r}{vocab.closest(str(unknown[0]), tuple(PRESETS))}; "
            f"presets: {', '.join(PRESETS)}",
        )
    warnings, creators = _names()
    read = [preset_rule(PRESETS[key], vocab=vocab) for key in dict.fromkeys(presets)]
    read += [_rule_read(line, vocab, rule=number, warnings=warnings, creators=creators) for number, line in numbered]
    return _ruleset([line for _, line in numbered], presets, read)


def _broken(text: str, why: str) -> AvoidRule:
    return AvoidRule(clauses=(), relaxed=False, name=text[:80], text=text, why=why, broken=True)


@lru_cache(maxsize=1024)
def rules_stored(lines: tuple[str, ...], presets: tuple[str, ...], version: object) -> RuleSet:
    """Rules saved earlier, read against today's vocabulary (`version` keys the cache). One that no longer
    reads (a tag or a preset was removed) is kept as a broken rule that hides everything: a stored rule is
    never silently dropped."""
    try:
        return rules_parse(lines, presets)
    except BadQuery:
        pass
    vocab = vocabulary()
    warnings, creators = _names()
    read = [
        preset_rule(PRESETS[p], vocab=vocab) if p in PRESETS else _broken(f"preset:{p}", "no such preset")
        for p in dict.fromkeys(presets)
    ]
    for number, line in _numbered(lines):
        try:
            read.append(_rule_read(line, vocab, rule=number, warnings=warnings, creators=creators))
        except BadQuery as exc:
            read.append(_broken(line, exc.message))
    return _ruleset(lines, presets, read)


RULES_FILE_FORMAT = "shuraba-avoid-rules/1"


def rules_file_read(data: bytes) -> tuple[list[str], list[str]]:
    """An exported rules file (`{"format": ..., "rules": [...], "presets": [...]}`), checked for shape only;
    the caller reads the rules (rules_parse) before saving anything."""
    if len(data) > 64 * 1024:
        raise BadQuery("import", "a rules file is at most 64 KB")
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadQuery("import", f"not a JSON file ({exc.__class__.__name__}: {str(exc)[:80]})") from exc
    return rules_body_read(body, param="import")


def rules_body_read(body: object, *, param: str) -> tuple[list[str], list[str]]:
    """`{"rules": [str, ...], "presets": [str, ...]}`: both lists of strings (either may be missing)."""
    if not isinstance(body, dict):
        raise BadQuery(param, 'expected an object such as {"rules": ["ending:tragedy"], "presets": ["ntr-free"]}')
    unknown = sorted(set(body) - {"format", "rules", "presets", "updated_at"})  # updated_at: from the data export
    if unknown:
        raise BadQuery(param, f"unknown field {unknown[0][:40]!r}; the fields are rules and presets")
    if "format" in body and body["format"] != RULES_FILE_FORMAT:
        raise BadQuery(param, f"format must be {RULES_FILE_FORMAT!r}, got {str(body['format'])[:40]!r}")
    lists = []
    for name in ("rules", "presets"):
        value = body.get(name, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise BadQuery(param, f"{name} must be a list of strings")
        lists.append(value)
    return lists[0], lists[1]
