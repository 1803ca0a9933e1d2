"""schemathesis against the real site under gunicorn: every operation of the served OpenAPI schema (a new
endpoint is fuzzed without a line here), as an anonymous visitor and as an 18+ reader who shows spoilers.
Zero 5xx and zero responses that break the schema; the case count and the result go to the test log."""

from __future__ import annotations

import http.cookiejar
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ST = str(Path(sys.executable).with_name("st"))
# Per operation and phase; with the coverage phase's own cases, over 3,000 cases per viewer.
MAX_EXAMPLES = 50
MIN_CASES = 1_000
# Checks on responses. Not negative_data_rejection: an empty parameter means "not given" by design (the
# browse form sends every empty field), which that check counts as accepting invalid data.
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance"
CHECKS += ",response_schema_conformance"
HANG_GUARD = 900  # seconds; a guard against a hung run, not a measure of speed


def _opener(jar: http.cookiejar.CookieJar) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def _post_form(opener: urllib.request.OpenerDirector, jar: http.cookiejar.CookieJar, url: str, **fields: str) -> None:
    opener.open(url, timeout=30).read()  # sets the CSRF cookie
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})  # noqa: S310 (the served site on 127.0.0.1)
    opener.open(request, timeout=30).read()


def _adult_who_shows_spoilers(base_url: str) -> str:
    """The Cookie header of a session that confirmed 18+ at the age gate and shows spoilers everywhere."""
    jar = http.cookiejar.CookieJar()
    opener = _opener(jar)
    _post_form(opener, jar, f"{base_url}/age-gate/", confirm="yes", next="/")
    _post_form(opener, jar, f"{base_url}/settings/", reveal_spoilers="on")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    request = urllib.request.Request(f"{base_url}/api/v1/titles?content_rating=explicit", headers={"Cookie": cookie})  # noqa: S310 (the served site on 127.0.0.1)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the served site on 127.0.0.1)
        assert json.load(response)["total"] > 0, "the session did not pass the age gate"
    return cookie


def _visitor(base_url: str) -> str:
    """The Cookie header of a visitor who only opened a page (a session with a CSRF token, nothing chosen)."""
    jar = http.cookiejar.CookieJar()
    _opener(jar).open(f"{base_url}/settings/avoid/", timeout=30).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


@pytest.mark.parametrize("viewer", ["anonymous", "adult-showing-spoilers"])
def test_schemathesis_finds_no_server_error_and_no_response_breaking_the_schema(
    served_site: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], viewer: str
) -> None:
    cookie = _adult_who_shows_spoilers(served_site) if viewer != "anonymous" else _visitor(served_site)
    # The session's CSRF token as a header too, so session writes (PUT /api/v1/me/avoid-rules) are fuzzed.
    token = next(part.split("=", 1)[1] for part in cookie.split("; ") if part.startswith("csrftoken="))
    headers = ["--header", f"Cookie: {cookie}", "--header", f"X-CSRFToken: {token}"]
    report = tmp_path / "report.json"
    command = [ST, "run", f"{served_site}/api/v1/openapi.json", "--checks", CHECKS, "-n", str(MAX_EXAMPLES)]
    # One worker: CPython 3.11's ast.parse, which hypothesis calls to describe its filters, is not safe
    # across threads ("AST constructor recursion depth mismatch" with two workers).
    command += ["--phases", "examples,coverage,fuzzing", "--workers", "1", "--report", "json"]
    command += ["--report-json-path", str(report), "--output-truncate", "true", *headers]
    env = {**os.environ, "NO_PROXY": "127.0.0.1", "NO_COLOR": "1"}
    run = subprocess.run(  # noqa: S603 (schemathesis from this venv, fixed arguments)
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=HANG_GUARD, check=False
    )
    result = json.loads(report.read_text())
    cases, failures = result["test_cases"]["generated"], result["test_cases"]["with_failures"]
    with capsys.disabled():
        sys.stdout.write(
            f"\nschemathesis as {viewer}: {cases} cases over {result['operations']['tested']} operations, "
            f"{failures} failing, {len(result['errors'])} errors, seed {result['seed']}, "
            f"{result['running_time']:.0f} s; exit {run.returncode}\n"
        )
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    assert result["operations"]["tested"] == result["operations"]["total"] >= 5
    assert cases >= MIN_CASES
    assert failures == 0
