"""The OpenAPI schema is part of the contract: a change to it is a change to this committed snapshot.

Regenerate after an intended change with: SHURABA_UPDATE_SNAPSHOT=1 make test
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from config.api import api

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")


def test_openapi_schema_matches_the_committed_snapshot(db: None) -> None:
    current = json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True) + "\n"
    if os.environ.get("SHURABA_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(current)
    assert SNAPSHOT.exists(), "no snapshot yet: run with SHURABA_UPDATE_SNAPSHOT=1"
    assert current == SNAPSHOT.read_text(), "the API changed: review it, then regenerate the snapshot"


def test_every_endpoint_is_documented(db: None) -> None:
    paths = api.get_openapi_schema()["paths"]
    assert set(paths) == {
        "/api/v1/titles",
        "/api/v1/titles/{title_id}",
        "/api/v1/titles/by-slug/{slug}",
        "/api/v1/taxonomy",
        "/api/v1/search",
        "/api/v1/search/suggest",
        "/api/v1/me/avoid-rules",
        "/api/v1/me/recommendations",
        "/api/v1/me/recommendations/{slug}/not-interested",
        "/api/v1/me/library",
        "/api/v1/me/library/import",
        "/api/v1/me/library/export.xml",
        "/api/v1/me/library/export.json",
        "/api/v1/me/library/{slug}",
        "/api/v1/titles/{slug}/reviews",
        "/api/v1/reviews",
        "/api/v1/reviews/{review_id}",
        "/api/v1/reviews/{review_id}/helpful",
        "/api/v1/reviews/{review_id}/reports",
        "/api/v1/titles/{slug}/votes",
        "/api/v1/titles/{slug}/votes/{axis}",
        "/api/v1/lists",
        "/api/v1/lists/{slug}",
        "/api/v1/lists/{slug}/items",
        "/api/v1/lists/{slug}/items/{title}",
        "/api/v1/lists/{slug}/order",
        "/api/v1/lists/{slug}/suggestions",
        "/api/v1/lists/{slug}/suggestions/{suggestion_id}",
        "/api/v1/titles/{slug}/pairs",
        "/api/v1/pairs/{pair_id}/vote",
        "/api/v1/pairs/{pair_id}/reason",
        "/api/v1/me/preferences",
    }
    for operations in paths.values():
        for operation in operations.values():
            assert operation.get("summary"), operation
