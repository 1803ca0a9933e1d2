"""HTTP semantics every page and endpoint keeps: HEAD wherever GET, private caching of what depends on the
session, `Vary: HX-Request` where one URL answers two bodies, and the Content-Security-Policy header."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.urlmap import concrete_urls, url_patterns

PATTERNS = sorted(name for name, _ in url_patterns())


@pytest.mark.parametrize("pattern", PATTERNS)
def test_head_is_answered_wherever_get_is_with_the_same_headers_and_no_body(adult: Client, pattern: str) -> None:
    url = concrete_urls()[pattern][0]
    adult.get(url)  # shows (and so uses up) the age gate's one-time message
    got, head = adult.get(url), adult.head(url)
    assert head.status_code == got.status_code, url
    assert head.content == b"", url
    assert head["Content-Type"] == got["Content-Type"], url
    if not got.streaming:
        assert head["Content-Length"] == str(len(got.content)), url


def test_healthz_answers_head(unverified: Client) -> None:
    assert unverified.head("/healthz").status_code == 200


@pytest.mark.parametrize("pattern", PATTERNS)
def test_session_dependent_responses_are_private(unverified: Client, pattern: str) -> None:
    for url in concrete_urls()[pattern]:
        response = unverified.get(url)
        if "Cookie" in response.get("Vary", ""):
            assert "private" in response.get("Cache-Control", ""), url


@pytest.mark.parametrize("url", ["/", "/browse/", "/api/v1/search", "/api/v1/titles", "/settings/"])
def test_pages_and_the_api_that_read_the_session_say_so(unverified: Client, url: str) -> None:
    response = unverified.get(url)
    assert "Cookie" in response["Vary"]
    assert "private" in response["Cache-Control"]


def test_browse_varies_on_hx_request_and_answers_a_fragment_to_htmx(unverified: Client) -> None:
    page = unverified.get("/browse/?subgenre=netorare")
    fragment = unverified.get("/browse/?subgenre=netorare", headers={"HX-Request": "true"})
    for response in (page, fragment):
        assert "HX-Request" in response["Vary"]
    assert b"<html" in page.content
    assert b"<html" not in fragment.content


def test_every_page_carries_a_strict_content_security_policy(unverified: Client) -> None:
    policy = unverified.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'"
