"""Review reads. Every list takes `visibility=` and keeps only reviews of titles it shows (age gate and avoid
rules); a review's spoiler blocks are folded or shown per viewer by the policy (`policies.block_shown`), and a
folded block's text never leaves the server. Pages and the API render only the projections made here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shuraba.accounts import policies
from shuraba.accounts.models import User
from shuraba.accounts.policies import NOTHING_REVEALED, Progress, Reveal, Visibility
from shuraba.catalog.models import StageKey, Title, TitleAxisValue
from shuraba.catalog.selectors import TitleNotFound
from shuraba.core.changelog import changelog_newest
from shuraba.core.markup import markdown_render
from shuraba.core.versioned import VersionedCache
from shuraba.library.models import LibraryEntry, Status
from shuraba.reviews import votes
from shuraba.reviews.markup import Part, body_parse
from shuraba.reviews.models import (
    DIMENSION_KEYS,
    DIMENSIONS,
    FINISHED_ONLY_AXES,
    REVIEW_FIELDS,
    SCORE_MAX,
    SCORE_MIN,
    VOTED_AXES,
    ClassificationVote,
    HelpfulVote,
    ModerationEvent,
    ReportState,
    Review,
    ReviewReport,
    ReviewRevision,
    State,
    Verdict,
)
from shuraba.taxonomy.models import Axis

PAGE_SIZE = 10
SORTS: dict[str, tuple[str, ...]] = {
    "helpful": ("-editor_pick", "-helpful_rank", "-published_at", "-pk"),
    "newest": ("-published_at", "-pk"),
    "score": ("-score", "-helpful_rank", "-pk"),
    "score-low": ("score", "-helpful_rank", "-pk"),
}
SORT_LABELS = {"helpful": "most helpful", "newest": "newest", "score": "highest score", "score-low": "lowest score"}
_STAGE_LABELS = dict(StageKey.choices)
OPEN_ALL = "all"


@dataclass(frozen=True)
class BlockShown:
    number: int  # 1-based, in the body's order
    stage: str | None
    stage_label: str
    chapter: int | None
    folded: bool


@dataclass(frozen=True)
class ReviewShown:
    """One review as this viewer may see it: folded blocks carry their tags, never their text."""

    id: int
    title_slug: str
    title_name: str
    writer: str
    score: int
    dimensions: tuple[tuple[str, str, int | None], ...]  # key, label, score
    verdict: str
    verdict_label: str
    for_readers: str
    skip_if: str
    body_html: SafeString
    blocks: tuple[BlockShown, ...]
    reached_chapter: int | None
    finished: bool
    state: str
    state_label: str
    rejection_reason: str  # its writer's and the editors' to read; empty for anyone else
    editor_pick: bool
    helpful_yes: int
    helpful_no: int
    my_vote: bool | None
    is_own: bool
    created_at: datetime
    updated_at: datetime
    edited: bool

    @property
    def dimensions_given(self) -> tuple[tuple[str, str, int | None], ...]:
        return tuple(d for d in self.dimensions if d[2] is not None)

    @property
    def folded_count(self) -> int:
        return sum(1 for b in self.blocks if b.folded)


@dataclass(frozen=True)
class ScoreSummary:
    count: int
    mean: float | None
    histogram: tuple[int, ...]  # counts of scores SCORE_MIN..SCORE_MAX
    dimensions: tuple[tuple[str, float | None, int], ...]  # label, mean, how many gave it
    verdicts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class TitleReviews:
    reviews: tuple[ReviewShown, ...]
    own: ReviewShown | None  # the viewer's own, whatever its state (shown first, also while it waits)
    summary: ScoreSummary
    sort: str
    page: int
    pages: int
    total: int


# --- the title and the reader's progress ---------------------------------------------------------


def review_title(*, visibility: Visibility, slug: str) -> Title:
    """A title whose reviews this viewer may read: as the title page decides (age gate, then rules)."""
    title = Title.objects.filter(slug=slug).only("pk", "slug", "title", "content_rating", "chapters").first()
    if title is None:
        raise TitleNotFound(slug)
    hidden = policies.title_hidden(visibility, title_id=title.pk, content_rating=title.content_rating)
    if hidden is not None:
        raise TitleNotFound(slug, hidden=hidden)
    return title


def progress_of(*, user: User | None, title_id: int) -> Progress | None:
    """How far a signed-in reader has read (their library entry); None for an anonymous visitor."""
    if user is None or not user.is_authenticated:
        return None
    entry = LibraryEntry.objects.filter(user=user, title_id=title_id).values_list("status", "chapters_read").first()
    if entry is None:
        return Progress()
    status, chapters = entry
    return Progress(chapters_read=chapters, finished=status in (Status.COMPLETED, Status.REREADING))


def writer_progress(*, user: User, title_id: int) -> dict[str, Any]:
    """The writer's library progress, the form's starting values for the chapter reached."""
    progress = progress_of(user=user, title_id=title_id) or Progress()
    return {"reached_chapter": progress.chapters_read or None, "finished": progress.finished}


# --- one review as a viewer sees it --------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """Who is reading a review, for its spoiler blocks: what the policy needs, and what they opened."""

    visibility: Visibility
    progress: Progress | None
    reveal: Reveal = NOTHING_REVEALED
    opened: frozenset[str] = frozenset()  # block numbers as text, or OPEN_ALL
    user_id: int | None = None
    editor: bool = False


def _block_chapter(review: Review, part: Part) -> int | None:
    if part.chapter is not None:
        return part.chapter
    return None if review.finished else review.reached_chapter


def _block_label(block: BlockShown) -> str:
    words = ["Spoiler"]
    if block.stage:
        words.append(f"the {block.stage_label.lower()} stage")
    if block.chapter is not None:
        words.append(f"chapter {block.chapter}")
    return " · ".join(words)


def _body(review: Review, reading: Reading) -> tuple[SafeString, tuple[BlockShown, ...]]:
    html: list[str] = []
    blocks: list[BlockShown] = []
    for part in body_parse(review.body):
        if not part.spoiler:
            html.append(markdown_render(part.text))
            continue
        number = len(blocks) + 1
        chapter = _block_chapter(review, part)
        shown = (
            OPEN_ALL in reading.opened
            or str(number) in reading.opened
            or reading.user_id == review.user_id
            or policies.block_shown(
                reading.visibility, reading.reveal, progress=reading.progress, stage=part.stage, chapter=chapter
            )
        )
        block = BlockShown(number, part.stage, _STAGE_LABELS.get(part.stage or "", ""), chapter, folded=not shown)
        blocks.append(block)
        html.append(_block_html(review.pk, block, part.text if shown else None))
    return mark_safe("\n".join(html)), tuple(blocks)  # noqa: S308 (each part sanitized by markdown_render)


def block_anchor(review_id: int, number: int) -> str:
    return f"review-{review_id}-block-{number}"


def _block_html(review_id: int, block: BlockShown, text: str | None) -> str:
    anchor = block_anchor(review_id, block.number)
    label = f'<p class="spoiler-label">{escape(_block_label(block))}</p>'
    if text is not None:
        return f'<div class="spoiler-block" id="{anchor}">{label}\n{markdown_render(text)}</div>'
    url = f"/reviews/{review_id}/blocks/{block.number}/"
    return (
        f'<div class="spoiler-block folded" id="{anchor}">{label}\n<p><a href="/reviews/{review_id}/?open='
        f'{block.number}#{anchor}" hx-get="{url}" hx-target="#{anchor}" hx-swap="outerHTML" rel="nofollow">'
        "Open this spoiler</a></p></div>"
    )


def block_html(*, review: Review, reading: Reading, number: int) -> SafeString | None:
    """One block opened (the htmx fragment of "Open this spoiler"), or None when there is no such block."""
    parts = [part for part in body_parse(review.body) if part.spoiler]
    if not 1 <= number <= len(parts):
        return None
    part = parts[number - 1]
    label = _STAGE_LABELS.get(part.stage or "", "")
    block = BlockShown(number, part.stage, label, _block_chapter(review, part), folded=False)
    return mark_safe(_block_html(review.pk, block, part.text))  # noqa: S308 (sanitized in _block_html)


def review_shown(review: Review, reading: Reading, *, my_vote: bool | None = None) -> ReviewShown:
    own = reading.user_id == review.user_id
    body, blocks = _body(review, reading)
    return ReviewShown(
        id=review.pk,
        title_slug=review.title.slug,
        title_name=review.title.title,
        writer=review.user.username,
        score=review.score,
        dimensions=tuple((key, label, review.dimension(key)) for key, label in DIMENSIONS),
        verdict=review.verdict,
        verdict_label=Verdict(review.verdict).label,
        for_readers=review.for_readers,
        skip_if=review.skip_if,
        body_html=body,
        blocks=blocks,
        reached_chapter=review.reached_chapter,
        finished=review.finished,
        state=review.state,
        state_label=State(review.state).label,
        rejection_reason=review.rejection_reason if own or reading.editor else "",
        editor_pick=review.editor_pick,
        helpful_yes=review.helpful_yes,
        helpful_no=review.helpful_no,
        my_vote=my_vote,
        is_own=own,
        created_at=review.created_at,
        updated_at=review.updated_at,
        edited=review.updated_at > review.created_at,
    )


def _votes_of(user_id: int | None, review_ids: list[int]) -> dict[int, bool]:
    if user_id is None or not review_ids:
        return {}
    return dict(
        HelpfulVote.objects.filter(user_id=user_id, review_id__in=review_ids).values_list("review_id", "helpful")
    )


def _shown_all(reviews: list[Review], reading: Reading) -> tuple[ReviewShown, ...]:
    cast = _votes_of(reading.user_id, [r.pk for r in reviews])
    return tuple(review_shown(r, reading, my_vote=cast.get(r.pk)) for r in reviews)


def review_one(review: Review, reading: Reading) -> ReviewShown:
    """One review with the viewer's own helpfulness vote."""
    return _shown_all([review], reading)[0]


