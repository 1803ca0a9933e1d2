"""The visibility policy: the one place that decides what a viewer may see.

A viewer (who is looking) becomes a `Visibility` (what they may see) here and only here. Every page,
list, count, cache and API endpoint takes a Visibility and asks its predicates; nothing else reads a
viewer's age confirmation or spoiler setting, or the rating sets. Three questions are answered:

* Which titles exist for this viewer? (`visible_title_ids` for querysets, `title_hidden` for one title,
  `Visibility.rating_shown` for the index; all derive from `hidden_ratings`, so they cannot disagree.)
* Which tag assignments and axis values may be shown or counted? (`assignment_shown`, `shown_levels`,
  `axis_counted`; on one page with a per-request reveal: `spoiler_shown`, `axis_shown`, `stage_shown`,
  `tag_shown`.)
* What does a listing say about what it left out? (`hidden_notes`.)

Explicit and unknown-rated titles are invisible, not merely blurred, until the viewer confirms 18+:
they 404, and they are absent from lists, counts and the API (DESIGN §3). Spoilers come at three
levels (none / minor / major); a viewer shows none of them, the minor ones, or all.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from django.db import models

from shuraba.core.errors import BadQuery

if TYPE_CHECKING:
    from django.http import HttpRequest

# Ratings hidden until 18+ is confirmed. "unknown" is treated as explicit: default deny. The rule is an
# allowlist (SAFE_RATINGS), so a rating nobody thought of is hidden too.
AGE_GATED_RATINGS: frozenset[str] = frozenset({"explicit", "unknown"})
SAFE_RATINGS: frozenset[str] = frozenset({"all-ages", "teen", "mature", "not-adult"})

# What an anonymous visitor chose, kept in the session (and merged into the account at sign-in: the
# `_AT` keys say when, so the newer choice wins).
SESSION_ADULT = "shuraba.adult"
SESSION_ADULT_AT = "shuraba.adult_at"
SESSION_SPOILERS = "shuraba.spoilers"
SESSION_SPOILERS_AT = "shuraba.spoilers_at"
SESSION_TITLE_REVEALS = "shuraba.title_reveals"  # {title slug: "?reveal= tokens"}
SESSION_LEGACY_REVEAL = "shuraba.reveal_spoilers"  # the yes/no of sessions made before the three levels
SESSION_RULES = "shuraba.avoid_rules"  # {"rules": [lines], "presets": [keys]} for anonymous visitors

# A fact's spoiler level, mildest first (catalog.models.SpoilerLevel), and what a viewer shows.
SPOILER_LEVELS = ("none", "minor", "major")
SpoilerSetting = Literal["none", "minor", "all"]
SPOILER_SETTINGS: tuple[SpoilerSetting, ...] = ("none", "minor", "all")
_SHOWN_LEVELS: dict[str, tuple[str, ...]] = {"none": ("none",), "minor": ("none", "minor"), "all": SPOILER_LEVELS}
# What the status bar says is in force.
SPOILER_STATUS: dict[str, str] = {
    "none": "spoilers hidden",
    "minor": "minor spoilers shown",
    "all": "all spoilers shown",
}

# Which formula stage reveals which spoiler axis: revealing the stage reveals the axis.
SPOILER_AXIS_STAGE = {"revelation": "revelation", "ending": "resolution"}
SPOILER_AXIS_LEVEL = "major"  # the revelation and the ending give the story away
STAGE_KEYS = ("relationship", "third-party", "drift", "revelation", "resolution")
REVEAL_ALL = "all"
REVEAL_TAGS = "tags"
REVEAL_TOKENS = (REVEAL_ALL, REVEAL_TAGS, *STAGE_KEYS)
_REVEAL_WORDS = {REVEAL_TAGS: "spoiler tags", **{key: f"the {key.replace('-', ' ')} stage" for key in STAGE_KEYS}}

M = TypeVar("M", bound=models.Model)


class AvoidRule(Protocol):
    """A reader's canonical avoid rule (accounts/rules.py): it names itself, says why, and is both a
    bitmap over the search index and a condition on titles; `form="exact"` leaves out the titles it
    hides only because they are not classified yet."""

    @property
    def key(self) -> Hashable: ...

    @property
    def name(self) -> str: ...

    def describe(self) -> str: ...

    def condition(self, *, form: str | None = None) -> models.Q: ...


@dataclass(frozen=True)
class Viewer:
    """Who is looking: what the session and the account say. Only this module reads its fields."""

    is_adult: bool = False
    spoilers: SpoilerSetting = "none"
    user_id: int | None = None
    rules: tuple[AvoidRule, ...] = ()  # avoid rules as read (accounts/rules.py), canonical order
    rule_lines: tuple[str, ...] = ()  # and as the reader wrote them
    presets: tuple[str, ...] = ()


ANONYMOUS = Viewer()


@dataclass(frozen=True)
class RuleCount:
    """How many titles of one listing one of the viewer's own rules hid (never which)."""

    name: str
    count: int
    unclassified: int  # of those, hidden only because they are not classified yet (or on evidence)


