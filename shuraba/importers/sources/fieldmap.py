"""Field-mapping tables: rules as data that turn one source item into a SourceRecord.

Each source module lists `FieldRule`s: where a fact sits in the source's JSON, which SourceRecord field
it fills, and how it is converted. The same table parses every item, describes itself for the docs
(`rules_markdown`) and names the field when an item is malformed (`FieldError` becomes a RowError).
Prose (descriptions, synopses, background) has no rule, so it can never reach a record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shuraba.importers.records import RowError, SourceRecord

# SourceRecord fields whose values accumulate over several rules instead of being set once.
TUPLE_FIELDS = ("alt_titles", "tags", "creators")
MERGED_FIELDS = ("cross_ids",)


class FieldError(ValueError):
    """One field of one item is missing, mistyped or holds a value we do not know."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


Reader = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class FieldRule:
    """One source field (or a few) feeding one SourceRecord field."""

    source: str  # where the fact sits, as a dotted path ("title.romaji", "tags[].rank")
    target: str  # the SourceRecord field it fills
    read: Reader  # item -> value for target (raises FieldError on a bad value)
    note: str = ""  # how it is converted, in plain words

    def describe(self) -> str:
        return f"`{self.source}` → `{self.target}`" + (f": {self.note}" if self.note else "")


def rules_markdown(rules: Sequence[FieldRule]) -> str:
    """The table for docs/importers-sources.md; a test checks the doc carries it verbatim."""
    lines = ["| source field | record field | conversion |", "|---|---|---|"]
    lines += [f"| `{_cell(r.source)}` | `{r.target}` | {_cell(r.note or 'as is')} |" for r in rules]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def record_build(source: str, item: Mapping[str, Any], rules: Sequence[FieldRule]) -> SourceRecord:
    """Apply every rule to one item. Raises FieldError naming the first bad field."""
    values: dict[str, Any] = {"source": source}
    for rule in rules:
        value = rule.read(item)
        if rule.target in TUPLE_FIELDS:
            values[rule.target] = (*values.get(rule.target, ()), *value)
        elif rule.target in MERGED_FIELDS:
            values[rule.target] = {**values.get(rule.target, {}), **value}
        elif value is not None or rule.target not in values:
            values[rule.target] = value
    if not values.get("title"):
        raise FieldError("title", "the item has no title in any language")
    return SourceRecord(**values)


def items_parse(
    source: str, items: Any, rules: Sequence[FieldRule], *, where: str, id_path: str
) -> list[SourceRecord | RowError]:
    """Parse a list of items; each bad item becomes a RowError naming its position, id and field."""
    if not isinstance(items, list):
        return [RowError(where=where, reason=f"expected a list of items, got {type_name(items)}")]
    return [
        item_parse(source, item, rules, where=f"{where} item {i}", id_path=id_path) for i, item in enumerate(items, 1)
    ]


def item_parse(
    source: str, item: Any, rules: Sequence[FieldRule], *, where: str, id_path: str
) -> SourceRecord | RowError:
    """One item as a record, or a RowError saying where it was (with its id when it has one) and why."""
    if not isinstance(item, Mapping):
        return RowError(where=where, reason=f"expected an object, got {type_name(item)}")
    ident = item.get(id_path)
    if ident is not None:
        where += f" ({source} id {ident})"
    try:
        return record_build(source, item, rules)
    except FieldError as exc:
        return RowError(where=where, reason=str(exc))


def type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


# ---------------------------------------------------------------------------------------------------
# Typed access to JSON: every reader names the path it failed on.
# ---------------------------------------------------------------------------------------------------


def dig(item: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (a number steps into a list), or None when any step is missing or null."""
    value: Any = item
    for step in path.split("."):
        if isinstance(value, list) and step.isdigit():  # "altTitles.2": an index into a list
            value = value[int(step)] if int(step) < len(value) else None
        elif isinstance(value, Mapping):
            value = value.get(step)
        else:
            return None
    return value


def text(item: Mapping[str, Any], path: str) -> str | None:
    value = dig(item, path)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(path, f"expected text, got {type_name(value)} {value!r}")
    return value.strip() or None


def integer(item: Mapping[str, Any], path: str) -> int | None:
    value = dig(item, path)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(path, f"expected a whole number, got {type_name(value)} {value!r}")
    if value < 0:
        raise FieldError(path, f"expected a number of 0 or more, got {value}")
    return int(value)


def number(item: Mapping[str, Any], path: str) -> float | None:
    value = dig(item, path)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(path, f"expected a number, got {type_name(value)} {value!r}")
    return float(value)


def flag(item: Mapping[str, Any], path: str) -> bool | None:
    value = dig(item, path)
    if value is None or isinstance(value, bool):
        return value
    raise FieldError(path, f"expected true or false, got {type_name(value)} {value!r}")


def objects(item: Mapping[str, Any], path: str) -> list[Mapping[str, Any]]:
    """A list of objects (missing or null = empty)."""
    value = dig(item, path)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise FieldError(path, f"expected a list of objects, got {type_name(value)}")
    return value


def texts(item: Mapping[str, Any], path: str) -> list[str]:
    """A list of strings (missing or null = empty)."""
    value = dig(item, path)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(path, f"expected a list of strings, got {type_name(value)}")
    return [v.strip() for v in value if v.strip()]


def enum(item: Mapping[str, Any], path: str, table: Mapping[str, str]) -> str | None:
    """A source enum mapped onto ours; an unknown value is an error, never a silent guess."""
    value = text(item, path)
    if value is None:
        return None
    if value not in table:
        raise FieldError(path, f"unknown value {value!r} (known: {', '.join(sorted(table))})")
    return table[value]


def date_from_parts(year: Any, month: Any, day: Any, path: str) -> dt.date | None:
    """A fuzzy date (any part may be missing): a missing month or day becomes 1; no year means no date."""
    for name, part in (("year", year), ("month", month), ("day", day)):
        if part is not None and (isinstance(part, bool) or not isinstance(part, int)):
            raise FieldError(f"{path}.{name}", f"expected a whole number, got {type_name(part)} {part!r}")
    if year is None:
        return None
    try:
        return dt.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise FieldError(path, f"not a real date ({year}-{month}-{day}): {exc}") from exc


def fuzzy_date(item: Mapping[str, Any], path: str) -> dt.date | None:
    value = dig(item, path)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise FieldError(path, f"expected an object with year, month and day, got {type_name(value)}")
    return date_from_parts(value.get("year"), value.get("month"), value.get("day"), path)


def timestamp(item: Mapping[str, Any], path: str) -> dt.datetime | None:
    """Unix seconds or an ISO 8601 string, as an aware UTC datetime."""
    value = dig(item, path)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise FieldError(path, f"not a date and time: {value!r}") from exc
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise FieldError(path, f"expected a unix time or an ISO date, got {type_name(value)} {value!r}")


def unique(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Alternative titles without repeats, in first-seen order."""
    return tuple(dict.fromkeys(pairs))