# --- lists ---------------------------------------------------------------------------------------


def _published(queryset: QuerySet[Review]) -> QuerySet[Review]:
    return queryset.filter(state=State.PUBLISHED)


# Plain SQL: the ORM took longer to compile this query (13 aggregates) than the database to answer it.
SUMMARY_SQL = (
    "SELECT score, verdict, COUNT(*), "  # noqa: S608 (column and table names from model meta)
    + ", ".join(f"SUM({key}), COUNT({key})" for key in DIMENSION_KEYS)
    + f" FROM {Review._meta.db_table} WHERE title_id = %s AND state = %s GROUP BY score, verdict"
)


def score_summary(*, title_id: int) -> ScoreSummary:
    """The published reviews' scores in one read, counted in the database by score and verdict (at most 30
    rows, however many reviews), each group with its dimensions' sums and how many gave them."""
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_SQL, [title_id, State.PUBLISHED.value])
        groups = cursor.fetchall()  # score, verdict, n, then each dimension's sum and count
    by_score, verdicts = Counter[int](), Counter[str]()
    for score, verdict, n, *_ in groups:
        by_score[score] += n
        verdicts[verdict] += n
    dimensions = []
    for i, (_, label) in enumerate(DIMENSIONS):
        total = sum(g[3 + 2 * i] or 0 for g in groups)
        given = sum(g[4 + 2 * i] for g in groups)
        dimensions.append((label, total / given if given else None, given))
    count = sum(by_score.values())
    return ScoreSummary(
        count=count,
        mean=sum(score * n for score, n in by_score.items()) / count if count else None,
        histogram=tuple(by_score.get(score, 0) for score in range(SCORE_MIN, SCORE_MAX + 1)),
        dimensions=tuple(dimensions),
        verdicts=tuple((label, verdicts.get(value, 0)) for value, label in Verdict.choices),
    )


