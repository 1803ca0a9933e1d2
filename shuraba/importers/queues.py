"""Editors' decisions on the import queues: classification suggestions and uncertain matches.

Accepting a suggestion writes the value with the suggestion's own source ("model" or "import:<source>"),
never as an editor fact, and never over an editor's or a locked value. Deciding a match review runs
the record through the same pipeline as an import, with the identity the editor chose.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shuraba.accounts.models import User
from shuraba.catalog import services as catalog
from shuraba.catalog.models import SOURCE_EDITOR, ExternalId, TitleAxisValue
from shuraba.catalog.rules import CatalogError, ValueLocked
from shuraba.importers import mapping, merge
from shuraba.importers.facts import record_from_json
from shuraba.importers.identity import source_name
from shuraba.importers.models import (
    ClassificationSuggestion,
    ImportRun,
    MatchReview,
    ReviewStatus,
    RunStatus,
    SourceSnapshot,
    SuggestionStatus,
)
from shuraba.importers.services import ChunkReport, ImportContext, chunk_import
from shuraba.importers.state import titles_load
from shuraba.importers.suggest import Suggester, tags_load
from shuraba.importers.upsert import Plan


class DecisionRefused(CatalogError):
    """The decision cannot be carried out as asked; the message says why and what to do instead."""


def _pending(obj: ClassificationSuggestion | MatchReview) -> None:
    if obj.status != "pending":
        raise DecisionRefused(f"{obj} was already decided ({obj.status})")


@transaction.atomic
def suggestion_accept(*, suggestion: ClassificationSuggestion, actor: User | None) -> None:
    _pending(suggestion)
    title, reason = suggestion.title, f"suggestion #{suggestion.pk} accepted"
    if suggestion.axis == "content-rating":
        value = next(iter(suggestion.values))
        catalog.title_update(
            title=title, changes={"content_rating": value}, source=suggestion.source, actor=actor, reason=reason
        )
    else:
        if TitleAxisValue.objects.filter(title=title, axis__key=suggestion.axis, source=SOURCE_EDITOR).exists():
            raise DecisionRefused(
                f"{title}: an editor has classified {suggestion.axis} since this was suggested; "
                "reject the suggestion or edit the title"
            )
        try:
            catalog.title_axis_set(
                title=title,
                axis_key=suggestion.axis,
                values=suggestion.values,
                source=suggestion.source,
                confidence=suggestion.confidence,
                actor=actor,
                reason=reason,
            )
        except ValueLocked as exc:
            raise DecisionRefused(f"{exc}; unlock it first or reject the suggestion") from exc
    _decided(suggestion, SuggestionStatus.ACCEPTED, actor)


@transaction.atomic
def suggestion_reject(*, suggestion: ClassificationSuggestion, actor: User | None) -> None:
    _pending(suggestion)
    _decided(suggestion, SuggestionStatus.REJECTED, actor)


def _decided(obj: ClassificationSuggestion | MatchReview, status: str, actor: User | None) -> None:
    obj.status, obj.decided_by, obj.decided_at = status, actor, timezone.now()
    obj.save(update_fields=["status", "decided_by", "decided_at"])
    if isinstance(obj, ClassificationSuggestion):  # no longer evidence for avoid rules (search index facts)
        catalog.catalog_touch(title_id=obj.title_id)


def _review_import(review: MatchReview, *, target: int, actor: User | None) -> ChunkReport:
    """Import the review's record with the identity the editor chose (`target` 0: a new title)."""
    record = record_from_json(review.record)
    who = actor.get_username() if actor else "an editor"
    run = ImportRun.objects.create(
        source=review.source,
        command=f"match review #{review.pk} decided by {who}",
        filters={"review": review.pk},
        resume_key=f"review-{review.pk}",
    )
    context = ImportContext.build(run=run, mapper=mapping.record_map, suggester=Suggester.train())
    context.forced[(review.source, review.source_id)] = target
    report = chunk_import(context=context, entries=[(f"match review #{review.pk}", record)], checkpoint=None)
    run.status, run.finished_at = RunStatus.FINISHED, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    if report.errors:
        raise DecisionRefused(f"the record cannot be imported: {report.errors[0].reason}")
    return report


@transaction.atomic
def match_review_merge(*, review: MatchReview, actor: User | None) -> None:
    """Merge the record into the candidate title."""
    _pending(review)
    if review.candidate is None:
        raise DecisionRefused(f"{review}: the candidate title no longer exists; import it as a new title instead")
    source = source_name(review.source)
    taken = SourceSnapshot.objects.filter(title=review.candidate, source=source).exclude(source_id=review.source_id)
    if (
        taken.exists()
        or ExternalId.objects.filter(title=review.candidate, source=source)
        .exclude(external_id=review.source_id)
        .exists()
    ):
        raise DecisionRefused(f"{review.candidate} already has another {source} record; one per source per title")
    _review_import(review, target=review.candidate.pk, actor=actor)
    _decided(review, ReviewStatus.MERGED, actor)


@transaction.atomic
def match_review_create(*, review: MatchReview, actor: User | None) -> None:
    """Import the record as a title of its own."""
    _pending(review)
    _review_import(review, target=0, actor=actor)
    _decided(review, ReviewStatus.CREATED, actor)


@transaction.atomic
def match_review_dismiss(*, review: MatchReview, actor: User | None) -> None:
    """Leave the record out for now; the next import of it queues it again."""
    _pending(review)
    _decided(review, ReviewStatus.DISMISSED, actor)


def _requeue_batch(suggester: Suggester, pks: list[int], run: ImportRun) -> int:
    states, tags = titles_load(pks), tags_load(pks)
    plan = Plan(reason="")
    for pk, state in states.items():
        snaps = [snap for _, snap in state.snaps.values()]
        plan.titles[pk] = state.title
        plan.final_tags[pk] = tags.get(pk, {})
        plan.evidence[pk] = merge.evidence_merge(snaps)
        plan.rating[pk] = merge.fields_merge(snaps)["content_rating"]
        if not state.writable("content_rating"):
            plan.guarded_rating.add(pk)
    return suggester.queue(plan=plan, pks={pk: pk for pk in states}, run=run)


def suggestions_requeue(*, batch: int = 500) -> int:
    """Retrain on today's editor-classified titles and suggest again for every imported title."""
    suggester = Suggester.train()
    run = ImportRun(source="suggestions", command="suggestions queue", resume_key="")
    pks = sorted(set(SourceSnapshot.objects.values_list("title_id", flat=True)))
    total = 0
    for start in range(0, len(pks), batch):
        with transaction.atomic():
            total += _requeue_batch(suggester, pks[start : start + batch], run)
    return total
