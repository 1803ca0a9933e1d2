from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """`{{ selected|get_item:name }}`: a dict lookup by a variable key, empty when missing."""
    if not mapping:
        return ()
    return mapping.get(key, ())
