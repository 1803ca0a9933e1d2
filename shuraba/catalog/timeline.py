"""The formula timeline of a title, drawn as a server-rendered SVG.

Hidden stages are not drawn at all: their chapter ranges (when the revelation comes, how long the
resolution runs) stay out of the markup. When anything is hidden, the bar's background is hatched, so
the unknown parts of the story read as "spoilers hidden" without saying where they lie.
Stage numbers sit on the bar; the ordered list below the picture is its legend.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shuraba.catalog.selectors import StageShown, TitleDetail

WIDTH, BAR_Y, BAR_H = 640, 30, 34
COLOURS = {
    "relationship": "#4e79a7",
    "third-party": "#c85a00",
    "drift": "#8a5a9e",
    "revelation": "#c0392b",
    "resolution": "#2e7d32",
}


def _span(stage: StageShown, total: int) -> tuple[float, float]:
    start = (stage.chapter_start or 1) - 1
    end = stage.chapter_end or stage.chapter_start or total
    return start / total * WIDTH, max((end - start) / total * WIDTH, 6.0)


def _total(detail: TitleDetail) -> int:
    if detail.facts.chapters:
        return detail.facts.chapters
    ends = [s.chapter_end or s.chapter_start or 0 for s in detail.stages if not s.hidden]
    return max([*ends, 1])


def _segment(stage: StageShown, total: int) -> str:
    x, w = _span(stage, total)
    label = f"{stage.order + 1}. {stage.label}: chapters {stage.chapter_start} to {stage.chapter_end}"
    return (
        f"<g><title>{escape(label)}</title>"
        f'<rect x="{x:.1f}" y="{BAR_Y}" width="{w:.1f}" height="{BAR_H}" fill="{COLOURS[stage.key]}"/>'
        f'<text x="{x + w / 2:.1f}" y="{BAR_Y + 23}" font-size="17" font-weight="700" fill="#fff" '
        f'text-anchor="middle">{stage.order + 1 if w >= 14 else ""}</text></g>'
    )


def timeline_svg(detail: TitleDetail) -> SafeString | None:
    total = _total(detail)
    if not detail.stages or total <= 1:
        return None  # a one-chapter story has no timeline to draw; the stage list says it all
    hidden = any(s.hidden for s in detail.stages)
    background = "url(#hatch)" if hidden else "#eee"
    parts = [_segment(s, total) for s in detail.stages if not s.hidden and s.chapter_start]
    caption = "Hatched: spoilers hidden" if hidden else ""
    svg = (
        f'<svg class="timeline" viewBox="0 0 {WIDTH} 92" role="img" aria-labelledby="timeline-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="timeline-title">Formula timeline over {total} '
        f"chapter{'s' if total != 1 else ''}{'; some stages are hidden as spoilers' if hidden else ''}</title>"
        '<defs><pattern id="hatch" width="10" height="10" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="10" height="10" fill="#e4e4e4"/>'
        '<line x1="0" y1="0" x2="0" y2="10" stroke="#bbb" stroke-width="5"/></pattern></defs>'
        f'<text x="0" y="20" font-size="15" fill="#444">ch. 1</text>'
        f'<text x="{WIDTH}" y="20" font-size="15" fill="#444" text-anchor="end">ch. {total}</text>'
        f'<rect x="0" y="{BAR_Y}" width="{WIDTH}" height="{BAR_H}" fill="{background}"/>'
        + "".join(parts)
        + f'<text x="0" y="{BAR_Y + BAR_H + 22}" font-size="15" fill="#444">{caption}</text>'
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 (every interpolated string is escaped or numeric)
