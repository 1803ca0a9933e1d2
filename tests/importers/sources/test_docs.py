"""docs/importers-sources.md cannot drift from the rule objects it documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from shuraba.importers.mapping import ALIAS_KEYS
from shuraba.importers.sources import SOURCE_MODULES, adapter_get
from shuraba.importers.sources.fieldmap import rules_markdown
from shuraba.importers.sources.mangadex import RATINGS
from shuraba.importers.sources.paging import filters_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "importers-sources.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("source", list(SOURCE_MODULES))
def test_the_doc_carries_every_field_mapping_table_as_generated(doc: str, source: str) -> None:
    table = rules_markdown(adapter_get(source).rules)
    assert table in doc, f"update the {source} field map in {DOC.name} to:\n\n{table}\n"


@pytest.mark.parametrize("source", list(SOURCE_MODULES))
def test_the_doc_lists_every_filter_as_generated(doc: str, source: str) -> None:
    table = filters_markdown(adapter_get(source).filters)
    assert table in doc, f"update the {source} filters in {DOC.name} to:\n\n{table}\n"


def test_every_mapped_record_field_is_documented(doc: str) -> None:
    for source in SOURCE_MODULES:
        for rule in adapter_get(source).rules:
            assert f"| `{rule.target}` |" in doc, (source, rule.target)


def test_the_content_rating_mapping_is_documented(doc: str) -> None:
    for theirs, ours in RATINGS.items():
        assert f"| MangaDex | `contentRating` {theirs} | {ours} |" in doc


def test_every_alias_key_is_documented(doc: str) -> None:
    section = doc.split("## The alias table", 1)[1]
    for key in ALIAS_KEYS:
        assert f"`{key}`" in section, key