@dataclass(frozen=True)
class Hidden:
    """Why something is not shown. `count` is None where saying how many would itself leak."""

    reason: str
    why: str
    count: int | None = None
    rules: tuple[RuleCount, ...] = ()


@dataclass(frozen=True)
class Visibility:
    """What a viewer may see. Made by `visibility_of`; every cache of anything it shapes is keyed by `.key`."""

    hidden_ratings: frozenset[str] = AGE_GATED_RATINGS
    spoilers: SpoilerSetting = "none"
    rules: tuple[AvoidRule, ...] = ()  # canonical avoid rules, in a stable order; none yet

    @cached_property
    def key(self) -> tuple[Any, ...]:
        """Two visibilities with the same key show exactly the same things."""
        return (tuple(sorted(self.hidden_ratings)), self.spoilers, tuple(rule.key for rule in self.rules))

    @property
    def age_gated(self) -> bool:
        return bool(self.hidden_ratings)

    @property
    def shows_every_spoiler(self) -> bool:
        return self.spoilers == "all"

    @property
    def spoiler_status(self) -> str:
        """The spoiler level in force, in the words of the status bar."""
        return SPOILER_STATUS[self.spoilers]

    def spoiler_setting_is(self, setting: str) -> bool:
        """Is this the level in force? (The settings form ticks that choice.)"""
        return self.spoilers == setting

    def rating_shown(self, rating: str) -> bool:
        shown = self.shown_ratings
        return shown is None or rating in shown

    @property
    def shown_ratings(self) -> frozenset[str] | None:
        """The ratings this viewer may see; None: every rating. An allowlist once anything is hidden."""
        return None if not self.age_gated else SAFE_RATINGS - self.hidden_ratings

    @property
    def shown_levels(self) -> tuple[str, ...]:
        """The spoiler levels of the tag assignments this viewer may see, listed and counted."""
        return _SHOWN_LEVELS[self.spoilers]

    def assignment_shown(self, level: str) -> bool:
        return level in self.shown_levels

    def axis_counted(self, *, spoiler: bool) -> bool:
        """May a listing count (and so print) this axis's values? Spoiler axes filter silently otherwise."""
        return not spoiler or self.assignment_shown(SPOILER_AXIS_LEVEL)


# The most restrictive visibility: what anyone may see. Cards are the same for every viewer (the index
# keeps one per title), so a card shows only facts PUBLIC may see.
PUBLIC = Visibility()
EVERYTHING = Visibility(hidden_ratings=frozenset(), spoilers="all")


def visibility_of(viewer: Viewer) -> Visibility:
    """The one translation from who is looking to what they may see."""
    return Visibility(
        hidden_ratings=frozenset() if viewer.is_adult else AGE_GATED_RATINGS,
        spoilers=viewer.spoilers,
        rules=viewer.rules,
    )


