"""Building the whole index from the database, column by column.

Per chunk of titles, tag and profile rows are read as plain tuples and grouped with numpy, so every bitmap
gets one bulk update per chunk; only per-title work (names, cards) runs in Python. The incremental path
(SearchIndex.apply) re-reads a few titles as TitleRows; both paths fill the same structures through the
index's public writers, and the property test compares the result of both against the SQL reference.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from django.db import connection

from shuraba.accounts.policies import SPOILER_LEVELS, card_tag_shown
from shuraba.catalog.cards import CARD_TAGS
from shuraba.catalog.models import AltTitle, Title, TitleAxisValue, TitleTag
from shuraba.core.changelog import changelog_newest, changelog_newest_vocabulary
from shuraba.search.loader import (
    TITLE_COLUMNS,
    TitleRow,
    credit_add,
    credits_read,
    pending_suggestions,
    suggested_values,
)
from shuraba.search.storage import LEVELS, SEVERITIES, SearchIndex
from shuraba.taxonomy.models import WARNING_CATEGORY, AxisValue, Tag

CHUNK = 20000
# The spoiler level and severity of an assignment as small integers, in the policy's and the model's order.
_LEVEL_SQL = "CASE spoiler " + " ".join(f"WHEN '{v}' THEN {n}" for n, v in enumerate(SPOILER_LEVELS)) + " END"
_SEVERITY_SQL = (
    "CASE severity " + " ".join(f"WHEN '{v}' THEN {n + 1}" for n, v in enumerate(SEVERITIES)) + " ELSE 0 END"
)
# The card-tag rule as a table: [is a warning, spoiler level] -> may a card show it.
CARD_TAG_SHOWN = np.array([[card_tag_shown(level=lv, warning=w) for lv in SPOILER_LEVELS] for w in (False, True)])


def index_build(index: SearchIndex | None = None) -> SearchIndex:
    """An index of every title at the log's newest version (a chunk of titles at a time: bounded memory)."""
    index = index or SearchIndex()
    index.version = changelog_newest()
    index.vocabulary_version = changelog_newest_vocabulary()
    index_fill(index)
    return index


def _rows(sql: str, low: int, high: int, *, floats: bool = False) -> np.ndarray:
    """The rows as a 2-D array (shape (0, columns) when there are none)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, [low, high])
        rows = cursor.fetchall()
        columns = len(cursor.description)
    return np.array(rows, dtype=np.float64 if floats else np.int64).reshape(len(rows), columns)


def _groups(keys: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(key, positions) for each distinct key; none for no keys (a chunk of titles without warnings)."""
    if not len(keys):
        return
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    for start, stop in zip(starts.tolist(), [*starts[1:].tolist(), len(ordered)], strict=True):
        yield int(ordered[start]), order[start:stop]


class _Vocabulary:
    def __init__(self, index: SearchIndex) -> None:
        # Sorted in Python, as the incremental path sorts card tags: database collations differ.
        tags = sorted(Tag.objects.values_list("pk", "slug", "name", "category__key"), key=lambda t: t[2])
        size = max([pk for pk, *_ in tags], default=0) + 1
        self.slug = {pk: slug for pk, slug, _, _ in tags}
        self.number = np.full(size, -1, dtype=np.int64)
        self.name_rank = np.zeros(size, dtype=np.int64)
        self.warning = np.zeros(size, dtype=np.int64)
        for rank, (pk, slug, _, category) in enumerate(tags):
            self.number[pk] = index.tag_code(slug, SPOILER_LEVELS[0]) // LEVELS
            self.name_rank[pk] = rank
            self.warning[pk] = category == WARNING_CATEGORY
        self.values = {
            pk: (axis, key, rank, order)
            for pk, axis, key, rank, order in AxisValue.objects.values_list("pk", "axis__key", "key", "rank", "order")
        }


def _axis_rows(
    index: SearchIndex, *, rows: dict[int, TitleRow], slot_of: dict[int, int], low: int, high: int, vocab: _Vocabulary
) -> None:
    table = TitleAxisValue._meta.db_table
    sql = f"SELECT title_id, value_id, weight FROM {table} WHERE title_id BETWEEN %s AND %s"  # noqa: S608 (model meta)
    data = _rows(sql, low, high, floats=True)
    if not len(data):
        return
    titles, value_ids, weights = data[:, 0].astype(np.int64), data[:, 1].astype(np.int64), data[:, 2]
    slots = np.array([slot_of[t] for t in titles.tolist()], dtype=np.int64)
    for value_id, positions in _groups(value_ids):
        axis, key, rank, _ = vocab.values[value_id]
        index.values_add(axis, key, slots[positions])
        if axis in ("centrality", "intensity") and rank is not None:
            index.numbers_add(axis, rank, slots[positions])
        if axis in ("centrality", "subgenre"):
            for position in positions.tolist():
                row = rows[int(titles[position])]
                if axis == "centrality":
                    row.values.append((axis, key))
                else:
                    row.subgenres.append((float(weights[position]), vocab.values[value_id][3], key))