def title_reviews(
    *, title: Title, reading: Reading, sort: str = "helpful", page: int = 1, per_page: int = PAGE_SIZE
) -> TitleReviews:
    """A title's published reviews for one page (`per_page` of them: the title page shows its top few), the
    viewer's own (any state) apart; the caller has shown the title to this viewer (`review_title`) and gives
    it with its slug and name."""
    order = SORTS.get(sort, SORTS["helpful"])
    published = _published(Review.objects.filter(title=title)).select_related("user")
    if reading.user_id is not None:
        published = published.exclude(user_id=reading.user_id)
    own_row = (
        Review.objects.select_related("user").filter(title=title, user_id=reading.user_id).first()
        if reading.user_id is not None
        else None
    )
    summary = score_summary(title_id=title.pk)  # counts every published review: the viewer's own too
    total = summary.count - (own_row is not None and own_row.state == State.PUBLISHED)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(published.order_by(*order)[(page - 1) * per_page : page * per_page]) if total else []
    for row in (*rows, *([own_row] if own_row else [])):
        row.title = title  # the caller's title (its slug and name), not a join per query
    return TitleReviews(
        reviews=_shown_all(rows, reading),
        own=review_one(own_row, reading) if own_row else None,
        summary=summary,
        sort=sort if sort in SORTS else "helpful",
        page=page,
        pages=pages,
        total=total,
    )


def review_get(*, visibility: Visibility, review_id: int, user: User | None) -> Review:
    """One review this viewer may read: published, or their own, or any to an editor; of a title they are
    shown. Raises TitleNotFound (with `hidden` when a rule hides its title) or Review.DoesNotExist."""
    review = Review.objects.select_related("user", "title").get(pk=review_id)
    mine = user is not None and user.is_authenticated and review.user_id == user.pk
    editor = user is not None and user.is_authenticated and user.is_staff
    if review.state != State.PUBLISHED and not (mine or editor):
        raise Review.DoesNotExist
    review_title(visibility=visibility, slug=review.title.slug)
    return review


