"""Loading the genre guide pages (content/guides.toml) into the database."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from shuraba.core.datafiles import require, toml_read
from shuraba.editorial.models import GuidePage

GUIDES_PATH = Path(__file__).resolve().parent / "content" / "guides.toml"


@transaction.atomic
def guides_load(*, path: Path = GUIDES_PATH, overwrite: bool = False) -> tuple[int, int]:
    """Create missing guide pages (and overwrite edited ones when asked). Returns (created, updated)."""
    data = toml_read(path)
    created = updated = 0
    for index, entry in enumerate(require(data, "pages", list, path.name)):
        where = f"{path.name} page #{index + 1}"
        values = {
            "title": require(entry, "title", str, where),
            "summary": require(entry, "summary", str, where),
            "body": require(entry, "body", str, where),
            "order": require(entry, "order", int, where),
        }
        page = GuidePage.objects.filter(slug=require(entry, "slug", str, where)).first()
        if page is None:
            GuidePage.objects.create(slug=entry["slug"], **values)
            created += 1
        elif overwrite and any(getattr(page, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(page, key, value)
            page.save()
            updated += 1
    return created, updated
