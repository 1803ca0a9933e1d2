"""Helpers for the source adapter tests: recorded payloads, fake clocks and MockTransport servers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from shuraba.importers.records import RowError, SourceRecord

DATA = Path(__file__).resolve().parents[2] / "data"
Handler = Callable[[httpx.Request], httpx.Response]


def payload(source: str, name: str) -> Any:
    return json.loads((DATA / source / name).read_text(encoding="utf-8"))


def raw(source: str, name: str) -> bytes:
    return (DATA / source / name).read_bytes()


def records(rows: list[SourceRecord | RowError]) -> dict[str, SourceRecord]:
    """The parsed records by source id, asserting there was no row error."""
    errors = [row for row in rows if isinstance(row, RowError)]
    assert not errors, errors
    return {row.source_id: row for row in rows if isinstance(row, SourceRecord)}


def tag_map(record: SourceRecord, kind: str = "tag") -> dict[str, Any]:
    return {t.name: (t.rank, t.spoiler, t.adult) for t in record.tags if t.kind == kind}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


class Recorder:
    """A MockTransport handler that records every request and answers from a function."""

    def __init__(self, answer: Handler) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self), **kwargs)


def drain(pages: Any) -> tuple[list[SourceRecord | RowError], list[dict[str, Any]]]:
    """Run a fetch to the end: every row and every checkpoint, in order."""
    rows: list[SourceRecord | RowError] = []
    checkpoints: list[dict[str, Any]] = []
    for page, checkpoint in pages:
        rows.extend(page)
        checkpoints.append(checkpoint)
    return rows, checkpoints