def feed_visibility(visibility: Visibility) -> Visibility:
    """What a feed or the sitemap shows whoever asks: the public visibility (not confirmed 18+, the default
    spoiler setting: feeds are read by other sites and by feed readers with no session), keeping only the
    requester's own avoid rules, so a reader's hidden titles stay hidden there too."""
    return Visibility(rules=visibility.rules)


def rules_waived(visibility: Visibility) -> Visibility:
    """The same visibility without the avoid rules: "show it once" on a rule-hidden title (never the age gate)."""
    return Visibility(hidden_ratings=visibility.hidden_ratings, spoilers=visibility.spoilers)


@dataclass(frozen=True)
class Reveal:
    """What the viewer asked to reveal on this one request (`?reveal=revelation,resolution`)."""

    tokens: frozenset[str] = field(default_factory=frozenset)

    @property
    def everything(self) -> bool:
        return REVEAL_ALL in self.tokens

    def as_param(self) -> str:
        return ",".join(t for t in REVEAL_TOKENS if t in self.tokens)

    def plus(self, token: str) -> Reveal:
        return Reveal(self.tokens | {token})

    def describe(self) -> str:
        """In words, for the settings page: "every spoiler", or "spoiler tags, the resolution stage"."""
        if self.everything:
            return "every spoiler"
        return ", ".join(_REVEAL_WORDS[t] for t in REVEAL_TOKENS if t in self.tokens)

    def union(self, other: Reveal) -> Reveal:
        return Reveal(self.tokens | other.tokens)

    def adds_to(self, other: Reveal) -> bool:
        """Does this reveal show something `other` does not (so remembering it would change anything)?"""
        return bool(self.tokens - other.tokens) and not other.everything


NOTHING_REVEALED = Reveal()


def reveal_parse(raw: str | None) -> Reveal:
    """Parse `?reveal=`: a comma list of `all`, `tags` and formula stage keys."""
    if not raw:
        return NOTHING_REVEALED
    tokens = frozenset(t.strip() for t in raw.split(",") if t.strip())
    unknown = sorted(tokens - set(REVEAL_TOKENS))
    if unknown:
        raise BadQuery("reveal", f"unknown value {unknown[0]!r}; use {', '.join(REVEAL_TOKENS)}")
    return Reveal(tokens)


def spoiler_setting_of(value: object) -> SpoilerSetting:
    """A stored spoiler choice as a setting; anything unexpected is the strictest one."""
    return next((s for s in SPOILER_SETTINGS if s == value), "none")


def reveal_remembered(request: HttpRequest, *, slug: str) -> Reveal:
    """What this viewer asked to keep revealed on one title: on the account, or in the session."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from shuraba.accounts.models import TitleReveal  # noqa: PLC0415 (the models are not ready at import)

        stored = TitleReveal.objects.filter(user=user, title__slug=slug).values_list("tokens", flat=True).first()
    else:
        session = getattr(request, "session", None)
        stored = (session.get(SESSION_TITLE_REVEALS) or {}).get(slug) if session is not None else None
    return reveal_stored(stored)


def reveal_stored(raw: object) -> Reveal:
    """A remembered reveal as it was stored; tokens no longer known (a renamed stage) are dropped."""
    if not isinstance(raw, str):
        return NOTHING_REVEALED
    return Reveal(frozenset(t for t in raw.split(",") if t in REVEAL_TOKENS))


# --- titles -------------------------------------------------------------------------------------


def _rating_visible(visibility: Visibility) -> models.QuerySet[Any, Any]:
    from shuraba.catalog.models import Title  # noqa: PLC0415 (catalog's models import accounts' User)

    titles = Title.objects.order_by()
    shown = visibility.shown_ratings
    if shown is not None:
        titles = titles.filter(content_rating__in=sorted(shown))
    return titles


def visible_title_ids(visibility: Visibility) -> models.QuerySet[Any, Any]:
    """The ids of the titles this visibility shows, as a subquery: `filter(title__in=visible_title_ids(v))`.
    The age gate, then every avoid rule: a title any rule matches is not there."""
    titles = _rating_visible(visibility)
    for rule in visibility.rules:
        titles = titles.exclude(rule.condition())
    return titles.values("pk")


def rules_hidden_counts(
    visibility: Visibility, listing: models.QuerySet[Any, Any]
) -> tuple[int, tuple[RuleCount, ...]]:
    """What the viewer's rules hid from a listing of titles (a queryset of Title before the rules): how
    many, and per rule (in `visibility.rules` order) how many and how many of those only because they are
    not classified yet. The SQL side of the engine's count; `rules_note` words it."""
    listed = listing.filter(pk__in=_rating_visible(visibility).values("pk"))
    hidden = listed.exclude(pk__in=visible_title_ids(visibility))
    counts = tuple(
        RuleCount(
            rule.name,
            hidden.filter(rule.condition()).count(),
            hidden.filter(rule.condition()).exclude(rule.condition(form="exact")).count(),
        )
        for rule in visibility.rules
    )
    return hidden.count(), counts


