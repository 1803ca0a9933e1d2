"""The viewer's own settings over the API: `/api/v1/me/avoid-rules` (the session's viewer, signed in or not)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shuraba.accounts import services
from shuraba.accounts.apikit import api_csrf_check
from shuraba.accounts.rules import AvoidRule, RuleSet, rules_body_read
from shuraba.catalog.schemas import ErrorOut
from shuraba.core.errors import BadQuery

router = Router(tags=["me"])


class RuleOut(Schema):
    name: str
    text: str
    describe: str
    broken: bool


class AvoidRulesOut(Schema):
    rules: list[str]
    presets: list[str]
    read: list[RuleOut]


class AvoidRulesIn(Schema):
    rules: list[str] = []
    presets: list[str] = []


def _out(ruleset: RuleSet) -> dict[str, Any]:
    def one(rule: AvoidRule) -> dict[str, Any]:
        return {"name": rule.name, "text": rule.text, "describe": rule.describe(), "broken": rule.broken}

    return {**ruleset.as_json(), "read": [one(rule) for rule in ruleset.rules]}


@router.get("/me/avoid-rules", response={200: AvoidRulesOut}, summary="My avoid rules")
def avoid_rules_get(request: HttpRequest) -> dict[str, Any]:
    """The viewer's avoid rules as written (`rules`: one rule per string in the text syntax; `presets`:
    ntr-free, no-coercion, no-tragedy, no-graphic) and as read (`read`: canonical text and English). The
    account's when signed in, the session's otherwise."""
    return _out(services.avoid_rules_read(request=request))


@router.put(
    "/me/avoid-rules",
    response={200: AvoidRulesOut, 400: ErrorOut, 403: ErrorOut},
    summary="Replace my avoid rules",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": AvoidRulesIn.model_json_schema()}},
        }
    },
)
def avoid_rules_put(request: HttpRequest) -> dict[str, Any]:
    """Replace every rule and preset at once. A session write: send the `csrftoken` cookie's value in an
    `X-CSRFToken` header. A rule that does not read answers 400 naming the rule, the word and its position
    (with the closest valid names), and nothing is saved."""
    api_csrf_check(request)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, a 5,000-digit number, nested too deep
        raise BadQuery("body", f"the body is not JSON this API reads ({exc.__class__.__name__})") from exc
    lines, presets = rules_body_read(body, param="body")
    return _out(services.avoid_rules_save(request=request, lines=lines, presets=presets))
