"""Reading hand-written TOML data files with errors that name the file and the entry."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from shuraba.core.errors import DataFileError


def toml_read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not valid TOML: {exc}") from exc


def require(entry: dict[str, Any], key: str, kind: type, where: str) -> Any:
    """Return entry[key], raising a DataFileError naming `where` when it is missing or mistyped."""
    if key not in entry:
        raise DataFileError(f"{where}: missing {key!r}")
    value = entry[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise DataFileError(f"{where}: {key!r} must be {kind.__name__}, got {type(value).__name__}")
    return value


def optional(entry: dict[str, Any], key: str, kind: type, where: str, default: Any = None) -> Any:
    if key not in entry:
        return default
    return require(entry, key, kind, where)
