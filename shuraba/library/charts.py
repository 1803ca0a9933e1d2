"""The profile's charts as server-rendered SVG: readable without JavaScript, and under the site's CSP
(presentation attributes and classes, never a style attribute).

Each bar is a group with its own `<title>` (a tooltip) and text labels for its value and its count; the
picture as a whole is a labelled image whose `<desc>` says every count in words. The page puts a table of
the same numbers beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 340
BAR_FILL = "#8a1c3b"  # the site's accent
TRACK_FILL = "#f1eef4"
INK, MUTED = "#1d1d24", "#5b5b66"
FONT = 14
# Horizontal bars: a label column, then the bar, then room for the count.
LABEL_W, COUNT_W, ROW_H, BAR_H, LABEL_CHARS = 124, 34, 28, 16, 17
# Columns (the score histogram): a count above each, the value below.
COLUMNS_H, COLUMN_TOP, COLUMN_BASE = 170, 24, 140


class Counted(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def count(self) -> int: ...


@dataclass(frozen=True)
class Bar:
    """A counted value for a chart made from plain numbers (a reviews' histogram, a list's profile)."""

    label: str
    count: int


def _words(bars: Sequence[Counted], unit: tuple[str, str], prefix: str) -> str:
    return "; ".join(f"{prefix}{bar.label}: {bar.count} {unit[0] if bar.count == 1 else unit[1]}" for bar in bars)


def svg_image(chart_id: str, title: str, desc: str, height: int, body: str) -> SafeString:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>{body}</svg>'
    )
    return mark_safe(svg)  # noqa: S308 (every interpolated string is escaped or numeric)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bars_svg(*, chart_id: str, title: str, bars: Sequence[Counted], unit: tuple[str, str]) -> SafeString:
    """Horizontal bars, one row per value, lengths relative to the largest count."""
    most = max([bar.count for bar in bars] + [1])
    span = WIDTH - LABEL_W - COUNT_W
    rows = []
    for i, bar in enumerate(bars):
        y, w = i * ROW_H + 6, bar.count / most * span
        tip = f"{bar.label}: {bar.count} {unit[0] if bar.count == 1 else unit[1]}"
        rows.append(
            f'<g class="bar"><title>{escape(tip)}</title>'
            f'<text class="label" x="{LABEL_W - 8}" y="{y + BAR_H - 3}" font-size="{FONT}" fill="{INK}" '
            f'text-anchor="end">{escape(_short(bar.label))}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{span}" height="{BAR_H}" fill="{TRACK_FILL}"/>'
            f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{BAR_FILL}"/>'
            f'<text class="count" x="{LABEL_W + span + 6}" y="{y + BAR_H - 3}" font-size="{FONT}" '
            f'fill="{INK}">{bar.count}</text></g>'
        )
    return svg_image(chart_id, title, _words(bars, unit, ""), len(bars) * ROW_H + 8, "".join(rows))


def columns_svg(
    *, chart_id: str, title: str, bars: Sequence[Counted], unit: tuple[str, str], prefix: str
) -> SafeString:
    """Vertical columns over a baseline (a histogram), the count above each and the value below."""
    most = max([bar.count for bar in bars] + [1])
    slot = WIDTH / max(len(bars), 1)
    parts = []
    for i, bar in enumerate(bars):
        h = bar.count / most * (COLUMN_BASE - COLUMN_TOP)
        x, middle = i * slot + slot * 0.15, i * slot + slot / 2
        tip = f"{prefix}{bar.label}: {bar.count} {unit[0] if bar.count == 1 else unit[1]}"
        parts.append(
            f'<g class="bar"><title>{escape(tip)}</title>'
            f'<rect x="{x:.1f}" y="{COLUMN_BASE - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{BAR_FILL}"/>'
            f'<text class="count" x="{middle:.1f}" y="{COLUMN_BASE - h - 6:.1f}" font-size="{FONT}" '
            f'fill="{INK}" text-anchor="middle">{bar.count}</text>'
            f'<text class="label" x="{middle:.1f}" y="{COLUMN_BASE + 20}" font-size="{FONT}" fill="{MUTED}" '
            f'text-anchor="middle">{escape(bar.label)}</text></g>'
        )
    baseline = f'<line x1="0" y1="{COLUMN_BASE}" x2="{WIDTH}" y2="{COLUMN_BASE}" stroke="{MUTED}" stroke-width="1"/>'
    return svg_image(chart_id, title, _words(bars, unit, prefix), COLUMNS_H, baseline + "".join(parts))
