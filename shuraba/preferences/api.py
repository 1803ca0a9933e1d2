"""`/api/v1/me/preferences`: the viewer's quiz answers (the account's when signed in or with a token, the
session's otherwise), read and replaced."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shuraba.accounts.apikit import api_csrf_check, json_object
from shuraba.catalog.schemas import ErrorOut
from shuraba.core.errors import BadQuery
from shuraba.preferences import selectors, services
from shuraba.preferences.questions import QUESTIONS, Answers, answers_empty, answers_read

router = Router(tags=["me"])
EXAMPLE = '{"endings": ["revenge", "reconciliation"], "consent": "no-coercion", "centrality": "major"}'


class PreferencesOut(Schema):
    saved: bool
    motives: list[str]
    endings: list[str]
    perspectives: list[str]
    consent: str
    centrality: str
    lengths: list[str]
    proposed_presets: list[str]


class PreferencesIn(Schema):
    motives: list[str] = []
    endings: list[str] = []
    perspectives: list[str] = []
    consent: str = "any"
    centrality: str = "core"
    lengths: list[str] = []


def _out(request: HttpRequest, answers: Answers | None) -> dict[str, Any]:
    shown = answers or answers_empty()
    single = {q.key: shown[q.key][0] for q in QUESTIONS if not q.multiple}
    multiple = {q.key: shown[q.key] for q in QUESTIONS if q.multiple}
    proposed = list(selectors.rules_proposed(request=request, answers=shown)) if answers else []
    return {"saved": answers is not None, **multiple, **single, "proposed_presets": proposed}


def _body_answers(body: dict[str, Any]) -> Answers:
    """A JSON body as the form's lists: a list of strings for a multiple-choice question, one string for the
    others; anything else is a 400 naming the field."""
    lists: dict[str, list[str]] = {}
    for question in QUESTIONS:
        value = body.get(question.key)
        if value is None:
            continue
        if question.multiple and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise BadQuery(question.key, f'a list of answer keys, such as ["{question.keys[0]}"]')
        if not question.multiple and not isinstance(value, str):
            raise BadQuery(question.key, f"one answer key as a string, one of {', '.join(question.keys)}")
        lists[question.key] = value if isinstance(value, list) else [value]
    return answers_read(lambda key: lists.get(key, []), keys=body)


@router.get("/me/preferences", response={200: PreferencesOut}, summary="My preference profile")
def preferences_get(request: HttpRequest) -> dict[str, Any]:
    """The quiz's answers as saved (`saved` false and every question open before the quiz), and the avoid-rule
    presets they propose that are not in force yet (added only through `PUT /me/avoid-rules` or the quiz's
    confirmation, never by this API)."""
    return _out(request, selectors.preferences_read(request=request))


@router.put(
    "/me/preferences",
    response={200: PreferencesOut, 400: ErrorOut, 403: ErrorOut},
    summary="Replace my preference profile",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PreferencesIn.model_json_schema()}},
        }
    },
)
def preferences_put(request: HttpRequest) -> dict[str, Any]:
    """Replace every answer at once (a question left out is open: any). A session write: send the `csrftoken`
    cookie's value in an `X-CSRFToken` header. A field that is no question or a value that is none of its
    answers is a 400 naming the field, and nothing is saved."""
    api_csrf_check(request)
    answers = _body_answers(json_object(request, example=EXAMPLE))
    services.preferences_save(request=request, answers=answers)
    return _out(request, answers)