@dataclass(frozen=True)
class RecentReviews:
    reviews: tuple[ReviewShown, ...]
    hidden_by_rules: int  # published reviews left out because the viewer's rules hide their titles
    page: int
    pages: int


def reviews_recent(
    *, reading: Reading, picks_only: bool = False, page: int = 1, per_page: int = PAGE_SIZE
) -> RecentReviews:
    """Published reviews across the catalog, newest first, of titles this viewer is shown."""
    visibility = reading.visibility
    every = _published(Review.objects.all())
    if picks_only:
        every = every.filter(editor_pick=True)
    rated = every.filter(title__in=policies.visible_title_ids(policies.rules_waived(visibility)))
    shown = every.filter(title__in=policies.visible_title_ids(visibility))
    total = shown.count()
    hidden = rated.count() - total if visibility.rules else 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(
        shown.select_related("user", "title").order_by("-published_at", "-pk")[(page - 1) * per_page : page * per_page]
    )
    return RecentReviews(_shown_all(rows, reading), hidden, page, pages)


# --- moderation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    pending: tuple[ReviewShown, ...]
    reports: tuple[tuple[ReviewReport, ReviewShown], ...]


def moderation_queue(*, reading: Reading) -> Queue:
    """For editors: every waiting review and every open report, oldest first, spoilers unfolded (an editor
    judges the whole text). Titles are not filtered: an editor moderates what the rules hide from them too."""
    editor_reading = Reading(
        visibility=reading.visibility, progress=None, opened=frozenset({OPEN_ALL}), user_id=reading.user_id, editor=True
    )
    pending = Review.objects.filter(state=State.PENDING).select_related("user", "title").order_by("updated_at")
    reports = (
        ReviewReport.objects.filter(state=ReportState.OPEN)
        .select_related("review__user", "review__title", "user")
        .order_by("at")
    )
    return Queue(
        pending=_shown_all(list(pending), editor_reading),
        reports=tuple((r, review_shown(r.review, editor_reading)) for r in reports),
    )


def moderation_log(*, limit: int = 200) -> tuple[ModerationEvent, ...]:
    return tuple(ModerationEvent.objects.select_related("actor").order_by("-at", "-pk")[:limit])


def review_history(*, review: Review) -> tuple[ReviewRevision, ...]:
    return tuple(review.revisions.all())


# --- the reader's data export --------------------------------------------------------------------


def reviews_export(*, user: User, visibility: Visibility) -> dict[str, Any]:
    """The reader's reviews as written (Markdown source, every state, the reason of a rejection), their
    helpfulness votes, classification votes and reports. Reviews of titles behind their age gate are counted,
    not named."""
    shown = policies.visible_title_ids(policies.rules_waived(visibility))
    mine = Review.objects.filter(user=user).select_related("title").order_by("title__slug")
    rows = list(mine.filter(title__in=shown))
    return {
        "reviews": [
            {
                "title": r.title.slug,
                "name": r.title.title,
                **{name: getattr(r, name) for name in REVIEW_FIELDS},
                "state": r.state,
                "rejection_reason": r.rejection_reason,
                "editor_pick": r.editor_pick,
                "created_at": r.created_at.isoformat(),
                "updated_at": r.updated_at.isoformat(),
                "revisions": r.revisions.count(),
            }
            for r in rows
        ],
        "helpful_votes": [
            {"review": v.review_id, "helpful": v.helpful, "at": v.at.isoformat()}
            for v in HelpfulVote.objects.filter(user=user).order_by("at")
        ],
        "classification_votes": [
            {"title": v.title.slug, "axis": v.axis, "value": v.value, "weight": v.weight, "at": v.at.isoformat()}
            for v in ClassificationVote.objects.filter(user=user, title__in=shown)
            .select_related("title")
            .order_by("title__slug", "axis", "value")
        ],
        "reports": [
            {"review": r.review_id, "reason": r.reason, "note": r.note, "state": r.state, "at": r.at.isoformat()}
            for r in ReviewReport.objects.filter(user=user).order_by("at")
        ],
        "left_out": {"age_gate": mine.count() - len(rows)},
    }


# --- community classification --------------------------------------------------------------------


