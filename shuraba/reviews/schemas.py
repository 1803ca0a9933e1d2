"""The reviews API's shapes. A review's Markdown source carries its spoiler blocks' text, so it is in the
answer only for its writer (`body`); everyone else gets `body_html`, in which a folded block is a label and
a link, never its text."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from shuraba.reviews.models import (
    BODY_MAX,
    DIMENSION_KEYS,
    LINE_MAX,
    REASON_MAX,
    SCORE_MAX,
    SCORE_MIN,
    ReportReason,
    Verdict,
)


class BlockOut(Schema):
    number: int
    stage: str | None
    chapter: int | None
    folded: bool


class ReviewOut(Schema):
    id: int
    title: str
    title_name: str
    writer: str
    score: int
    dimensions: dict[str, int | None]
    verdict: str
    for_readers: str
    skip_if: str
    body_html: str
    body: str | None  # the Markdown source: the writer's own review only
    blocks: list[BlockOut]
    reached_chapter: int | None
    finished: bool
    state: str
    rejection_reason: str
    editor_pick: bool
    helpful_yes: int
    helpful_no: int
    my_vote: bool | None
    created_at: str
    updated_at: str


class SummaryOut(Schema):
    count: int
    mean: float | None
    histogram: dict[str, int]
    dimensions: dict[str, float | None]
    verdicts: dict[str, int]


class TitleReviewsOut(Schema):
    reviews: list[ReviewOut]
    own: ReviewOut | None
    summary: SummaryOut
    sort: str
    page: int
    pages: int
    total: int


class RecentOut(Schema):
    reviews: list[ReviewOut]
    hidden_by_rules: int
    page: int
    pages: int


def _score(description: str, *, nullable: bool) -> dict[str, Any]:
    kind: Any = ["integer", "null"] if nullable else "integer"
    return {"type": kind, "minimum": SCORE_MIN, "maximum": SCORE_MAX, "description": description}


def review_body(*, partial: bool) -> dict[str, Any]:
    """The JSON body of a new review (or, partial, of a change: any of the fields)."""
    properties: dict[str, Any] = {
        "score": _score("overall", nullable=False),
        **{key: _score(key.replace("_", " "), nullable=True) for key in DIMENSION_KEYS},
        "verdict": {"type": "string", "enum": list(Verdict.values)},
        "for_readers": {"type": "string", "maxLength": LINE_MAX, "description": "For readers who…"},
        "skip_if": {"type": "string", "maxLength": LINE_MAX, "description": "Skip if…"},
        "body": {
            "type": "string",
            "maxLength": BODY_MAX,
            "description": "Markdown; spoiler blocks open on a line ':::spoiler <stage> ch. <N>' and close on ':::'",
        },
        "reached_chapter": {"type": ["integer", "null"], "minimum": 0, "description": "the chapter you had read"},
        "finished": {"type": "boolean", "description": "you had read it to the end"},
    }
    shape: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if not partial:
        shape["required"] = ["score", "verdict", "body"]
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": shape}}}}


HELPFUL_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"helpful": {"type": ["boolean", "null"], "description": "null takes it back"}},
                    "required": ["helpful"],
                    "additionalProperties": False,
                }
            }
        },
    }
}
REPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "reason": {"type": "string", "enum": list(ReportReason.values)},
                        "note": {"type": "string", "maxLength": REASON_MAX},
                    },
                    "required": ["reason"],
                    "additionalProperties": False,
                }
            }
        },
    }
}


class AxisVotesOut(Schema):
    axis: str
    hidden: bool
    voters: int
    waiting: int
    counts: dict[str, int]
    consensus: list[str]
    locked: bool
    decided_by: str
    mine: dict[str, float]
    may_vote: bool


class VotesOut(Schema):
    title: str
    axes: list[AxisVotesOut]


VOTE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "values": {
                            "type": "object",
                            "additionalProperties": {"type": "number", "minimum": 0.05, "maximum": 1},
                            "description": "value key -> weight; {} withdraws your ballot",
                        }
                    },
                    "required": ["values"],
                    "additionalProperties": False,
                }
            }
        },
    }
}
