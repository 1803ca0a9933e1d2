"""Every lint ignore says why (STYLE habit 10): `# noqa: S608 (names come from model meta)`."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("shuraba", "config", "tests", "benchmarks")
NOQA = re.compile(r"#\s*noqa\b", re.IGNORECASE)
WITH_REASON = re.compile(r"#\s*noqa: [A-Z]+[0-9]+(?:, ?[A-Z]+[0-9]+)* \(.+\)")


def noqa_without_reason(source: str) -> list[int]:
    """Line numbers of `# noqa` comments (comments only, not strings) without codes and a reason."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [
        token.start[0]
        for token in tokens
        if token.type == tokenize.COMMENT and NOQA.search(token.string) and not WITH_REASON.search(token.string)
    ]


@pytest.mark.parametrize(
    ("comment", "bare"),
    [
        ("x = 1  # noqa: S608 (names come from model meta)", False),
        ("x = 1  # noqa: S603, S607 (runuser from PATH)", False),
        ("x = 1  # noqa: S608", True),
        ("x = 1  # noqa", True),
        ("x = 1  # noqa: S608 ()", True),
        ("x = 1  # NOQA:S608", True),
        ('x = "# noqa: S608"', False),
    ],
)
def test_the_scan_tells_a_reason_from_none(comment: str, bare: bool) -> None:
    assert noqa_without_reason(comment + "\n") == ([1] if bare else [])


def test_every_noqa_carries_a_reason() -> None:
    paths = [p for folder in SCANNED for p in sorted((ROOT / folder).rglob("*.py")) if "__pycache__" not in p.parts]
    assert len(paths) > 100, "the scan found too few files"
    bare = [f"{p.relative_to(ROOT)}:{line}" for p in paths for line in noqa_without_reason(p.read_text())]
    assert bare == []