@dataclass(frozen=True)
class AxisVotes:
    """One voted axis of a title as this viewer may see it. A spoiler axis the viewer has not revealed keeps
    only its name: no distribution, no consensus, no ballot (`hidden`)."""

    key: str
    label: str
    kind: str
    hidden: bool
    choices: tuple[tuple[str, str], ...]  # value key, label
    counts: tuple[tuple[str, str, int], ...]  # value key, label, eligible voters who chose it
    voters: int  # eligible voters on this axis
    waiting: int  # ballots not counted (accounts too new; for the ending, readers who did not finish)
    consensus: tuple[str, ...]  # labels of the values the community decides, if it decides
    locked: bool
    decided_by: str  # the source of the title's current value ("editor", "community", "import:anilist"...)
    mine: dict[str, float]  # the viewer's own ballot
    may_vote: bool
    why_not: str


def _axis_votes(axis: Any, context: _VotesContext, hidden: bool) -> AxisVotes:
    choices = tuple((v.key, v.label) for v in axis.values.all())
    tally = context.tallies[axis.key]
    counts = {value: len(weights) for value, weights in tally.chosen.items()}
    consensus = votes.consensus_over(axis, tally)
    sources, locked = context.profile.get(axis.key, (set(), False))
    mine = context.mine.get(axis.key, {})
    allowed = context.finished or axis.key not in FINISHED_ONLY_AXES
    labels = dict(choices)
    return AxisVotes(
        key=axis.key,
        label=axis.label,
        kind=axis.kind,
        hidden=hidden,
        choices=choices,
        counts=tuple((key, label, counts.get(key, 0)) for key, label in choices) if not hidden else (),
        voters=tally.voters,
        waiting=tally.every_voter - tally.voters,
        consensus=tuple(labels[k] for k in consensus.values) if consensus and not hidden else (),
        locked=locked,
        decided_by=", ".join(sorted(sources)) or "nobody yet",
        mine=dict(mine) if not hidden else {},
        may_vote=context.user is not None and allowed,
        why_not=_why_not(context.user, allowed=allowed),
    )


@dataclass(frozen=True)
class _VotesContext:
    """What every axis of a title's votes reads, read once."""

    tallies: dict[str, Any]
    profile: dict[str, tuple[set[str], bool]]  # axis -> the sources of its values, locked
    mine: dict[str, dict[str, float]]
    user: User | None
    finished: bool


def _why_not(user: User | None, *, allowed: bool) -> str:
    if user is None:
        return "sign in to vote"
    return "" if allowed else "only readers who finished the title vote on its ending"


# The voted axes with their values, and each title's sources and locks on them, per worker until the
# catalog changes (core/versioned.py: a community consensus is written through the catalog, so it counts).
_VOTED: VersionedCache[tuple[Axis, ...]] = VersionedCache(size=1)
_PROFILES: VersionedCache[dict[str, tuple[set[str], bool]]] = VersionedCache(size=512)


def _voted_axes() -> tuple[Axis, ...]:
    return tuple(Axis.objects.filter(key__in=VOTED_AXES).prefetch_related("values").order_by("order"))


def _profile_sources(title_id: int) -> dict[str, tuple[set[str], bool]]:
    """Per voted axis, the sources of the title's values and whether an editor locked one."""
    profile: dict[str, tuple[set[str], bool]] = {}
    rows = TitleAxisValue.objects.filter(title_id=title_id, axis__key__in=VOTED_AXES)
    for key, source, locked in rows.values_list("axis__key", "source", "locked"):
        sources, was_locked = profile.get(key, (set(), False))
        profile[key] = (sources | {source}, was_locked or locked)
    return profile


def title_votes(*, title_id: int, reading: Reading, user: User | None) -> tuple[AxisVotes, ...]:
    """The voted axes of a title for this viewer; the caller has shown the title (`review_title`)."""
    version = changelog_newest()
    axes = _VOTED.get("axes", _voted_axes, version=version)
    profile = _PROFILES.get(title_id, lambda: _profile_sources(title_id), version=version)
    mine: dict[str, dict[str, float]] = {}
    if user is not None:
        for key, value, weight in ClassificationVote.objects.filter(title_id=title_id, user=user).values_list(
            "axis", "value", "weight"
        ):
            mine.setdefault(key, {})[value] = weight
    context = _VotesContext(
        tallies=votes.title_tally(
            title_id=title_id, axis_keys=VOTED_AXES, weighted=tuple(a.key for a in axes if a.kind == "weighted")
        ),
        profile=profile,
        mine=mine,
        user=user,
        finished=bool(reading.progress and reading.progress.finished),
    )
    return tuple(
        _axis_votes(
            axis,
            context,
            hidden=not policies.axis_shown(reading.visibility, reading.reveal, axis_key=axis.key, spoiler=axis.spoiler),
        )
        for axis in axes
    )
