"""Which title is this record? Cross-site ids first, then names + year + creators, else an editor decides.

The rules are data (`MATCH_RULES`) so a review can say which one fired; docs/importers.md lists them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

# Source names used by ExternalId and SourceSnapshot; MangaDex `links` keys and a few spellings map onto them.
ID_SOURCES = ("anilist", "mal", "mangadex", "mangaupdates")
ID_ALIASES = {"al": "anilist", "mu": "mangaupdates", "md": "mangadex", "jikan": "mal", "myanimelist": "mal"}

# Thresholds on a 0-100 title similarity (rapidfuzz token_sort_ratio on normalized names).
SAME_NAME = 97.0
AUTO_MERGE = 92.0
REVIEW = 80.0

_LONG_VOWELS = (("ou", "o"), ("oo", "o"), ("uu", "u"))
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _strip_latin_marks(text: str) -> str:
    """Drop diacritics from Latin letters only: decomposing kana would turn が into か."""
    if text.isascii():
        return text
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        out.append(decomposed[0] if decomposed[0].isascii() else char)
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def name_normalize(text: str) -> str:
    """A matching key: NFKC width, casefold, Latin diacritics, long vowels, punctuation and spacing.

    "Ōkami to Kōshinryō", "OKAMI TO KOUSHINRYOU" and "Okami to Koshinryo" give the same key.
    """
    key = _strip_latin_marks(unicodedata.normalize("NFKC", text).casefold())
    for long, short in _LONG_VOWELS:
        key = key.replace(long, short)
    return " ".join(_NOT_WORD.sub(" ", key).replace("_", " ").split())


def creator_normalize(name: str) -> str:
    """Creator names: "Urasawa, Naoki" (MyAnimeList order) and "Naoki Urasawa" give the same key."""
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        name = f"{first} {last}"
    return " ".join(sorted(name_normalize(name).split()))


def source_name(source: str) -> str:
    return ID_ALIASES.get(source.strip().lower(), source.strip().lower())


def _base36(number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = _BASE36[rest] + digits
    return digits or "0"


def external_id_normalize(source: str, value: str) -> str:
    """One spelling per id. MangaUpdates' API gives int64 series ids; its URLs and MangaDex use base36."""
    value = str(value).strip()
    if source == "mangaupdates" and value.isdigit() and int(value) > 10**9:
        return _base36(int(value))
    if source == "mangadex":
        return value.lower()
    return value


def cross_ids_normalize(cross_ids: Mapping[str, str]) -> dict[str, str]:
    """Keep only the ids we store (anilist, mal, mangadex, mangaupdates), normalized."""
    result = {}
    for key, value in cross_ids.items():
        source = source_name(key)
        if source in ID_SOURCES and str(value).strip():
            result[source] = external_id_normalize(source, str(value))
    return result


@dataclass(frozen=True)
class Candidate:
    """A title as the matcher sees it."""

    key: int  # title pk, or a negative placeholder for a title planned in the current chunk
    names: frozenset[str]
    year: int | None
    creators: frozenset[str]
    sources: frozenset[str]  # sources that already name this title (it cannot take a second id from one)


@dataclass(frozen=True)
class Match:
    decision: str  # merge | review | new
    key: int | None
    score: float
    reasons: tuple[str, ...] = ()


def _year_agrees(year: int | None, other: int | None) -> bool | None:
    if year is None or other is None:
        return None
    return abs(year - other) <= 1


def _creators_agree(creators: frozenset[str], other: frozenset[str]) -> bool | None:
    if not creators or not other:
        return None
    return any(fuzz.token_sort_ratio(a, b) >= 90 for a in creators for b in other)


def match_decide(similarity: float, year: bool | None, creators: bool | None) -> tuple[str, str]:
    """The rule table: (decision, the rule that fired). Corroboration means the year or a creator agrees."""
    if creators is False and year is not True:
        return ("review" if similarity >= SAME_NAME else "new"), "creators differ"
    if year is False:
        return ("review" if similarity >= AUTO_MERGE else "new"), "years differ by more than one"
    if similarity >= AUTO_MERGE and (year or creators):
        return "merge", "names match and the year or a creator agrees"
    if similarity >= REVIEW:
        return "review", "names are close but nothing else confirms it"
    return "new", "no close name"


@dataclass
class NameIndex:
    """Normalized names of candidate titles, for fuzzy matching; grows as a run creates titles."""

    candidates: dict[int, Candidate] = field(default_factory=dict)
    _choices: dict[str, tuple[list[str], list[int]]] = field(default_factory=dict)

    def add(self, candidate: Candidate) -> None:
        self.candidates[candidate.key] = candidate
        self._choices.clear()

    def choices(self, source: str) -> tuple[list[str], list[int]]:
        """Names of the titles a record from `source` may join (those no `source` record names yet).

        Cached per source until the next `add`, so an import into a catalog of its own source's titles
        compares against nothing instead of every title.
        """
        if source not in self._choices:
            names: list[str] = []
            owners: list[int] = []
            for key, candidate in self.candidates.items():
                if source not in candidate.sources:
                    names.extend(candidate.names)
                    owners.extend([key] * len(candidate.names))
            self._choices[source] = (names, owners)
        return self._choices[source]

    def match(self, *, source: str, names: Iterable[str], year: int | None, creators: frozenset[str]) -> Match:
        """The best candidate for a record that no id matched (never one already named by `source`)."""
        best: dict[int, float] = {}
        choices, owners = self.choices(source)
        for name in set(names) if choices else ():
            if not name:
                continue
            hits = process.extract(name, choices, scorer=fuzz.token_sort_ratio, score_cutoff=REVIEW, limit=20)
            for _, score, index in hits:
                owner = owners[index]
                best[owner] = max(best.get(owner, 0.0), float(score))
        ranked: list[Match] = []
        for key, similarity in best.items():
            candidate = self.candidates[key]
            decision, rule = match_decide(
                similarity, _year_agrees(year, candidate.year), _creators_agree(creators, candidate.creators)
            )
            ranked.append(Match(decision, key, similarity, (f"name similarity {similarity:.0f}", rule)))
        order = {"merge": 0, "review": 1, "new": 2}
        ranked.sort(key=lambda m: (order[m.decision], -m.score, m.key or 0))
        if not ranked or ranked[0].decision == "new":
            return Match("new", None, ranked[0].score if ranked else 0.0, ranked[0].reasons if ranked else ())
        if ranked[0].decision == "merge" and len(ranked) > 1 and ranked[1].decision == "merge":
            other = ranked[1]
            return Match("review", ranked[0].key, ranked[0].score, (f"two titles match (also #{other.key})",))
        return ranked[0]
