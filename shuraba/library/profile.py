"""Reads for a reader's public profile and for the page of one shared entry, through the viewer's policy.

A profile lists public entries only; an unlisted entry is reached by its link alone and a private one by its
owner alone; notes are never read here, not even for the owner. An entry whose title the *viewer's* age gate
or avoid rules hide is not listed, counted or charted: the profile says only how many were left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet

from shuraba.accounts.models import User
from shuraba.accounts.policies import Hidden, Visibility, title_hidden, visible_title_ids
from shuraba.catalog.models import TitleAxisValue
from shuraba.core.errors import BadQuery
from shuraba.library.models import SCORE_MAX, SCORE_MIN, LibraryEntry, Privacy, Status
from shuraba.taxonomy.models import Axis

PER_PAGE = 50
MIX_AXES = ("subgenre", "intensity", "ending")  # what the reader reads, in the order the profile shows it
PARAMS = frozenset({"page"})
SHOWN_FIELDS = (
    "title__slug",
    "title__title",
    "title__chapters",
    "title__volumes",
    "status",
    "chapters_read",
    "volumes_read",
    "score",
    "started_on",
    "finished_on",
    "reread_count",
)


@dataclass(frozen=True)
class ProfileEntry:
    """An entry as anyone may see it: never its notes."""

    slug: str
    name: str
    chapters: int | None
    volumes: int | None
    status: str
    chapters_read: int
    volumes_read: int
    score: int | None
    started_on: str
    finished_on: str
    reread_count: int

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def progress(self) -> str:
        """ "ch. 12 of 40 · vol. 2", or "" when nothing is read yet."""
        parts = [
            f"{unit} {read}" + (f" of {total}" if total else "")
            for unit, read, total in (
                ("ch.", self.chapters_read, self.chapters),
                ("vol.", self.volumes_read, self.volumes),
            )
            if read
        ]
        return " · ".join(parts)


@dataclass(frozen=True)
class Tally:
    """One bar of a chart: a value and how many entries (or their titles) have it."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Mix:
    """How the titles of the shown entries spread over one axis of the NTR profile."""

    key: str
    label: str
    spoiler: bool
    tallies: tuple[Tally, ...]  # every value of the axis, in taxonomy order; empty when `hidden`
    unclassified: int  # titles with no value on the axis yet
    hidden: bool  # a spoiler axis the viewer's setting hides: nothing is counted at all


@dataclass(frozen=True)
class Profile:
    name: str
    entries: tuple[ProfileEntry, ...]  # one page of them, most recently updated first
    total: int  # public entries the viewer may see
    page: int
    pages: int
    statuses: tuple[Tally, ...]
    scores: tuple[Tally, ...]  # 1 to 10
    unscored: int
    mixes: tuple[Mix, ...]
    hidden: int  # public entries left out: the viewer's age gate or avoid rules hide their titles


@dataclass(frozen=True)
class SharedEntry:
    owner: str
    entry: ProfileEntry | None  # None when `hidden`: nothing about the title is shown
    privacy: str
    own: bool  # the viewer is the owner (the only one who reaches a private entry)
    hidden: Hidden | None  # the viewer's avoid rules hide the entry's title

    @property
    def is_private(self) -> bool:
        return self.privacy == Privacy.PRIVATE

    @property
    def is_unlisted(self) -> bool:
        return self.privacy == Privacy.UNLISTED


def profile_params_read(params: Mapping[str, str]) -> int:
    """The page number a profile URL asks for; BadQuery names a parameter it does not take."""
    unknown = sorted(set(params) - PARAMS)
    if unknown:
        raise BadQuery(unknown[0][:40], "unknown parameter; a profile page takes only ?page=")
    raw = params.get("page", "").strip()
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100_000:
        raise BadQuery("page", f"“{raw[:20]}” is not a page number (1, 2, ...)")
    return int(raw)


def profile_owner(*, name: str) -> User | None:
    """The active reader of that name; None for an unknown or deactivated one (both 404, alike)."""
    return User.objects.filter(username=name, is_active=True).first()


def _public_shown(user: User, visibility: Visibility) -> QuerySet[LibraryEntry]:
    public = LibraryEntry.objects.filter(user=user, privacy=Privacy.PUBLIC)
    return public.filter(title__in=visible_title_ids(visibility))


def _entry(values: Iterable[object]) -> ProfileEntry:
    return ProfileEntry(*values)  # type: ignore[arg-type] # SHOWN_FIELDS are the dataclass's fields in order