def _tag_rows(
    index: SearchIndex, *, rows: dict[int, TitleRow], slot_of: dict[int, int], low: int, high: int, vocab: _Vocabulary
) -> None:
    table = TitleTag._meta.db_table
    sql = (
        f"SELECT title_id, tag_id, relevance, {_LEVEL_SQL}, {_SEVERITY_SQL} FROM {table} "  # noqa: S608 (model meta and our constants)
        "WHERE title_id BETWEEN %s AND %s"
    )
    data = _rows(sql, low, high)
    if not len(data):
        return
    titles, tag_ids, relevance, level, severity = (data[:, k] for k in range(5))
    slots = np.array([slot_of[t] for t in titles.tolist()], dtype=np.int64)
    for combined, positions in _groups(tag_ids * LEVELS + level):
        index.tag_add(vocab.slug[combined // LEVELS], slots[positions], level=SPOILER_LEVELS[combined % LEVELS])
    for combined, positions in _groups(tag_ids * 128 + relevance):  # relevance is 0..100
        index.relevance_add(vocab.slug[combined // 128], combined % 128, slots[positions])
    warned = np.flatnonzero(severity > 0)
    for combined, positions in _groups(tag_ids[warned] * 8 + severity[warned]):
        index.severity_add(vocab.slug[combined // 8], SEVERITIES[combined % 8 - 1], slots[warned][positions])
    index.tag_codes_put(slots, vocab.number[tag_ids] * LEVELS + level, relevance)
    _card_tags(rows, titles=titles, tag_ids=tag_ids, relevance=relevance, level=level, vocab=vocab)


def _card_tags(
    rows: dict[int, TitleRow],
    *,
    titles: np.ndarray,
    tag_ids: np.ndarray,
    relevance: np.ndarray,
    level: np.ndarray,
    vocab: _Vocabulary,
) -> None:
    """catalog.cards.card_tags_pick, vectorized: the rule's table, most relevant first, then by name."""
    shown = np.flatnonzero(CARD_TAG_SHOWN[vocab.warning[tag_ids], level])
    order = shown[np.lexsort((vocab.name_rank[tag_ids[shown]], -relevance[shown], titles[shown]))]
    ordered = titles[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(ordered) else np.array([], np.int64)
    position = np.arange(len(ordered)) - np.repeat(starts, np.diff(np.r_[starts, len(ordered)]))
    first = order[position < CARD_TAGS]  # each title's first six, in card order
    for title, tag_id in zip(titles[first].tolist(), tag_ids[first].tolist(), strict=True):
        rows[title].card_tags.append(vocab.slug[tag_id])


def index_fill(index: SearchIndex) -> None:
    """Fill an empty index with every title."""
    vocab = _Vocabulary(index)
    pks = list(Title.objects.order_by("pk").values_list("pk", flat=True))
    index.reserve(len(pks))
    for start in range(0, len(pks), CHUNK):
        low, high = pks[start], pks[min(start + CHUNK, len(pks)) - 1]
        titles = Title.objects.filter(pk__gte=low, pk__lte=high).order_by("pk").values_list(*TITLE_COLUMNS)
        rows = {values[0]: TitleRow(*values) for values in titles}
        slot_of = {pk: index.slot_for(pk) for pk in rows}
        for row in rows.values():
            row.names.append(row.title)
        alt = AltTitle.objects.filter(title_id__gte=low, title_id__lte=high).order_by().values_list("title_id", "text")
        for title_id, text in alt:
            rows[title_id].names.append(text)
        scope = {"title_id__gte": low, "title_id__lte": high}
        for title_id, slug, *names in credits_read().filter(**scope):
            credit_add(rows[title_id], slug, names)
        for title_id, axis, values in pending_suggestions().filter(**scope):
            rows[title_id].suggested.extend(suggested_values(axis, values))
        _axis_rows(index, rows=rows, slot_of=slot_of, low=low, high=high, vocab=vocab)
        _tag_rows(index, rows=rows, slot_of=slot_of, low=low, high=high, vocab=vocab)
        index.rows_add(rows.values(), fresh=True)
