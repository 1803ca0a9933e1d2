"""`shuraba check --deploy` is clean under the production settings of docs/operations.md, and the HTTPS
settings refuse a bad value with a message instead of a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHURABA = str(Path(sys.executable).with_name("shuraba"))


def _production_settings() -> dict[str, str]:
    """The `VARIABLE=value` lines of the production block in docs/operations.md, so the doc is what is tested."""
    text = (ROOT / "docs" / "operations.md").read_text()
    block = text.split("```sh production", 1)[1].split("```", 1)[0]
    pairs = dict(re.findall(r"^([A-Z_]+)=(\S*)", block, re.M))
    assert "SHURABA_HSTS_SECONDS" in pairs, "the production block of docs/operations.md lost its settings"
    return pairs


def _shuraba(tmp_path: Path, *args: str, settings: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {"SHURABA_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", **settings}
    return subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [SHURABA, *args], capture_output=True, text=True, timeout=60, check=False, env=env
    )


def test_deploy_check_is_clean_under_the_documented_production_settings(tmp_path: Path) -> None:
    settings = {
        **_production_settings(),
        "SHURABA_SECRET_KEY": "x" * 10 + "-a-long-random-value-for-this-test-0123456789",
    }
    result = _shuraba(tmp_path, "check", "--deploy", "--fail-level", "WARNING", settings=settings)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_warns_without_the_https_settings(tmp_path: Path) -> None:
    result = _shuraba(tmp_path, "check", "--deploy", "--fail-level", "WARNING", settings={})
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SHURABA_HSTS_SECONDS", "a year", "must be a whole number of seconds"),
        ("SHURABA_HSTS_SECONDS", "-1", "must be a whole number of seconds"),
        ("SHURABA_HSTS_SECONDS", "999999999", "from 0 to 63072000"),
        ("SHURABA_SSL_REDIRECT", "always", "must be 1 or 0"),
        ("SHURABA_HSTS_PRELOAD", "sure", "must be 1 or 0"),
        ("SHURABA_PROXY_SSL_HEADER", "X_Forwarded Proto", "must be a header name such as X-Forwarded-Proto"),
        ("SHURABA_PROXY_SSL_HEADER", "X-Forwarded-Proto: HTTPS!", "must be a header name"),
    ],
)
def test_a_bad_https_setting_is_refused_with_a_message(tmp_path: Path, name: str, value: str, message: str) -> None:
    result = _shuraba(tmp_path, "check", settings={name: value})
    assert result.returncode == 2
    assert f"{name} must" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [("X-Forwarded-Proto", "('HTTP_X_FORWARDED_PROTO', 'https')"), ("X-Scheme: https", "('HTTP_X_SCHEME', 'https')")],
)
def test_the_proxy_ssl_header_becomes_djangos_meta_name(tmp_path: Path, value: str, expected: str) -> None:
    result = _shuraba(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        settings={"SHURABA_PROXY_SSL_HEADER": value},
    )
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr
