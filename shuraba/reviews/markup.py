"""A review's body: Markdown with spoiler blocks, each tagged by formula stage and chapter.

    Ordinary Markdown.

    :::spoiler resolution ch. 40
    What happens at the end.
    :::

A block opens on a line `:::spoiler` followed by any of: a formula stage (`relationship`, `third-party`,
`drift`, `revelation`, `resolution`, also `stage 1` to `stage 5`, `ending` for the resolution) and a chapter
(`ch. 40`, `ch40`, `chapter 40`); it closes on a line `:::`. Blocks do not nest. Lines inside a fenced code
block are text. Each part is rendered on its own (markdown-it-py, then nh3), so no block can open or close
another's HTML; what a viewer is shown of a block is the visibility policy's decision (`block_shown`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shuraba.accounts.policies import STAGE_KEYS
from shuraba.core.markup import text_clean

_OPEN = re.compile(r"^\s{0,3}:::\s*spoiler\b(?P<args>.*)$", re.IGNORECASE)
_CLOSE = re.compile(r"^\s{0,3}:::\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CHAPTER = re.compile(r"\b(?:ch(?:apter)?\.?)\s*(\d{1,5})\b", re.IGNORECASE)
_STAGE_NUMBER = re.compile(r"\bstage\s*([1-5])\b", re.IGNORECASE)
_STAGE_WORDS = {**{key: key for key in STAGE_KEYS}, "third party": "third-party", "ending": "resolution"}
STAGE_NAMES = ", ".join(STAGE_KEYS)


class BodyError(ValueError):
    """The body does not read; the message names the line and what to write instead."""


@dataclass(frozen=True)
class Part:
    """A run of the body: plain text (stage and chapter None, `spoiler` False) or one spoiler block."""

    text: str
    spoiler: bool = False
    stage: str | None = None
    chapter: int | None = None


def body_parse(body: str) -> tuple[Part, ...]:
    """The body's parts in order; raises BodyError for a block that is unclosed, nested or mis-tagged."""
    parts: list[Part] = []
    lines: list[str] = []
    block: tuple[int, str | None, int | None] | None = None  # the open block: its line, stage and chapter
    fence: str | None = None
    for number, line in enumerate(text_clean(body).split("\n"), 1):
        if fence is not None or _FENCE.match(line):
            fence = _fence_after(line, fence)
            lines.append(line)
            continue
        opened = _OPEN.match(line)
        if opened:
            if block is not None:
                raise BodyError(
                    f"line {number}: spoiler blocks do not nest; close the block opened on line {block[0]} "
                    "with a line ::: first"
                )
            _flush(parts, lines, None)
            block = (number, *_block_tags(opened["args"], number))
            continue
        if block is not None and _CLOSE.match(line):
            _flush(parts, lines, block)
            block = None
            continue
        lines.append(line)
    if block is not None:
        raise BodyError(f"line {block[0]}: the spoiler block opened here is not closed; end it with a line :::")
    _flush(parts, lines, None)
    return tuple(parts)


def _fence_after(line: str, fence: str | None) -> str | None:
    """The code fence still open after this line (Markdown's ``` and ~~~ blocks; None: outside one)."""
    found = _FENCE.match(line)
    if fence is None:
        return found.group(1) if found else None
    closes = found and found.group(1)[0] == fence[0] and len(found.group(1)) >= len(fence)
    if closes and found and not line.strip()[len(found.group(1)) :].strip():
        return None
    return fence


def _block_tags(args: str, number: int) -> tuple[str | None, int | None]:
    rest = args.strip().lower()
    chapter_found = _CHAPTER.search(rest)
    chapter = int(chapter_found.group(1)) if chapter_found else None
    rest = _CHAPTER.sub(" ", rest)
    stage: str | None = None
    number_found = _STAGE_NUMBER.search(rest)
    if number_found:
        stage = STAGE_KEYS[int(number_found.group(1)) - 1]
        rest = _STAGE_NUMBER.sub(" ", rest)
    for word, key in sorted(_STAGE_WORDS.items(), key=lambda item: -len(item[0])):
        if re.search(rf"\b{re.escape(word)}\b", rest):
            if stage is not None and stage != key:
                raise BodyError(f"line {number}: a spoiler block has one stage; this one names {stage} and {key}")
            stage = key
            rest = re.sub(rf"\b{re.escape(word)}\b", " ", rest)
    leftover = rest.replace(",", " ").replace("·", " ").split()
    if leftover:
        raise BodyError(
            f"line {number}: {leftover[0]!r} is not a stage or a chapter; write for example "
            f"':::spoiler resolution ch. 40' (stages: {STAGE_NAMES}, or stage 1 to stage 5)"
        )
    return stage, chapter


def _flush(parts: list[Part], lines: list[str], block: tuple[int, str | None, int | None] | None) -> None:
    text = "\n".join(lines).strip("\n")
    lines.clear()
    if block is not None:
        parts.append(Part(text, spoiler=True, stage=block[1], chapter=block[2]))
    elif text.strip():
        parts.append(Part(text))
