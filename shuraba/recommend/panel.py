"""“Will I like this?”: one title against the viewer's rows (quiz and library), axis by axis, spoiler-safe.

A row the title matches says its reason; one it misses says the title's own value when the viewer may see
that axis, or that it is not classified. A row on a spoiler axis the viewer hides says neither and is left
out of the fit (of the points earned and of the total), so neither the rows nor the percentage can tell
the ending away: two titles that differ only in their ending show the same panel."""

from __future__ import annotations

from dataclasses import dataclass

from shuraba.accounts.policies import Visibility
from shuraba.preferences.questions import Answers
from shuraba.recommend.engine import Library, liked_of, matched, value_labels, weights_of
from shuraba.recommend.weights import Weight, reason_of
from shuraba.search.live import search_index
from shuraba.search.storage import SearchIndex


@dataclass(frozen=True)
class FitRow:
    dimension: str
    verdict: str  # fits | misses | unclassified | hidden
    text: str
    source: str  # quiz | library


@dataclass(frozen=True)
class Panel:
    rows: tuple[FitRow, ...]
    fit: int  # percent of the rows' points the title earns
    has_profile: bool


def title_panel(*, visibility: Visibility, answers: Answers | None, library: Library, title_id: int) -> Panel | None:
    """None when the search index does not hold the title (yet)."""
    index = search_index()
    liked = liked_of(library)
    value_labels(index)  # the labels' one query, before the lock
    with index.lock:  # the index's caches are read under its lock (search.cache)
        slot = index.slot_of.get(title_id)
        if slot is None:
            return None
        weights = tuple(w for w in weights_of(index, answers, liked) if w.points > 0)
        rows = tuple(_row(index, visibility, w, slot) for w in weights)
        counted = [w for w in weights if not _hidden(w, visibility)]
        total = sum(w.points for w in counted)
        earned = sum(w.points for w in counted if slot in matched(index, w))
    return Panel(rows, round(100 * earned / total) if total else 0, bool(weights))


def _hidden(weight: Weight, visibility: Visibility) -> bool:
    """A row on a spoiler axis this viewer hides: no verdict, and no points either way."""
    return weight.spoiler and not visibility.axis_counted(spoiler=True)


def _row(index: SearchIndex, visibility: Visibility, weight: Weight, slot: int) -> FitRow:
    labels = value_labels(index)
    if _hidden(weight, visibility):
        text = f"{weight.dimension}: not shown (you hide spoilers); not counted in the fit"
        return FitRow(weight.dimension, "hidden", text, weight.source)
    if slot in matched(index, weight):
        value = weight.value_of(index, slot) or ""
        reason = reason_of(weight, value, labels.get((weight.dimension, value), value), visibility)
        return FitRow(weight.dimension, "fits", reason.text if reason else weight.dimension, weight.source)
    own = _own_values(index, weight.dimension, slot, labels)
    wanted = weight.says.replace("{value}", "…").split(" — ")[0]
    if not own:
        return FitRow(
            weight.dimension, "unclassified", f"{wanted}: its {weight.dimension} is not classified", weight.source
        )
    return FitRow(weight.dimension, "misses", f"{wanted}: its {weight.dimension} is {', '.join(own)}", weight.source)


def _own_values(index: SearchIndex, dimension: str, slot: int, labels: dict[tuple[str, str], str]) -> list[str]:
    if dimension in ("intensity", "centrality"):
        return [str(v) for (n, v), b in index.numbers.items() if n == dimension and slot in b]
    return [labels.get((d, k), k) for (d, k), b in index.values.items() if d == dimension and slot in b]
