"""Plain multi-row INSERTs for rows whose primary keys the writer never needs back, UPDATEs by primary key,
and rows of plain columns read whole.

Each app writes its own tables with it: the catalog's bulk API (catalog/bulk.py) its titles' rows, the
importers their snapshots. Why not `bulk_create`: on SQLite Django caps a statement at 999 parameters
and prepares every value through the SQL compiler, which made history rows (ChangeRecord) the slowest
part of an import. One `executemany` per table (a COPY on PostgreSQL) does the same write several
times faster. It keeps Django's semantics where they matter: fields the caller does not give get their
default (or `now` for auto_now fields, NULL for nullable ones), and values other than plain numbers and
text go through the field's `get_db_prep_save`, so JSON, UUIDs and datetimes are adapted for SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.utils import timezone

_PLAIN = (int, str, float, bool)


def _filler(field: models.Field[Any, Any], now: Any) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda: now
    if field.has_default():
        return field.get_default
    if field.null:
        return lambda: None
    raise ValueError(f"{field.model.__name__}.{field.name} has no default; give it to rows_insert")


def _adapter(columns: Sequence[models.Field[Any, Any]]) -> Callable[[int, Any], Any]:
    """Values as the database takes them: plain numbers and text as they are, the rest through the column's
    `get_db_prep_save`; a datetime repeated in a column (a chunk's rows share one `now`) is adapted once."""
    adapted: dict[tuple[int, Any], Any] = {}

    def adapt(index: int, value: Any) -> Any:
        if value is None or type(value) in _PLAIN:
            return value
        if isinstance(value, dt.datetime):
            key = (index, value)
            if key not in adapted:
                adapted[key] = columns[index].get_db_prep_save(value, connection=connection)
            return adapted[key]
        return columns[index].get_db_prep_save(value, connection=connection)

    return adapt


def rows_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT rows (values in `fields` order; attnames such as `title_id` work); return how many."""
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    extra = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    now = timezone.now()
    fillers = [_filler(f, now) for f in extra]
    columns: list[Any] = [*given, *extra]
    adapt = _adapter(columns)
    prepared = [[adapt(i, v) for i, v in enumerate([*row, *(fill() for fill in fillers)])] for row in rows]
    if not prepared:
        return 0
    quote = connection.ops.quote_name
    names = ", ".join(quote(c.column) for c in columns)
    row = f"({', '.join(['%s'] * len(columns))})"
    head = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES "  # noqa: S608 (names come from model meta)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: one stream instead of a round trip per row
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
                for values in prepared:
                    copy.write_row(values)
        else:
            cursor.executemany(head + row, prepared)  # SQLite's executemany loops in C
    return len(prepared)


def rows_update(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UPDATE rows by primary key, each row `(pk, *values in fields order)`; return how many. Only the
    fields given change (auto_now fields too: give them). `bulk_update` writes one CASE per field over
    the rows of a batch, which made re-imports' updates slow; this is one executemany."""
    meta = model._meta
    columns: list[Any] = [meta.get_field(name) for name in fields]
    adapt = _adapter(columns)
    prepared = [[*(adapt(i, v) for i, v in enumerate(values)), pk] for pk, *values in rows]
    if not prepared:
        return 0
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c.column)} = %s" for c in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 (names come from model meta)
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
    return len(prepared)


def rows_read(queryset: models.QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` queryset of integer and text columns, read with the cursor: for a few
    thousand rows Django's per-row iteration costs several times the query (a 5,000-entry library's
    title ids: ~4 ms through the queryset, under 1 ms here). Such columns need no converter on either
    backend; a date, time, JSON or decimal column does, and must not be read here."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a condition that holds for no row (`pk__in=[]`): Django sends no query either
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows
