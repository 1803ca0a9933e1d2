"""Reads for pages: what each source says about a title, and where the sources disagree.

Everything passes the visibility policy: nothing for a title the viewer may not see, and spoiler-flagged
tags only when the viewer revealed tags.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shuraba.accounts import policies
from shuraba.accounts.policies import Reveal, Visibility
from shuraba.catalog.models import EXTERNAL_URLS, ContentRating, ExternalSource, Title, TitleTag
from shuraba.importers.merge import SOURCE_PRIORITY
from shuraba.importers.models import SourceSnapshot
from shuraba.taxonomy.models import Tag

SOURCE_LABELS = {"anilist": "AniList", "mangadex": "MangaDex", "mangaupdates": "MangaUpdates", "mal": "MyAnimeList"}
# Terms that ask for credit, shown beside the facts (docs/importers.md, "Sources and their terms").
SOURCE_CREDITS = {
    "anilist": "AniList",
    "mangadex": "MangaDex",
    "mangaupdates": "MangaUpdates (Baka-Updates Manga)",
    "mal": "MyAnimeList, via the Jikan API",
}
COMPARED = {
    "status": "status",
    "chapters": "chapter count",
    "volumes": "volume count",
    "is_adult": "adult flag",
    "content_rating": "the rating their facts support",
}


@dataclass(frozen=True)
class SourceShown:
    source: str
    label: str
    source_id: str
    url: str
    fetched_at: dt.datetime
    values: dict[str, object]
    tags: tuple[str, ...]  # our tag names this source gives, spoilers left out unless revealed


@dataclass(frozen=True)
class SourcesShown:
    sources: tuple[SourceShown, ...] = ()
    disagree: frozenset[str] = frozenset()
    tags_differ: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (tag name, labels of the sources giving it)
    hidden_tags: int = 0
    credits: tuple[str, ...] = field(default_factory=tuple)

    @property
    def disagree_labels(self) -> tuple[str, ...]:
        return tuple(label for key, label in COMPARED.items() if key in self.disagree)


def _url(snapshot: SourceSnapshot) -> str:
    url = str(snapshot.facts.get("url") or "")
    if url.startswith("https://"):
        return url
    if snapshot.source in ExternalSource.values:
        return EXTERNAL_URLS[ExternalSource(snapshot.source)].format(snapshot.source_id)
    return ""


def _said(name: str, shown: list[SourceShown]) -> set[str]:
    """The distinct values the sources give; AniList's bound "not adult" agrees with any rating within it."""
    said = {repr(s.values[name]) for s in shown if s.values[name] is not None}
    if name == "content_rating":
        bound = repr(ContentRating.NOT_ADULT.value)
        within = {repr(r.value) for r in (ContentRating.ALL_AGES, ContentRating.TEEN, ContentRating.MATURE)}
        if bound in said and said - {bound} and said - {bound} <= within:
            said.discard(bound)
    return said


def title_sources(*, visibility: Visibility, reveal: Reveal, title_id: int) -> SourcesShown:
    """What each source says about a title the visibility shows (empty otherwise)."""
    rating = Title.objects.filter(pk=title_id).values_list("content_rating", flat=True).first()
    if rating is None or policies.title_hidden(visibility, title_id=title_id, content_rating=rating) is not None:
        return SourcesShown()
    rank = {name: index for index, name in enumerate(SOURCE_PRIORITY)}
    snapshots = sorted(
        SourceSnapshot.objects.filter(title_id=title_id), key=lambda s: (rank.get(s.source, 9), s.source_id)
    )
    if not snapshots:
        return SourcesShown()
    names = dict(Tag.objects.values_list("slug", "name"))
    # A tag is as much a spoiler as its strictest flag: the title's own (an editor may raise it) or any
    # source's; one source not flagging it must not print it.
    levels = dict(TitleTag.objects.filter(title_id=title_id).values_list("tag__slug", "spoiler"))
    for snap in snapshots:
        for slug, _relevance, spoiler, _severity in snap.facts.get("tags", ()):
            levels[slug] = policies.strictest_level(levels.get(slug, policies.SPOILER_LEVELS[0]), spoiler)
    shown: list[SourceShown] = []
    givers: dict[str, list[str]] = {}
    hidden = 0
    for snap in snapshots:
        label = SOURCE_LABELS.get(snap.source, snap.source)
        tags = []
        for slug, _relevance, _spoiler, _severity in snap.facts.get("tags", ()):
            if not policies.tag_shown(visibility, reveal, level=levels.get(slug, "none")):
                hidden += 1
                continue
            tags.append(names.get(slug, slug))
            givers.setdefault(names.get(slug, slug), []).append(label)
        values = {name: snap.facts.get(name) for name in COMPARED}
        shown.append(SourceShown(snap.source, label, snap.source_id, _url(snap), snap.fetched_at, values, tuple(tags)))
    disagree = frozenset(name for name in COMPARED if len(_said(name, shown)) > 1)
    differ = tuple((tag, tuple(who)) for tag, who in sorted(givers.items()) if len(who) < len(shown))
    credits = tuple(SOURCE_CREDITS[s.source] for s in shown if s.source in SOURCE_CREDITS)
    return SourcesShown(tuple(shown), disagree, differ, hidden, tuple(dict.fromkeys(credits)))


# What each source's score is (docs/importers.md, "What a score is"): its name, the scale the source uses (we
# keep 0-100), and who the votes are.
SCORE_KINDS = {
    "anilist": ("AniList mean", 100, "readers"),
    "mangaupdates": ("MangaUpdates Bayesian rating", 10, "readers"),
    "mal": ("MyAnimeList score", 10, "members"),
}


def _on_scale(score: int, scale: int) -> str:
    return f"{score}/100" if scale == 100 else f"{score / 10:g}/10"


def score_about(*, visibility: Visibility, title_id: int) -> str:
    """What a title's score is, in words: whose, on which scale, from how many votes ("AniList mean 78/100
    from 1,234 readers"); the sample catalog's scores are said to be fictional. Empty without a score, or for
    a title the visibility does not show."""
    row = Title.objects.filter(pk=title_id).values_list("content_rating", "score", "is_fictional").first()
    if row is None or row[1] is None:
        return ""
    rating, score, fictional = row
    if policies.title_hidden(visibility, title_id=title_id, content_rating=rating) is not None:
        return ""
    if fictional:
        return f"score {score}/100, fictional like the rest of the sample catalog"
    rank = {name: index for index, name in enumerate(SOURCE_PRIORITY)}
    snaps = sorted(SourceSnapshot.objects.filter(title_id=title_id), key=lambda s: (rank.get(s.source, 9), s.source_id))
    first = next((s for s in snaps if s.facts.get("score") is not None), None)
    if first is None or first.facts["score"] != score or first.source not in SCORE_KINDS:
        return f"score {score}/100, set on this site"
    name, scale, who = SCORE_KINDS[first.source]
    votes = first.facts.get("score_votes")
    return f"{name} {_on_scale(score, scale)}" + (f" from {votes:,} {who}" if votes else f" ({who}' votes not given)")
