"""A title's reviews in pictures, server-rendered SVG (readable without JavaScript, under the site's CSP):
the overall score histogram and the dimension scores' means. The page prints the same numbers in words."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString

from shuraba.library.charts import BAR_FILL, FONT, INK, TRACK_FILL, WIDTH, Bar, bars_svg, columns_svg, svg_image
from shuraba.reviews.models import SCORE_MAX, SCORE_MIN
from shuraba.reviews.selectors import AxisVotes, ScoreSummary

ROW_H, BAR_H = 28, 16
MEAN_W = 40
LABEL_W = 150  # room for "Psychological depth"


def score_histogram_svg(summary: ScoreSummary, *, chart_id: str = "review-scores") -> SafeString:
    bars = [Bar(str(score), n) for score, n in zip(range(SCORE_MIN, SCORE_MAX + 1), summary.histogram, strict=True)]
    return columns_svg(
        chart_id=chart_id, title="Reviewers' overall scores", bars=bars, unit=("review", "reviews"), prefix="score "
    )


def dimension_bars_svg(summary: ScoreSummary, *, chart_id: str = "review-dimensions") -> SafeString:
    """One bar per dimension: its mean on a 0-10 track; a dimension nobody scored says so."""
    span = WIDTH - LABEL_W - MEAN_W
    rows, words = [], []
    for i, (label, mean, n) in enumerate(summary.dimensions):
        y = i * ROW_H + 6
        value = f"{mean:.1f}" if mean is not None else "\u2013"
        said = f"{label}: {value} out of {SCORE_MAX} from {n} review{'s' * (n != 1)}" if mean else f"{label}: no scores"
        words.append(said)
        width = (mean or 0) / SCORE_MAX * span
        rows.append(
            f'<g class="bar"><title>{escape(said)}</title>'
            f'<text class="label" x="{LABEL_W - 8}" y="{y + BAR_H - 3}" font-size="{FONT}" fill="{INK}" '
            f'text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{span}" height="{BAR_H}" fill="{TRACK_FILL}"/>'
            f'<rect x="{LABEL_W}" y="{y}" width="{width:.1f}" height="{BAR_H}" fill="{BAR_FILL}"/>'
            f'<text class="count" x="{LABEL_W + span + 6}" y="{y + BAR_H - 3}" font-size="{FONT}" '
            f'fill="{INK}">{value}</text></g>'
        )
    height = len(summary.dimensions) * ROW_H + 8
    return svg_image(chart_id, "Dimension scores, mean of the reviews", "; ".join(words), height, "".join(rows))


def votes_svg(axis: AxisVotes) -> SafeString:
    """How the eligible voters chose on one axis, one bar per value."""
    bars = [Bar(label, n) for _, label, n in axis.counts]
    return bars_svg(
        chart_id=f"votes-{axis.key}", title=f"Readers' votes on {axis.label}", bars=bars, unit=("voter", "voters")
    )
