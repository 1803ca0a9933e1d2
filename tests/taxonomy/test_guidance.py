"""Definitions speak to readers, guidance to editors: no shipped definition tells an editor what to do, the
sync keeps guidance apart, and no reader's page or the API shows it."""

from __future__ import annotations

import re
import tomllib

import pytest
from django.test import Client

from shuraba.taxonomy.models import Axis, AxisValue, Tag
from shuraba.taxonomy.services import TAXONOMY_PATH

# A sentence (or a clause after , ; :) opening on an editor's verb: "use X instead", "revisit the value".
# "set off by" describes a story, not an instruction.
EDITOR_VERB = re.compile(
    r"(?:^|[.;:,]\s)(?:use|rate|choose|pick|add|give|mark|weight|reserve|revisit|set(?! off)|tag)\b", re.IGNORECASE
)


def _entries() -> list[dict[str, object]]:
    data = tomllib.loads(TAXONOMY_PATH.read_text(encoding="utf-8"))
    entries: list[dict[str, object]] = []
    for section in ("spoiler_levels", "severities", "stages", "tag_categories", "tags", "axes"):
        entries += data[section]
    entries += [value for axis in data["axes"] for value in axis["values"]]
    return entries


def test_the_pattern_catches_an_instruction() -> None:
    assert EDITOR_VERB.search("Open endings. Revisit the value when an ongoing series concludes.")
    assert EDITOR_VERB.search("Told from one side. If both, use mixed.")
    assert not EDITOR_VERB.search("The shift happens at once, set off by a single event.")


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: str(e.get("key") or e.get("name")))
def test_no_shipped_definition_addresses_the_editor(entry: dict[str, object]) -> None:
    assert not EDITOR_VERB.search(str(entry["definition"])), "move the instruction to `guidance`"


def test_the_sync_keeps_guidance_apart(db: None) -> None:
    ending = AxisValue.objects.get(axis__key="ending", key="open")
    assert ending.guidance.startswith("Revisit the value")
    assert "Revisit" not in ending.definition
    assert AxisValue.objects.get(axis__key="consent", key="mutual").guidance.endswith("use emotional only.")


def test_guidance_is_absent_from_the_glossary_and_the_api(unverified: Client) -> None:
    guidance = [
        *AxisValue.objects.exclude(guidance="").values_list("guidance", flat=True),
        *Axis.objects.exclude(guidance="").values_list("guidance", flat=True),
        *Tag.objects.exclude(guidance="").values_list("guidance", flat=True),
    ]
    assert len(guidance) > 20
    pages = ["/taxonomy/", "/taxonomy/tags/", "/taxonomy/ending/", "/taxonomy/consent/", "/taxonomy/tags/drama/"]
    texts = []
    for url in pages:
        response = unverified.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    api = unverified.get("/api/v1/taxonomy")
    assert api.status_code == 200
    texts.append(api.content.decode())
    assert "guidance" not in texts[-1]
    for text in guidance:
        escaped = text.replace("'", "&#x27;")
        assert all(text not in page and escaped not in page for page in texts), text
