"""Building the whole index from the database, column by column.

Per chunk of titles, tag and profile rows are read as plain tuples and grouped with numpy, so every bitmap
gets one bulk update per chunk; only per-title work (names, cards) runs in Python. The incremental path
(index.apply) re-reads a few titles as TitleRows; both paths fill the same structures, and the property
test compares the result of both against the SQL reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
from django.db import connection
from pyroaring import BitMap

from shuraba.catalog.models import AltTitle, Title, TitleAxisValue, TitleTag
from shuraba.search.loader import TITLE_COLUMNS, TitleRow
from shuraba.taxonomy.models import WARNING_CATEGORY, AxisValue, Tag

if TYPE_CHECKING:
    from shuraba.search.index import SearchIndex

CHUNK = 20000
CARD_TAGS = 6


def _rows(sql: str, low: int, high: int) -> np.ndarray:
    """The rows as a 2-D array (shape (0, columns) when there are none)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, [low, high])
        rows = cursor.fetchall()
        columns = len(cursor.description)
    return np.array(rows, dtype=np.float64 if "weight" in sql else np.int64).reshape(len(rows), columns)


def _groups(keys: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(key, positions) for each distinct key."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(ordered) else np.array([], np.int64)
    for start, stop in zip(starts.tolist(), [*starts[1:].tolist(), len(ordered)], strict=True):
        yield int(ordered[start]), order[start:stop]


class _Vocabulary:
    def __init__(self, index: SearchIndex) -> None:
        # Sorted in Python, as the incremental path sorts card tags: database collations differ.
        tags = sorted(Tag.objects.values_list("pk", "slug", "name", "category__key"), key=lambda t: t[2])
        size = max([pk for pk, *_ in tags], default=0) + 1
        self.slug = {pk: slug for pk, slug, _, _ in tags}
        self.name = {pk: name for pk, _, name, _ in tags}
        self.number = np.full(size, -1, dtype=np.int64)
        self.name_rank = np.zeros(size, dtype=np.int64)
        self.warning = np.zeros(size, dtype=bool)
        for rank, (pk, slug, _, category) in enumerate(tags):
            self.number[pk] = index._tag_code(slug, "none") // 2
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
    data = _rows(
        f"SELECT title_id, value_id, weight FROM {table} WHERE title_id BETWEEN %s AND %s",  # noqa: S608
        low,
        high,
    )
    if not len(data):
        return
    titles, value_ids, weights = data[:, 0].astype(np.int64), data[:, 1].astype(np.int64), data[:, 2]
    slots = np.array([slot_of[t] for t in titles.tolist()], dtype=np.int64)
    for value_id, positions in _groups(value_ids):
        axis, key, rank, _ = vocab.values[value_id]
        index.values[(axis, key)].update(slots[positions])
        if axis in ("centrality", "intensity") and rank is not None:
            index.numbers[(axis, rank)].update(slots[positions])
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
        f"SELECT title_id, tag_id, relevance, CASE WHEN spoiler = 'none' THEN 0 ELSE 1 END FROM {table} "  # noqa: S608
        "WHERE title_id BETWEEN %s AND %s"
    )
    data = _rows(sql, low, high)
    if not len(data):
        return
    titles, tag_ids, relevance, spoiler = data[:, 0], data[:, 1], data[:, 2], data[:, 3]
    slots = np.array([slot_of[t] for t in titles.tolist()], dtype=np.int64)
    for tag_id, positions in _groups(tag_ids):
        slug = vocab.slug[tag_id]
        index.tags[slug].update(slots[positions])
        index.open_tags[slug].update(slots[positions][spoiler[positions] == 0])
    for combined, positions in _groups(tag_ids * 128 + relevance):  # relevance is 0..100
        slug, level = vocab.slug[combined // 128], combined % 128
        bitmap = index.levels[slug].get(level)
        if bitmap is None:
            bitmap = index.levels[slug][level] = BitMap()
        bitmap.update(slots[positions])
    _tag_codes(index, slots, vocab.number[tag_ids] * 2 + spoiler)
    _card_tags(rows, titles=titles, tag_ids=tag_ids, relevance=relevance, spoiler=spoiler, vocab=vocab)


def _tag_codes(index: SearchIndex, slots: np.ndarray, codes: np.ndarray) -> None:
    order = np.argsort(slots, kind="stable")
    slots, codes = slots[order], codes[order]
    starts = np.flatnonzero(np.r_[True, slots[1:] != slots[:-1]])
    position = np.arange(len(slots)) - np.repeat(starts, np.diff(np.r_[starts, len(slots)]))
    from shuraba.search.index import TAG_WIDTH  # noqa: PLC0415 (index imports this module)

    fits = (position < TAG_WIDTH) & (codes < index.dense_codes)
    index.slot_tags[slots[fits], position[fits]] = codes[fits]
    for slot, code in zip(slots[~fits].tolist(), codes[~fits].tolist(), strict=True):
        index.overflow.setdefault(slot, []).append(code)
        index.overflow_slots.add(slot)


def _card_tags(
    rows: dict[int, TitleRow],
    *,
    titles: np.ndarray,
    tag_ids: np.ndarray,
    relevance: np.ndarray,
    spoiler: np.ndarray,
    vocab: _Vocabulary,
) -> None:
    shown = np.flatnonzero((spoiler == 0) & ~vocab.warning[tag_ids])
    order = shown[np.lexsort((vocab.name_rank[tag_ids[shown]], -relevance[shown], titles[shown]))]
    ordered = titles[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(ordered) else np.array([], np.int64)
    position = np.arange(len(ordered)) - np.repeat(starts, np.diff(np.r_[starts, len(ordered)]))
    first = order[position < CARD_TAGS]  # each title's first six, in card order
    for title, tag_id, rel in zip(
        titles[first].tolist(), tag_ids[first].tolist(), relevance[first].tolist(), strict=True
    ):
        rows[title].card_tags.append((rel, vocab.name[tag_id], vocab.slug[tag_id]))


def index_fill(index: SearchIndex) -> None:
    """Fill an empty index with every title."""
    vocab = _Vocabulary(index)
    pks = list(Title.objects.order_by("pk").values_list("pk", flat=True))
    index._reserve(len(pks))
    for start in range(0, len(pks), CHUNK):
        low, high = pks[start], pks[min(start + CHUNK, len(pks)) - 1]
        titles = Title.objects.filter(pk__gte=low, pk__lte=high).order_by("pk").values_list(*TITLE_COLUMNS)
        rows = {values[0]: TitleRow(*values) for values in titles}
        slot_of = {pk: index._slot(pk) for pk in rows}
        for row in rows.values():
            row.names.append(row.title)
        alt = AltTitle.objects.filter(title_id__gte=low, title_id__lte=high).order_by().values_list("title_id", "text")
        for title_id, text in alt:
            rows[title_id].names.append(text)
        _axis_rows(index, rows=rows, slot_of=slot_of, low=low, high=high, vocab=vocab)
        _tag_rows(index, rows=rows, slot_of=slot_of, low=low, high=high, vocab=vocab)
        index._insert_many(rows.values(), fresh=True)
