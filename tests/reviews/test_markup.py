from __future__ import annotations

import pytest

from shuraba.core.markup import text_clean
from shuraba.reviews.markup import BodyError, Part, body_parse


def test_a_body_splits_into_text_and_tagged_spoiler_blocks() -> None:
    parts = body_parse("Before.\n\n:::spoiler resolution ch. 40\nThe end.\n:::\nAfter.")
    assert parts == (
        Part("Before."),
        Part("The end.", spoiler=True, stage="resolution", chapter=40),
        Part("After."),
    )


@pytest.mark.parametrize(
    ("header", "stage", "chapter"),
    [
        (":::spoiler", None, None),
        (":::SPOILER stage 4, chapter 12", "revelation", 12),
        ("::: spoiler ending ch40", "resolution", 40),
        (":::spoiler third party", "third-party", None),
        (":::spoiler ch. 7 drift", "drift", 7),
    ],
)
def test_a_block_header_reads_a_stage_and_a_chapter_in_any_order(header: str, stage: str, chapter: int) -> None:
    (part,) = body_parse(f"{header}\ntext\n:::")
    assert (part.spoiler, part.stage, part.chapter) == (True, stage, chapter)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (":::spoiler\nnever closed", "line 1: the spoiler block opened here is not closed"),
        (":::spoiler\n:::spoiler\n:::", "line 2: spoiler blocks do not nest"),
        (":::spoiler banana\n:::", "'banana' is not a stage or a chapter"),
        (":::spoiler stage 5 drift\n:::", "names resolution and drift"),
    ],
)
def test_a_body_that_does_not_read_names_the_line_and_the_fix(body: str, message: str) -> None:
    with pytest.raises(BodyError, match=message):
        body_parse(body)


def test_block_markers_inside_a_code_fence_are_text() -> None:
    body = "```\n:::spoiler\n```\n:::spoiler drift\nx\n:::"
    parts = body_parse(body)
    assert parts[0] == Part("```\n:::spoiler\n```")
    assert parts[1].spoiler


def test_display_reordering_controls_are_removed() -> None:
    assert text_clean("abc\u202edcba\u2066x\u2069\r\n") == "abcdcbax\n"
