"""The derived length axis (one-shot, short, medium, long) from the chapter count; taxonomy.toml says it in words."""

from __future__ import annotations

from django.db.models import Q

from shuraba.catalog.models import Format

LENGTH_CHAPTERS: dict[str, tuple[int, int | None]] = {
    "one-shot": (1, 1),
    "short": (2, 20),
    "medium": (21, 80),
    "long": (81, None),
}


def length_class(*, chapters: int | None, format: str) -> str | None:
    if format == Format.ONE_SHOT:
        return "one-shot"
    if chapters is None:
        return None
    for name, (low, high) in LENGTH_CHAPTERS.items():
        if chapters >= low and (high is None or chapters <= high):
            return name
    return None


def length_q(names: frozenset[str] | set[str], *, prefix: str = "") -> Q:
    """The SQL of `length_class(...) in names`, for querysets of titles."""
    one_shot = Q(**{f"{prefix}format": Format.ONE_SHOT})
    condition = Q(pk__in=[])
    for name in names:
        low, high = LENGTH_CHAPTERS[name]
        chapters = Q(**{f"{prefix}chapters__gte": low})
        if high is not None:
            chapters &= Q(**{f"{prefix}chapters__lte": high})
        condition |= (one_shot | chapters) if name == "one-shot" else (~one_shot & chapters)
    return condition