def _statuses(shown: QuerySet[LibraryEntry]) -> tuple[Tally, ...]:
    counts = dict(shown.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return tuple(Tally(status.value, status.label, counts.get(status.value, 0)) for status in Status)


def _scores(shown: QuerySet[LibraryEntry]) -> tuple[Tally, ...]:
    scored = shown.exclude(score=None).order_by().values("score").annotate(n=Count("pk"))
    counts = dict(scored.values_list("score", "n"))
    return tuple(Tally(str(s), str(s), counts.get(s, 0)) for s in range(SCORE_MIN, SCORE_MAX + 1))


def _mixes(shown: QuerySet[LibraryEntry], visibility: Visibility, total: int) -> tuple[Mix, ...]:
    axes = sorted(Axis.objects.filter(key__in=MIX_AXES).prefetch_related("values"), key=lambda a: MIX_AXES.index(a.key))
    counted = [axis for axis in axes if visibility.axis_counted(spoiler=axis.spoiler)]
    rows = TitleAxisValue.objects.filter(title__in=shown.values("title_id"), axis__in=counted).order_by()
    per_value = Counter(
        dict(rows.values("value_id").annotate(n=Count("title_id", distinct=True)).values_list("value_id", "n"))
    )
    per_axis = dict(rows.values("axis_id").annotate(n=Count("title_id", distinct=True)).values_list("axis_id", "n"))
    return tuple(
        Mix(
            key=axis.key,
            label=axis.label,
            spoiler=axis.spoiler,
            tallies=tuple(Tally(v.key, v.label, per_value[v.pk]) for v in axis.values.all()) if axis in counted else (),
            unclassified=total - per_axis.get(axis.pk, 0) if axis in counted else 0,
            hidden=axis not in counted,
        )
        for axis in axes
    )


def _rating_shown(user: User, visibility: Visibility) -> QuerySet[LibraryEntry]:
    """Public entries of titles the viewer's age gate shows: the rules' count is over these only, since a
    title behind the gate is left out of every count (how many a reader lists is not the viewer's to know)."""
    public = LibraryEntry.objects.filter(user=user, privacy=Privacy.PUBLIC)
    shown = visibility.shown_ratings
    return public if shown is None else public.filter(title__content_rating__in=sorted(shown))


def profile_of(*, user: User, visibility: Visibility, page: int) -> Profile:
    """The reader's public entries as this viewer may see them; BadQuery for a page past the last."""
    shown = _public_shown(user, visibility)
    paginator = Paginator(shown.order_by("-updated_at", "title__title").values_list(*SHOWN_FIELDS), PER_PAGE)
    if page > paginator.num_pages:
        raise BadQuery("page", f"there {'is' if paginator.num_pages == 1 else 'are'} only {paginator.num_pages}")
    scores = _scores(shown)
    total = paginator.count
    return Profile(
        name=user.username,
        entries=tuple(_entry(values) for values in paginator.page(page).object_list),
        total=total,
        page=page,
        pages=paginator.num_pages,
        statuses=_statuses(shown),
        scores=scores,
        unscored=total - sum(t.count for t in scores),
        mixes=_mixes(shown, visibility, total),
        hidden=_rating_shown(user, visibility).count() - total,
    )


def entry_shared(*, name: str, token: str, visibility: Visibility, signed_in: User | None) -> SharedEntry | None:
    """One entry by its link, or None (404): a wrong name or token, an inactive owner, a private entry
    asked for by anyone but its owner, a title behind the viewer's age gate. A title the viewer's avoid
    rules hide gives the entry with `hidden` set and nothing about the title."""
    found = (
        LibraryEntry.objects.filter(user__username=name, user__is_active=True, share_token=token)
        .values_list("user_id", "privacy", "title_id", "title__content_rating", *SHOWN_FIELDS)
        .first()
    )
    if found is None:
        return None
    owner_id, privacy, title_id, rating, *fields = found
    own = signed_in is not None and signed_in.pk == owner_id
    if (privacy == Privacy.PRIVATE and not own) or not visibility.rating_shown(rating):
        return None
    hidden = title_hidden(visibility, title_id=title_id, content_rating=rating)
    entry = None if hidden is not None else _entry(fields)
    return SharedEntry(owner=name, entry=entry, privacy=privacy, own=own, hidden=hidden)
