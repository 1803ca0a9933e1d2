"""The schema of /api/v1/search and /api/v1/titles names exactly what the parameter parser reads, with its
value sets and limits; and the parser refuses what the schema rules out, so the two cannot drift."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from config.api import api
from shuraba.accounts.policies import REVEAL_TOKENS
from shuraba.search.params import CHOICES, KNOWN, NUMBERS
from shuraba.search.query import DIMENSIONS, MAX_TAGS
from shuraba.search.syntax import MAX_QUERY_LENGTH
from shuraba.search.vocab import vocabulary
from shuraba.taxonomy.models import Tag

OPERATIONS = {"/api/v1/search": "search", "/api/v1/titles": "titles"}


def _parameters(path: str) -> dict[str, dict[str, Any]]:
    operation = api.get_openapi_schema()["paths"][path]["get"]
    return {p["name"]: p for p in operation["parameters"]}


@pytest.mark.parametrize("path", OPERATIONS)
def test_the_schema_names_every_parameter_the_parser_reads_and_no_other(db: None, path: str) -> None:
    assert set(_parameters(path)) == KNOWN


@pytest.mark.parametrize("path", OPERATIONS)
def test_value_sets_and_limits_are_the_parsers(db: None, path: str) -> None:
    params, vocab = _parameters(path), vocabulary()
    for name, allowed in CHOICES.items():
        assert params[name]["schema"]["enum"] == list(allowed)
    for name, (low, high, default) in NUMBERS.items():
        schema = params[name]["schema"]
        assert (schema["minimum"], schema["maximum"], schema["default"]) == (low, high, default)
    for name in DIMENSIONS:
        items = params[name]["schema"]["items"]
        if vocab.values[name] and name != "subgenre":
            assert set(items["enum"]) == {*vocab.values[name], *(f"!{v}" for v in vocab.values[name])}
    subgenre = re.compile(params["subgenre"]["schema"]["items"]["pattern"])
    for key in vocab.values["subgenre"]:
        assert all(subgenre.fullmatch(word) for word in (key, f"!{key}", f"{key}>=0.5", f"{key}>=1"))
        assert not any(subgenre.fullmatch(word) for word in (f"{key}>=2", f"!{key}>=0.5", f"{key}x"))
    slugs = sorted(Tag.objects.values_list("slug", flat=True))
    assert params["exclude"]["schema"]["items"]["enum"] == slugs
    for name in ("include", "tag"):
        included = re.compile(params[name]["schema"]["items"]["pattern"])
        assert all(included.fullmatch(word) for slug in slugs for word in (slug, f"{slug}>=60", f"{slug}>=100"))
        assert not any(included.fullmatch(word) for word in (f"{slugs[0]}>=101", f"{slugs[0]}>=abc", "nope"))
    for name in ("include", "tag", "exclude"):
        assert params[name]["schema"]["maxItems"] == MAX_TAGS
    assert params["query"]["schema"]["maxLength"] == MAX_QUERY_LENGTH


@pytest.mark.parametrize(("name", "limits"), NUMBERS.items())
def test_the_parser_refuses_a_number_past_the_documented_maximum(unverified: Client, name: str, limits: Any) -> None:
    low, high, _ = limits
    past = unverified.get("/api/v1/titles", {name: high + 1})
    assert past.status_code == 400
    assert past.json()["param"] == name
    assert unverified.get("/api/v1/titles", {name: low}).status_code == 200


@pytest.mark.parametrize("name", CHOICES)
def test_the_parser_takes_every_documented_choice_and_refuses_others(unverified: Client, name: str) -> None:
    for value in CHOICES[name]:
        assert unverified.get("/api/v1/search", {name: value}).status_code == 200, value
    assert unverified.get("/api/v1/search", {name: "sideways"}).json()["param"] == name


def test_title_operations_document_reveal_and_every_error(db: None) -> None:
    paths = api.get_openapi_schema()["paths"]
    for path in ("/api/v1/titles/by-slug/{slug}", "/api/v1/titles/{title_id}"):
        operation = paths[path]["get"]
        reveal = next(p for p in operation["parameters"] if p["name"] == "reveal")
        assert reveal["schema"]["items"]["enum"] == list(REVEAL_TOKENS)
        assert {400, 404, 414} <= set(operation["responses"])
    for operations in paths.values():
        for operation in operations.values():
            assert 414 in operation["responses"]
