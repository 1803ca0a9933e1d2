"""The formula timeline of a title, drawn as a server-rendered SVG.

Hidden stages are not drawn with their real chapter range: the spoilers (when the revelation comes,
how long the resolution runs) stay out of the markup. They are folded into one grey block.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shuraba.catalog.selectors import StageShown, TitleDetail

WIDTH, BAR_Y, BAR_H, LABEL_Y = 640, 28, 30, 84
COLOURS = {
    "relationship": "#4e79a7",
    "third-party": "#f28e2b",
    "drift": "#b07aa1",
    "revelation": "#e15759",
    "resolution": "#59a14f",
}


def _span(stage: StageShown, total: int) -> tuple[float, float]:
    start = (stage.chapter_start or 1) - 1
    end = stage.chapter_end or stage.chapter_start or total
    return start / total * WIDTH, max((end - start) / total * WIDTH, 4.0)


def _total(detail: TitleDetail) -> int:
    if detail.title.chapters:
        return detail.title.chapters
    ends = [s.chapter_end or s.chapter_start or 0 for s in detail.stages if not s.hidden]
    return max([*ends, 1])


def timeline_svg(detail: TitleDetail) -> SafeString | None:
    if not detail.stages:
        return None
    total = _total(detail)
    parts, visible_end = [], 0.0
    for index, stage in enumerate(s for s in detail.stages if not s.hidden):
        x, w = _span(stage, total)
        visible_end = max(visible_end, x + w)
        label_y = LABEL_Y + (index % 2) * 16
        parts.append(
            f"<g><title>{escape(stage.label)}: chapters {stage.chapter_start} to {stage.chapter_end}</title>"
            f'<rect x="{x:.1f}" y="{BAR_Y}" width="{w:.1f}" height="{BAR_H}" rx="3" fill="{COLOURS[stage.key]}"/>'
            f'<line x1="{x + 2:.1f}" y1="{BAR_Y + BAR_H}" x2="{x + 2:.1f}" y2="{label_y - 11}" stroke="#888"/>'
            f'<text x="{x + 2:.1f}" y="{label_y}" font-size="12">{escape(stage.label)}</text></g>'
        )
    if any(s.hidden for s in detail.stages):
        x = min(visible_end, WIDTH - 80)
        parts.append(
            f'<g><title>Spoilers hidden</title><rect x="{x:.1f}" y="{BAR_Y}" width="{WIDTH - x:.1f}" '
            f'height="{BAR_H}" rx="3" fill="url(#hatch)"/>'
            f'<text x="{x + 6:.1f}" y="{BAR_Y + 19}" font-size="12" fill="#333">spoilers hidden</text></g>'
        )
    svg = (
        f'<svg class="timeline" viewBox="0 -2 {WIDTH} 124" role="img" aria-labelledby="timeline-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="timeline-title">Formula timeline over {total} '
        f"chapter{'s' if total != 1 else ''}</title>"
        '<defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#ddd"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#aaa" stroke-width="4"/></pattern></defs>'
        f'<text x="0" y="16" font-size="11" fill="#555">ch. 1</text>'
        f'<text x="{WIDTH}" y="16" font-size="11" fill="#555" text-anchor="end">ch. {total}</text>'
        + "".join(parts)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 (every interpolated string is escaped above)