def rules_note(total: int, counts: tuple[RuleCount, ...]) -> Hidden:
    """The listing's note on the viewer's rules; said even when they hid nothing (the reader can trust it)."""
    if not total:
        why = "Your avoid rules hid nothing here."
    else:
        why = f"{total} {'title' if total == 1 else 'titles'} hidden by your avoid rules."
    return Hidden("rules", why, total, tuple(c for c in counts if c.count))


def titles_visible(visibility: Visibility, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Restrict a queryset of titles to the ones this visibility shows."""
    return queryset.filter(pk__in=visible_title_ids(visibility))


AGE_GATE_NOTE = Hidden(
    "age-gate",
    "Explicit titles and titles without a known rating are hidden until you confirm you are 18 or older; "
    "they are left out of every count too.",
)


RulesLookup = Callable[[Visibility, int], "tuple[str, ...] | None"]
_rules_lookup: RulesLookup | None = None


def rules_lookup_register(lookup: RulesLookup | None) -> None:
    """Answer `title_hidden`'s rules from an in-memory index (search registers its rule bitmaps, which
    agree with the rules' SQL side): `lookup(visibility, title_id)` gives the names of the rules that hide
    the title, or None for a title it does not know, which the database then answers."""
    global _rules_lookup  # noqa: PLW0603 (one lookup per process, registered when the apps are ready)
    _rules_lookup = lookup


def title_hidden(visibility: Visibility, *, title_id: int, content_rating: str) -> Hidden | None:
    """Why one title is hidden from this visibility, or None when it is shown: the age gate first (a title
    behind it does not exist for the viewer), then the avoid rules (named, never what matched)."""
    if not visibility.rating_shown(content_rating):
        return AGE_GATE_NOTE
    if not visibility.rules:
        return None
    names = _rules_lookup(visibility, title_id) if _rules_lookup is not None else None
    if names is None:  # no index, or one that has not read the title: the rules' SQL side decides
        from shuraba.catalog.models import Title  # noqa: PLC0415 (catalog's models import accounts' User)

        one = Title.objects.filter(pk=title_id)
        names = tuple(rule.name for rule in visibility.rules if one.filter(rule.condition()).exists())
    if not names:
        return None
    why = "Hidden by your avoid rule " + ", ".join(f"“{name}”" for name in names) + "."
    return Hidden("rules", why, rules=tuple(RuleCount(name, 1, 0) for name in names))


def hidden_notes(visibility: Visibility, *, spoiler_dimensions: tuple[str, ...]) -> tuple[Hidden, ...]:
    """What a listing says it left out (never which titles); made once per visibility key."""
    key = (visibility.key, spoiler_dimensions)
    notes = _NOTES.get(key)
    if notes is None:
        if len(_NOTES) > 1024:  # keys grow with avoid rules; the notes are cheap to make again
            _NOTES.clear()
        notes = _NOTES[key] = _hidden_notes(visibility, spoiler_dimensions)
    return notes


_NOTES: dict[tuple[Any, ...], tuple[Hidden, ...]] = {}


def _hidden_notes(visibility: Visibility, spoiler_dimensions: tuple[str, ...]) -> tuple[Hidden, ...]:
    """The notes that do not depend on the listing (the rules' note does: `rules_note`)."""
    notes = [AGE_GATE_NOTE] if visibility.age_gated else []
    if not visibility.axis_counted(spoiler=True):
        notes.append(
            Hidden(
                "spoilers",
                "Filters on endings and revelations work without showing their counts or which value matched; "
                "the titles that pass such a filter are still listed, so filtering on one ending shows which "
                f"titles have it ({', '.join(spoiler_dimensions)}).",
            )
        )
    return tuple(notes)


# --- spoilers -----------------------------------------------------------------------------------


def spoiler_shown(visibility: Visibility, reveal: Reveal, *, level: str, token: str) -> bool:
    """May a fact with this spoiler level be printed, given what was revealed (`token` names it)?"""
    if visibility.assignment_shown(level):
        return True
    return reveal.everything or token in reveal.tokens


def axis_shown(visibility: Visibility, reveal: Reveal, *, axis_key: str, spoiler: bool) -> bool:
    if not spoiler:
        return True
    token = SPOILER_AXIS_STAGE.get(axis_key, REVEAL_ALL)
    return spoiler_shown(visibility, reveal, level=SPOILER_AXIS_LEVEL, token=token)


def stage_shown(visibility: Visibility, reveal: Reveal, *, stage: str, level: str) -> bool:
    return spoiler_shown(visibility, reveal, level=level, token=stage)


def tag_shown(visibility: Visibility, reveal: Reveal, *, level: str) -> bool:
    return spoiler_shown(visibility, reveal, level=level, token=REVEAL_TAGS)


def assignments_shown_q(visibility: Visibility, *, prefix: str = "") -> models.Q:
    """For listings by tag: only the assignments this visibility may see (no reveal on a listing)."""
    if visibility.shown_levels == SPOILER_LEVELS:
        return models.Q()
    return models.Q(**{f"{prefix}spoiler__in": visibility.shown_levels})


def strictest_level(*levels: str) -> str:
    """The strictest of several spoiler levels given to one fact (an unknown level counts as major)."""
    return max(
        levels, key=lambda level: SPOILER_LEVELS.index(level) if level in SPOILER_LEVELS else len(SPOILER_LEVELS)
    )


def card_tag_shown(*, level: str, warning: bool) -> bool:
    """May a tag appear on a title's card? Cards are shared by every viewer: only what PUBLIC may see,
    and no content warnings (they have their own place on the title page)."""
    return not warning and PUBLIC.assignment_shown(level)


# --- spoiler blocks in readers' text (reviews) ----------------------------------------------------

# A spoiler block tagged with a stage is as much a spoiler as that stage's facts; one without a stage
# may give away anything, so it counts as major.
_BLOCK_STAGE_LEVEL = {"relationship": "minor", "third-party": "minor", "drift": "minor"}


@dataclass(frozen=True)
class Progress:
    """How far a signed-in reader has read one title (their library entry; nothing shelved: chapter 0)."""

    chapters_read: int = 0
    finished: bool = False


def block_level(stage: str | None) -> str:
    return _BLOCK_STAGE_LEVEL.get(stage or "", SPOILER_AXIS_LEVEL)


def block_shown(
    visibility: Visibility, reveal: Reveal, *, progress: Progress | None, stage: str | None, chapter: int | None
) -> bool:
    """Is a spoiler block in a reader's text shown unfolded? To a signed-in reader who has read that far
    (finished the title, or read up to the block's chapter), or whose spoiler setting or reveal for this
    title shows its stage. An anonymous visitor (`progress` None) sees every block folded until they open it.
    `chapter` is the block's own, or the writer's progress when the block names none (None: unknown)."""
    if progress is None:
        return False
    if progress.finished or (chapter is not None and progress.chapters_read >= chapter):
        return True
    return spoiler_shown(visibility, reveal, level=block_level(stage), token=stage or REVEAL_ALL)
